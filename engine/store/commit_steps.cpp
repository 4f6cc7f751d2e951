// Store::commit_steps: several accounts' steps in one SQLite transaction
// (group commit, issue 15). Store::commit is the group of one.

#include <functional>

#include "engine/store/journal.hpp"
#include "engine/store/store.hpp"

namespace passage {

namespace {

// Makes the commits made while it lives durable against a power cut
// (PRAGMA synchronous=FULL), when asked to.
class DurableCommit {
 public:
  DurableCommit(Database& db, bool durable) : m_db(db), m_durable(durable) {
    if (m_durable) m_db.exec("PRAGMA synchronous=FULL");
  }
  ~DurableCommit() {
    if (!m_durable) return;
    try {
      m_db.exec("PRAGMA synchronous=NORMAL");
    } catch (...) {
      // Staying at FULL is only slower.
    }
  }
  DurableCommit(const DurableCommit&) = delete;
  DurableCommit& operator=(const DurableCommit&) = delete;

 private:
  Database& m_db;
  bool m_durable;
};

// Remote side effects that must never happen twice need their intent on
// disk before they are sent; a notice lost with a power cut is only resent
// with its Message-ID.
bool needs_durable_commit(const std::vector<StepCommit>& steps) {
  for (const StepCommit& step : steps)
    if (step.intent && step.intent->kind != "notice") return true;
  return false;
}

// One step of a group: written whole or not at all. Alone in its
// transaction it needs no savepoint: a failed write leaves nothing to
// commit, and the transaction is rolled back.
StepCommitted write_whole_or_nothing(Database& db, bool alone, const std::function<bool()>& write) {
  StepCommitted result;
  if (!alone) db.cached("SAVEPOINT step").run();
  try {
    result.written = write();
  } catch (...) {
    result.error = std::current_exception();
    if (!alone) db.cached("ROLLBACK TO step").run();
  }
  if (!alone) db.cached("RELEASE step").run();
  return result;
}

}  // namespace

bool Store::write_step(const StepCommit& step) {
  // Compare-and-set: the snapshot `before` was read at some version; a
  // commit by anyone else since (a support action, another command) makes
  // it stale, and nothing is written.
  Account next = step.transition.next;
  next.id = step.before.id;
  next.version = step.before.version;
  if (!write_account(next, step.now)) return false;
  const Transition& transition = step.transition;
  if (!transition.journal_kind.empty())
    append_journal(m_db, step.now, step.actor, step.before.id, transition.journal_kind,
                   transition.journal_detail);
  if (step.intent) insert_intent(step.before, *step.intent, step.now, step.actor);
  return true;
}

void Store::write_finish(const IntentFinish& finish) {
  if (finish.key.empty())
    finish_open_intents(finish.account_id, finish.kind, finish.outcome, finish.now);
  else
    finish_intent(finish.key, finish.outcome, finish.now);
}

std::vector<StepCommitted> Store::commit_steps(const std::vector<IntentFinish>& finished,
                                               const std::vector<StepCommit>& steps) {
  DurableCommit durable(m_db, needs_durable_commit(steps));
  Transaction transaction(m_db);
  for (const IntentFinish& finish : finished) write_finish(finish);
  const bool alone = finished.empty() && steps.size() == 1;
  std::vector<StepCommitted> results;
  results.reserve(steps.size());
  bool any_written = !finished.empty();
  for (const StepCommit& step : steps) {
    results.push_back(write_whole_or_nothing(m_db, alone, [&] { return write_step(step); }));
    any_written = any_written || results.back().written;
  }
  // Nothing to write (every step stale or failed): the transaction is
  // rolled back, as a lone stale commit always was.
  if (any_written) transaction.commit();
  return results;
}

}  // namespace passage
