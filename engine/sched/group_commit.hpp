#pragma once
// Group commit for the runner (issue 15): the steps that accounts' drives
// ask to commit while the loop is busy are written together, in one SQLite
// transaction (Store::commit_steps), instead of one transaction each.
//
// The durability rule does not change: a drive resumes from commit() only
// once the transaction holding its step has committed, so every side
// effect it performs next (a POST, a notice) has its intent on disk first,
// and each step is still a compare-and-set on its account's version read
// inside that transaction (a hold committed before it wins).

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/store/store.hpp"

namespace passage {

// How long the first step of a group waits for other drives' steps before
// their transaction is written, once at least k_gather_from_drives drives
// are active (the runner; passage-bench-calls, 50 in flight, likewise).
// Fewer drives gather only the steps asked for in the same turn of the
// loop, with no wait: a small run gains little and would only wait. With
// 2,000 export accounts on the simulator at 500 requests/s, 10 ms makes
// groups of 7.5 steps instead of 1.1 (BENCHMARKS.md, "Group commit
// round").
inline constexpr Millis k_busy_gather{10};
inline constexpr std::size_t k_gather_from_drives = 16;

class GroupCommit {
 public:
  // `gather`: how long the first step of a group waits for others; zero
  // gathers only the steps asked for in the same turn of the loop.
  GroupCommit(boost::asio::io_context& io, Store& store, Millis gather);
  // From the next group on (the runner gathers only when busy).
  void set_gather(Millis gather) { m_gather = gather; }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Commits `step` with the others gathered; resumes once the transaction
  // holding it has committed. True when written, false when stale (the
  // account changed since it was read: nothing written). Throws what its
  // own write or the COMMIT threw; after a refused COMMIT every later
  // call throws the same at once (the run stops).
  boost::asio::awaitable<bool> commit(StepCommit step);

  // An intent's outcome, written with the next group; nobody waits for it.
  // Lost with a crash before that, the intent stays open, which the next
  // run reconciles as "may have happened", as if the crash came before
  // the answer.
  void finish(IntentFinish finish);

  // Writes what is gathered now, and the outcomes: at the end of a run.
  // Throws when this or an earlier group's COMMIT was refused.
  void flush();

  // Transactions committed and steps written through them (BENCHMARKS.md).
  struct Figures {
    long groups = 0;
    long steps = 0;
  };
  Figures figures() const { return m_figures; }

 private:
  struct Waiter;
  void schedule();
  // One transaction for everything gathered; never throws: a refused
  // COMMIT is kept in m_refused and handed to the group's drives.
  void write_group();

  boost::asio::io_context& m_io;
  Store& m_store;
  Millis m_gather;
  boost::asio::steady_timer m_timer;
  bool m_scheduled = false;
  std::vector<std::shared_ptr<Waiter>> m_waiting;
  std::vector<IntentFinish> m_finished;
  std::exception_ptr m_refused;
  Figures m_figures;
};

}  // namespace passage
