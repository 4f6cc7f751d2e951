// campaign create's probe of the stacks it needs, without their passphrase
// (engine/app/stack_probe.hpp): any answer below 500 is a stack that is
// there; a 5xx (a proxy in front of a stopped stack) or no answer is not.

#include <catch2/catch.hpp>

#include "engine/app/stack_probe.hpp"
#include "tests/unit/support_http_server.hpp"

using namespace passage;

namespace {

Config config_with(const std::string& name, const std::string& url) {
  Config config;
  StackConfig stack;
  stack.name = name;
  stack.backend = "cozy-admin";
  stack.url = url;
  config.stacks.push_back(stack);
  return config;
}

}  // namespace

TEST_CASE("stack probe: 401 is a stack that answers, 502 and a closed port are not, and no credentials go",
          "[probe]") {
  test::HttpTestServer admin_port([](const test::ServedRequest&) { return test::reply(401, "{}"); });
  test::HttpTestServer proxy([](const test::ServedRequest&) { return test::reply(502, "<html>Bad Gateway</html>"); });
  CHECK(unreachable_stacks(config_with("academy", admin_port.url("")), {"academy"}).empty());
  REQUIRE(admin_port.requests().size() == 1);
  CHECK(admin_port.requests()[0].target == "/version");
  CHECK_FALSE(admin_port.requests()[0].headers.contains("authorization"));

  auto down = unreachable_stacks(config_with("academy", proxy.url("")), {"academy"});
  REQUIRE(down.size() == 1);
  CHECK(down[0].why == "HTTP 502");

  int closed_port = 0;
  {
    test::HttpTestServer gone([](const test::ServedRequest&) { return test::reply(200); });
    closed_port = gone.port();
  }
  auto refused = unreachable_stacks(config_with("academy", "http://127.0.0.1:" + std::to_string(closed_port)),
                                    {"academy"});
  REQUIRE(refused.size() == 1);
  CHECK_FALSE(refused[0].why.empty());
  // A stack no account of the campaign needs is not probed.
  CHECK(unreachable_stacks(config_with("academy", proxy.url("")), {"other"}).empty());
}
