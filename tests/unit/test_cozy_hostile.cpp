// The cozy-admin backend against a hostile stack (issue 12): a scripted
// HTTP server answers oversized, mistyped or invalid JSON, redirects, and
// parts larger than the space. Each call ends in a typed failure whose
// reason code `account show` explains; nothing is left on disk.
#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <iterator>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/archive/part_limits.hpp"
#include "engine/sched/request_gate.hpp"
#include "engine/support/reasons.hpp"
#include "plugins/backends/cozy_admin.hpp"
#include "plugins/backends/cozy_classify.hpp"
#include "support_http_server.hpp"

using namespace passage;
using passage::test::HttpTestServer;
using passage::test::Reply;
using passage::test::reply;
using passage::test::ServedRequest;
using passage::testing::TempDir;
namespace asio = boost::asio;

namespace {

// One backend on its own io_context, pointed at `server`.
struct Stand {
  explicit Stand(const HttpTestServer& server) {
    stack.name = "academy";
    stack.backend = "cozy-admin";
    stack.url = server.url("");
    stack.passphrase = Secret("s3cret-passphrase");
    backend = std::make_unique<CozyAdminBackend>(BackendContext{io, stack, clock, gate});
  }
  ~Stand() {
    backend->shutdown();
    backend.reset();
  }

  // Runs one call to its end, 20 s at most.
  template <typename T>
  T run(asio::awaitable<T> task) {
    std::optional<T> result;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          result.emplace(co_await std::move(task));
          io.stop();
        },
        asio::detached);
    io.restart();
    io.run_for(std::chrono::seconds(20));
    REQUIRE(result);
    return std::move(*result);
  }

  asio::io_context io;
  StackConfig stack;
  ManualClock clock{Instant{} + std::chrono::hours(24 * 365 * 56)};
  RequestGate gate{io, RateLimit{1000, 1000}, 4};
  std::unique_ptr<CozyAdminBackend> backend;
};

const std::string k_instance =
    R"({"data":{"type":"instances","id":"x","attributes":{"domain":"alice.example"}}})";

// A zip of `names` (each holding a few bytes), as bytes.
std::string zip_bytes(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  const std::filesystem::path file = dir / "made.zip";
  std::unique_ptr<archive, int (*)(archive*)> writer(archive_write_new(), archive_write_free);
  REQUIRE(archive_write_set_format_zip(writer.get()) == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(writer.get(), file.c_str()) == ARCHIVE_OK);
  for (const std::string& name : names) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), 2);
    REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
    REQUIRE(archive_write_data(writer.get(), "{}", 2) == 2);
  }
  REQUIRE(archive_write_close(writer.get()) == ARCHIVE_OK);
  std::ifstream in(file, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::filesystem::remove(file);
  return bytes;
}

std::string code_of(const Failure& failure) { return std::string(reason_code_of(failure.reason)); }

}  // namespace

TEST_CASE("cozy hostile: an oversized JSON answer is answer_too_large, retryable", "[cozy-admin][hostile]") {
  HttpTestServer server([](const ServedRequest&) {
    return reply(200, R"({"data":")" + std::string(3 * 1024 * 1024, 'a') + R"("})",
                 {{"Content-Type", "application/vnd.api+json"}});
  });
  Stand stand(server);
  auto outcome = stand.run(stand.backend->lookup("alice.example"));
  REQUIRE_FALSE(outcome.ok());
  CHECK(code_of(outcome.failure()) == "answer_too_large");
  CHECK(outcome.failure().kind == FailureKind::retryable);
  CHECK(reason_sentence(outcome.failure().reason));
}

TEST_CASE("cozy hostile: an HTML page with a 200 is answer_wrong_type, invalid JSON answer_unreadable",
          "[cozy-admin][hostile]") {
  HttpTestServer server([](const ServedRequest& seen) {
    if (seen.target.ends_with("/disk-usage")) return reply(200, "{\"used\": \"12", {{"Content-Type", "application/json"}});
    if (seen.target.ends_with("/last-activity")) return reply(200, "[1,2", {});
    return reply(200, "<html>Sign in</html>", {{"Content-Type", "text/html; charset=utf-8"}});
  });
  Stand stand(server);
  auto html = stand.run(stand.backend->lookup("alice.example"));
  REQUIRE_FALSE(html.ok());
  CHECK(html.failure().reason == "answer_wrong_type: answer of content type text/html");
  CHECK(html.failure().kind == FailureKind::retryable);
  auto usage = stand.run(stand.backend->disk_usage("alice.example"));
  REQUIRE_FALSE(usage.ok());
  CHECK(code_of(usage.failure()) == "answer_unreadable");
  auto activity = stand.run(stand.backend->last_activity("alice.example"));
  REQUIRE_FALSE(activity.ok());
  CHECK(code_of(activity.failure()) == "answer_unreadable");
  for (const char* code : {"answer_wrong_type", "answer_unreadable"}) CHECK(reason_sentence(code));
}

TEST_CASE("cozy hostile: a redirect of an admin call is refused, never followed", "[cozy-admin][hostile]") {
  HttpTestServer server([](const ServedRequest& seen) {
    if (seen.target.starts_with("/instances/")) return reply(307, "", {{"Location", "http://127.0.0.1:9/steal"}});
    return reply(200, k_instance, {{"Content-Type", "application/json"}});
  });
  Stand stand(server);
  auto lookup = stand.run(stand.backend->lookup("alice.example"));
  REQUIRE_FALSE(lookup.ok());
  CHECK(lookup.failure().reason == "redirect_refused: http 307");
  CHECK(lookup.failure().kind == FailureKind::permanent);
  auto deleted = stand.run(stand.backend->delete_instance("alice.example"));
  REQUIRE_FALSE(deleted.ok());
  CHECK(code_of(deleted.failure()) == "redirect_refused");
  CHECK(server.requests().size() == 2);
  CHECK(reason_sentence("redirect_refused"));
}

TEST_CASE("cozy hostile: a part announced larger than the space is refused before the disk fills",
          "[cozy-admin][hostile]") {
  const std::int64_t lie = 40LL * 1024 * 1024 * 1024;
  HttpTestServer server([&](const ServedRequest&) {
    Reply answer{{"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: " + std::to_string(lie) +
                  "\r\n\r\n"}};
    for (int i = 0; i < 16; ++i) answer.pieces.emplace_back(65536, 'z');
    answer.close_after = true;
    return answer;
  });
  Stand stand(server);
  TempDir dir;
  FetchRequest request;
  request.domain = "alice.example";
  request.export_done.export_id = "e1";
  request.delivery = "archive";
  request.archive_folder = dir.path() / "archive";
  request.work_dir = dir.path() / "work";
  request.usage = DiskUsage{1000000, 900000, 0};
  auto outcome = stand.run(stand.backend->fetch_export(request));
  REQUIRE_FALSE(outcome.ok());
  CHECK(code_of(outcome.failure()) == "part_too_large");
  CHECK(outcome.failure().kind == FailureKind::permanent);
  CHECK(reason_sentence("part_too_large"));
  CHECK(std::filesystem::is_empty(request.work_dir));
  CHECK_FALSE(std::filesystem::exists(request.archive_folder));
}

TEST_CASE("cozy hostile: a part is bounded by the space's usage and JSON documents, with slack",
          "[cozy-admin][hostile]") {
  const PartLimits known = part_limits(DiskUsage{4000, 3000, 500}, 1000);
  CHECK(known.max_bytes == 5000 + 1250 + k_part_slack);
  CHECK(known.max_uncompressed == known.max_bytes);
  CHECK(part_limits(std::nullopt, 1000).max_bytes == k_part_unannounced_max);
}

TEST_CASE("cozy hostile: a part labelled as a web page is refused unread", "[cozy-admin][hostile]") {
  HttpTestServer server([](const ServedRequest&) {
    return reply(200, "<html>maintenance</html>", {{"Content-Type", "text/html"}});
  });
  Stand stand(server);
  TempDir dir;
  FetchRequest request;
  request.domain = "alice.example";
  request.export_done.export_id = "e1";
  request.delivery = "space";
  request.work_dir = dir.path() / "work";
  auto outcome = stand.run(stand.backend->fetch_export(request));
  REQUIRE_FALSE(outcome.ok());
  CHECK(code_of(outcome.failure()) == "answer_wrong_type");
  CHECK(std::filesystem::is_empty(request.work_dir));
}

TEST_CASE("cozy hostile: a part with a `../` entry is refused at once as zip_unsafe_entry, not downloaded again",
          "[cozy-admin][hostile]") {
  TempDir dir;
  const std::string zip = zip_bytes(dir.path(), {"My Cozy/Data/instance.json", "../../.bashrc"});
  HttpTestServer server([&](const ServedRequest&) { return reply(200, zip, {{"Content-Type", "application/zip"}}); });
  Stand stand(server);
  FetchRequest request;
  request.domain = "alice.example";
  request.export_done.export_id = "e1";
  request.delivery = "archive";
  request.archive_folder = dir.path() / "archive";
  request.work_dir = dir.path() / "work";
  auto outcome = stand.run(stand.backend->fetch_export(request));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.failure().reason == "zip_unsafe_entry: ../../.bashrc: `..` in the path");
  CHECK(outcome.failure().kind == FailureKind::permanent);
  CHECK(server.requests().size() == 1);
  CHECK(std::filesystem::is_empty(request.work_dir));
  CHECK_FALSE(std::filesystem::exists(dir.path() / ".bashrc"));
  CHECK(reason_sentence("zip_unsafe_entry"));
  CHECK(reason_sentence("zip_bomb"));
}
