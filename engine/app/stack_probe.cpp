#include "engine/app/stack_probe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/net/http.hpp"

namespace passage {

namespace {

namespace asio = boost::asio;

asio::awaitable<void> probe(HttpClient& client, const StackConfig& stack, std::vector<UnreachableStack>& into) {
  HttpRequest request;
  request.url = stack.url + "/version";
  request.connect_timeout = std::chrono::seconds(3);
  request.total_timeout = std::chrono::seconds(5);
  request.max_collected = 4096;
  HttpResponse response = co_await client.perform(std::move(request));
  if (response.transport_failed()) into.push_back(UnreachableStack{stack.name, stack.url, response.error});
  // A proxy in front of a stopped stack answers 502 or 503: not the stack.
  else if (response.status >= 500)
    into.push_back(UnreachableStack{stack.name, stack.url, "HTTP " + std::to_string(response.status)});
}

}  // namespace

std::vector<UnreachableStack> unreachable_stacks(const Config& config, const std::set<std::string>& names) {
  std::vector<UnreachableStack> unreachable;
  asio::io_context io;
  HttpClient client(io);
  for (const StackConfig& stack : config.stacks)
    if (stack.backend == "cozy-admin" && names.contains(stack.name))
      asio::co_spawn(io, probe(client, stack, unreachable), asio::detached);
  io.run();
  return unreachable;
}

}  // namespace passage
