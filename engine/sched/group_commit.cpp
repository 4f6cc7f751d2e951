#include "engine/sched/group_commit.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace passage {

namespace asio = boost::asio;

// A step waiting for its group's transaction: its timer is cancelled once
// the outcome is known (the waiting drive resumes from the loop).
struct GroupCommit::Waiter {
  Waiter(asio::io_context& io, StepCommit commit_step)
      : step(std::move(commit_step)), done(io, asio::steady_timer::time_point::max()) {}
  StepCommit step;
  asio::steady_timer done;
  bool settled = false;
  StepCommitted outcome;
};

GroupCommit::GroupCommit(asio::io_context& io, Store& store, Millis gather)
    : m_io(io), m_store(store), m_gather(gather), m_timer(io) {}

asio::awaitable<bool> GroupCommit::commit(StepCommit step) {
  if (m_refused) std::rethrow_exception(m_refused);
  auto waiter = std::make_shared<Waiter>(m_io, std::move(step));
  m_waiting.push_back(waiter);
  schedule();
  while (!waiter->settled) {
    boost::system::error_code ignored;
    co_await waiter->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (waiter->outcome.error) std::rethrow_exception(waiter->outcome.error);
  co_return waiter->outcome.written;
}

void GroupCommit::finish(IntentFinish finish) {
  m_finished.push_back(std::move(finish));
  schedule();
}

void GroupCommit::schedule() {
  if (m_scheduled) return;
  m_scheduled = true;
  auto flush_now = [this] {
    m_scheduled = false;
    write_group();  // a refused COMMIT reaches the drives, or flush()
  };
  if (m_gather <= Millis(0)) {
    asio::post(m_io, flush_now);
    return;
  }
  m_timer.expires_after(m_gather);
  m_timer.async_wait([flush_now](const boost::system::error_code& error) {
    if (error != asio::error::operation_aborted) flush_now();  // aborted: flush() came first
  });
}

void GroupCommit::flush() {
  m_scheduled = false;
  m_timer.cancel();
  write_group();
  if (m_refused) std::rethrow_exception(m_refused);
}

void GroupCommit::write_group() {
  if (m_waiting.empty() && m_finished.empty()) return;
  std::vector<std::shared_ptr<Waiter>> waiting = std::move(m_waiting);
  std::vector<IntentFinish> finished = std::move(m_finished);
  m_waiting.clear();
  m_finished.clear();
  std::vector<StepCommit> steps;
  steps.reserve(waiting.size());
  for (const auto& waiter : waiting) steps.push_back(waiter->step);
  std::vector<StepCommitted> outcomes;
  try {
    outcomes = m_store.commit_steps(finished, steps);
    ++m_figures.groups;
  } catch (...) {
    // The COMMIT was refused (a full disk): nothing of the group is written.
    m_refused = std::current_exception();
    outcomes.assign(waiting.size(), StepCommitted{false, m_refused});
  }
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    waiting[i]->outcome = outcomes[i];
    waiting[i]->settled = true;
    waiting[i]->done.cancel();
    if (outcomes[i].written) ++m_figures.steps;
  }
}

}  // namespace passage
