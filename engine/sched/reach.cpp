#include "engine/sched/reach.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace passage {

namespace asio = boost::asio;

namespace {

// (The answer is named before it is stored: g++ 12 miscompiles a
// co_await inside a function call's arguments here.)
asio::awaitable<void> reach_stack(Backend& backend, std::optional<ReachResult>& into) {
  std::optional<ReachResult> answer = co_await backend.check_reach();
  into = std::move(answer);
}

asio::awaitable<void> reach_relay(Notifier& relay, std::optional<ReachResult>& into) {
  std::optional<ReachResult> answer = co_await relay.check_reach();
  into = std::move(answer);
}

}  // namespace

ReachAnswers reach_each(asio::io_context& io, Stacks& stacks, const std::vector<std::string>& names,
                        Notifier* relay) {
  ReachAnswers answers;
  for (const std::string& name : names) answers.stacks[name];  // every slot exists before any coroutine runs
  for (const std::string& name : names)
    asio::co_spawn(io, reach_stack(*stacks.at(name).backend, answers.stacks.at(name)), asio::detached);
  if (relay) asio::co_spawn(io, reach_relay(*relay, answers.relay), asio::detached);
  io.run();
  io.restart();
  return answers;
}

bool reach_usable(const std::optional<ReachResult>& reach) { return !reach || reach->reach == Reach::answered; }

}  // namespace passage
