// One night's purge: the interlocks read for every due account, the breaker,
// the verdicts applied (engine/sched/purge_night.hpp).
#include "engine/sched/purge.hpp"

#include "engine/sched/purge_night.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "engine/archive/archive_paths.hpp"
#include "engine/sched/notice_once.hpp"

namespace passage {

namespace {

std::string join_reasons(const std::vector<std::string>& reasons) {
  std::string text;
  for (const std::string& reason : reasons) text += (text.empty() ? "" : "; ") + reason;
  return text;
}

}  // namespace

void sort_for_purge(std::vector<Account>& due) {
  std::sort(due.begin(), due.end(), [](const Account& a, const Account& b) {
    const Instant a_end = a.grace_end.value_or(Instant{});
    const Instant b_end = b.grace_end.value_or(Instant{});
    return a_end != b_end ? a_end < b_end : a.id < b.id;
  });
}

PurgeReport PurgeNight::run() {
  PurgeReport report;
  report.dry_run = m_options.dry_run;
  report.directory_check = m_config.directory.has_value();
  auto breaker = m_store.breaker();
  if (breaker.tripped) {
    report.tripped = true;
    report.reason = breaker.reason + " (reset with: passage purge --reset-breaker --by NAME)";
    return report;
  }
  end_graces();
  std::vector<Account> due = due_in_purge_order();
  report.due = static_cast<int>(due.size());
  std::vector<PurgeVerdict> verdicts = check_all(due);
  if (m_stopping) {
    // Stopped while the interlocks were being read: nothing is decided.
    report.stopped = true;
    return report;
  }
  int counted = 0;
  for (const PurgeVerdict& verdict : verdicts)
    if (!verdict.interlock.empty()) {
      ++counted;
      ++report.interlock_failures[verdict.interlock];
    }
  double allowed = std::max(1.0, m_config.purge.max_fraction * report.due);
  if (counted > allowed) {
    report.tripped = true;
    report.reason = std::to_string(counted) + " of " + std::to_string(report.due) +
                    " due accounts failed an interlock (more than " +
                    std::to_string(static_cast<int>(allowed)) + " allowed)";
    if (m_directory && !m_directory->error().empty())
      report.reason += "; directory: " + m_directory->error();
    if (!m_options.dry_run) m_store.set_breaker(true, report.reason, m_clock.now(), m_options.actor);
    return report;
  }
  apply_verdicts(verdicts, report);
  report.stopped = m_stopping;
  report.local_write_errors = m_local_write_errors;
  probe_untouched(report);
  return report;
}

void PurgeNight::end_graces() {
  Instant now = m_clock.now();
  for (const Account& account : m_store.in_state(State::grace)) {
    // The GRACE timer also fires for reminders (run's job): only the
    // graces that ended are the purge's.
    if (!account.grace_end || *account.grace_end > now || m_options.dry_run) continue;
    apply_and_commit(m_store, account, Event{EventKind::grace_ended}, now, policy(account),
                     m_options.actor);
  }
  if (m_options.dry_run) {
    // Dry run: count the graces that would end as due too.
    m_pretend_due.clear();
    for (const Account& account : m_store.in_state(State::grace))
      if (account.grace_end && *account.grace_end <= now) m_pretend_due.push_back(account);
  }
}

// Runs the coroutines spawned until they all end. A SIGINT or SIGTERM
// meanwhile stops new work (m_stopping: no DELETE starts after it, the
// night's decisions are not applied if they were still being read);
// what is in flight ends as it would. A second signal leaves it as a
// crash would (intents open, read back by the next purge).
void PurgeNight::run_io() {
  asio::signal_set signals(m_io, SIGINT, SIGTERM);
  m_signals = &signals;
  await_signal();
  if (m_running == 0) signals.cancel();
  m_io.run();
  m_io.restart();
  m_signals = nullptr;
  if (m_error) std::rethrow_exception(std::exchange(m_error, nullptr));
}

void PurgeNight::await_signal() {
  m_signals->async_wait([this](const boost::system::error_code& error, int) {
    if (error) return;
    if (m_stopping) {
      m_io.stop();
      return;
    }
    m_stopping = true;
    await_signal();
  });
}

// The due accounts, the graces a dry run pretends ended among them, in
// the order max_per_run cuts (sort_for_purge), one for the dry run and
// the night.
std::vector<Account> PurgeNight::due_in_purge_order() {
  std::vector<Account> due = m_store.in_state(State::purge_due);
  for (Account& account : m_pretend_due) {
    account.state = State::purge_due;
    due.push_back(account);
  }
  sort_for_purge(due);
  return due;
}

std::vector<PurgeVerdict> PurgeNight::check_all(std::vector<Account>& due) {
  std::vector<PurgeVerdict> verdicts(due.size());
  for (std::size_t i = 0; i < due.size(); ++i)
    asio::co_spawn(m_io, check(due[i], verdicts[i]), keep_error());
  run_io();
  return verdicts;
}

// With `archive` delivery, every verified part is still in the archive,
// whole: a folder cleaned by hand, a disk restored from an older backup
// (or one that zero-fills what it could not read), or a part cut by a
// power failure after it was verified would otherwise leave the person
// nothing once the space is deleted. Whole means its verified size, and
// a zip whose central directory lists as many entries as were verified,
// each with its local header: kilobytes an entry, where a hash would
// read every part of every space due that night again.
asio::awaitable<bool> PurgeNight::archive_kept(const Account& account) {
  if (account.delivery != "archive" || account.evidence.kind != "export") co_return true;
  if (!m_stacks.at(account.stack).backend->keeps_parts()) co_return true;
  for (const PartEvidence& part : account.evidence.parts) {
    auto path = archived_part(m_config.export_.archive_dir, account.domain, account.id,
                              account.evidence.export_id, part.n);
    std::error_code error;
    if (!path || std::filesystem::file_size(*path, error) != static_cast<std::uintmax_t>(part.bytes) || error)
      co_return false;
    if (co_await m_parts.count_entries(*path) != part.entries) co_return false;
  }
  co_return true;
}

// The interlocks read here, not on the stack: the evidence, the archive,
// the directory. Empty when none holds the account.
asio::awaitable<std::string> PurgeNight::local_interlock(const Account& account) {
  if (!evidence_intact(account.evidence)) co_return "evidence_missing";
  // The archive is the person's only copy once the space is gone.
  if (!co_await archive_kept(account)) co_return "evidence_missing";
  if (m_directory) {
    // A blocking lookup on this thread: backend reads in flight wait meanwhile.
    DirectoryStatus status = m_directory->status(account.login);
    if (status != DirectoryStatus::departed) co_return std::string("directory_") + status_name(status);
  }
  co_return "";
}

asio::awaitable<void> PurgeNight::check(Account account, PurgeVerdict& verdict) {
  verdict.account = account;
  if (m_stopping) {
    // Stopped: run() decides nothing tonight; no archive is read.
    verdict.unreadable = true;
    co_return;
  }
  Instant now = m_clock.now();
  // A DELETE of ours left without outcome is read back first: the space
  // may be gone already, and holding it would say it was not deleted
  // (and a release would mail the person a new date).
  const bool open_delete = account.delete_in_flight;
  if (!open_delete && !evidence_intact(account.evidence)) {
    verdict.interlock = "evidence_missing";
    co_return;
  }
  if (!account.grace_end || *account.grace_end > now) {
    // A clock behind the one that made it due: a later night's.
    verdict.not_yet = true;
    co_return;
  }
  if (!open_delete) {
    verdict.interlock = co_await local_interlock(account);
    if (!verdict.interlock.empty()) co_return;
  }
  if (paused_too_long(account.stack)) {
    // The stack asked to be left alone longer than a night waits: a
    // later night reads it.
    verdict.unreadable = true;
    co_return;
  }
  Backend& backend = *m_stacks.at(account.stack).backend;
  auto info = co_await read_with_retries([&] { return backend.lookup(account.domain); });
  if (!info.ok() && info.failure().reason.starts_with(k_domain_alias)) {
    // The listed domain is an alias: a DELETE would destroy the main one.
    verdict.interlock = std::string(k_domain_alias);
    co_return;
  }
  if (!info.ok()) {
    verdict.unreadable = true;
    co_return;
  }
  if (!info.value().exists) {
    verdict.gone = true;
    // A DELETE of ours left without outcome (a crash, a timeout) did it.
    verdict.ours = account.delete_in_flight || sent_delete(account);
    co_return;
  }
  if (account.delete_in_flight) {
    if (!co_await read_back_open_delete(backend, info.value(), verdict)) co_return;
    account = verdict.account;  // as the read-back left it (intent closed, holds voided)
    // That DELETE did not happen: what holds any other account holds this one.
    verdict.interlock = co_await local_interlock(account);
    if (!verdict.interlock.empty()) co_return;
  }
  if (!account.hold_reasons.empty() && account.state != State::held) {
    verdict.pending_hold = account.hold_reasons.front();
    co_return;
  }
  if (info.value().blocked && !own_block(account, info.value().blocking_reason)) {
    verdict.interlock = "blocked_by_other";
    co_return;
  }
  auto activity = co_await read_with_retries([&] { return backend.last_activity(account.domain); });
  if (!activity.ok()) {
    if (activity.failure().kind == FailureKind::not_found && sent_delete(account) &&
        co_await databases_gone(backend, account.domain)) {
      verdict.half_deleted = true;
      co_return;
    }
    verdict.unreadable = true;
    co_return;
  }
  verdict.stale = activity_after_evidence(account, activity.value());
  if (!verdict.stale) co_await check_files_unchanged(backend, verdict);
}

// A konnector, a sharing or a sync client can write without a login that
// last-activity shows: the space's files and versions must still add up
// to the evidence's disk usage, else the archive (or the move's target)
// lacks them. Unreadable: not deleted tonight.
asio::awaitable<void> PurgeNight::check_files_unchanged(Backend& backend, PurgeVerdict& verdict) {
  if (!verdict.account.evidence.usage) co_return;
  auto usage = co_await read_with_retries([&] { return backend.disk_usage(verdict.account.domain); });
  if (!usage.ok()) {
    // io.cozy.files gone after a DELETE of ours (last-activity's
    // databases come later in _all_dbs order): deleted again.
    if (usage.failure().kind == FailureKind::not_found && sent_delete(verdict.account))
      verdict.half_deleted = true;
    else
      verdict.unreadable = true;
    co_return;
  }
  if (auto changed = files_changed_since(verdict.account.evidence, usage.value())) {
    verdict.stale = true;
    verdict.files_changed = *changed;
  }
}

// A DELETE of ours left without outcome by an earlier purge (a crash, a
// lost answer), the instance still there. cozy-stack's Destroy sets
// `deleting`, cleans up, clears the flag, then removes the databases one
// by one and the files (COZY.md, DELETE), and goes on after the client
// gave up: for a while nothing tells a removal under way from one that
// never started. The account waits (under_way: no second DELETE, no
// support action applied) until the next night at the earliest
// (unanswered_delete_settle). Then the intent is closed with what the
// stack shows:
// - `deleting` still set: a Destroy that failed in its clean-up (nothing
//   removed yet): a pending hold applies, else the flag is repaired before
//   the next DELETE (repair_stuck_flag);
// - io.cozy.files gone: a removal stopped midway, the person's files
//   already gone: holds kept pending are void (the desk was told they
//   apply only if the DELETE does not happen) and the space is deleted
//   again;
// - io.cozy.files there: the files are intact, taken as a DELETE that did
//   not happen (a pending hold applies). Earlier databases in _all_dbs
//   order may be gone: no admin route reads them.
// False when the account waits.
asio::awaitable<bool> PurgeNight::read_back_open_delete(Backend& backend, const InstanceInfo& info,
                                                        PurgeVerdict& verdict) {
  const Account& account = verdict.account;
  const auto intent = m_store.latest_intent(account.id, "delete");
  const Instant now = m_clock.now();
  if (!intent || now - intent->created_at < unanswered_delete_settle(account)) {
    verdict.under_way = true;
    co_return false;
  }
  std::string outcome = "not_deleted (instance and its files still there)";
  bool files_gone = false;
  if (info.deleting) {
    outcome = "failed: the stack's deleting flag still set the next night";
  } else if (co_await databases_gone(backend, account.domain)) {
    outcome = "failed: the stack's removal stopped midway (io.cozy.files gone)";
    files_gone = true;
  }
  if (m_options.dry_run) {
    verdict.account.delete_in_flight = false;
    if (files_gone) verdict.account.hold_reasons.clear();
    co_return true;
  }
  m_store.finish_open_intents(account.id, "delete", outcome, now);
  if (files_gone) void_pending_holds(account.id);
  auto fresh = m_store.account(account.id);
  if (fresh) verdict.account = *fresh;
  co_return true;
}

// Twice delete_timeout from the DELETE (the purge that sent it waited
// delete_timeout for the answer; the stack gets as long again), and never
// before the next night: a Destroy is not taken for stuck, nor for one
// that never started, by a purge run again the same night.
Millis PurgeNight::unanswered_delete_settle(const Account& account) const {
  const Millis twice_timeout = 2 * approximate_length(m_stacks.at(account.stack).config->delete_timeout);
  return std::max<Millis>(twice_timeout, std::chrono::hours(12));
}

// Holds kept pending behind a DELETE that did remove the space's files:
// void, journaled, the deletion is finished.
void PurgeNight::void_pending_holds(std::int64_t account_id) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto fresh = m_store.account(account_id);
    if (!fresh || fresh->state == State::held || fresh->hold_reasons.empty()) return;
    Transition transition{*fresh, {}, "support",
                          "holds kept pending void (" + join_reasons(fresh->hold_reasons) +
                              "): our DELETE already removed the space's files; the deletion is finished"};
    transition.next.hold_reasons.clear();
    if (m_store.commit(*fresh, transition, m_clock.now(), m_options.actor, std::nullopt)) return;
  }
}

// cozy-stack's Destroy clears `deleting` before it removes the databases
// and files (COZY.md, DELETE): when that fails, the instance still
// answers, flag off, but whatever reads its own databases answers 404
// (last-activity, disk-usage), not the 500 of an unknown instance. A
// transient 404 of last-activity alone is not taken for it.
asio::awaitable<bool> PurgeNight::databases_gone(Backend& backend, const std::string& domain) {
  auto usage = co_await read_with_retries([&] { return backend.disk_usage(domain); });
  co_return !usage.ok() && usage.failure().kind == FailureKind::not_found;
}

bool PurgeNight::paused_too_long(const std::string& stack) const {
  const auto until = m_stacks.at(stack).gate->paused_until();
  return until > std::chrono::steady_clock::now() + approximate_length(m_config.idle_horizon);
}

// A block Passage recorded itself (CONTRACT.md "Passage's own blocks");
// a MOVED block on an admin move's source predates that record.
bool PurgeNight::own_block(const Account& account, const std::string& reason) {
  if (!account.own_block.empty()) return reason == account.own_block;
  return account.admin_move && account.evidence.kind == "moved" && reason == "MOVED";
}

// A DELETE of ours reached the stack, whatever it answered (a 500 with
// the deletion going on, a timeout, a crash before the answer).
bool PurgeNight::sent_delete(const Account& account) {
  auto previous = m_store.latest_intent(account.id, "delete");
  return previous && !previous->outcome.starts_with("not_deleted");
}

// Commits `event` as a compare-and-set: a support action committed since
// the account was read is never overwritten (the event is decided again
// on the fresh row). True when the event was committed.
bool PurgeNight::record(const Account& account, const Event& event) {
  if (m_options.dry_run) return true;  // what would be committed
  StepResult result =
      apply_and_commit(m_store, account, event, m_clock.now(), policy(account), m_options.actor);
  return std::holds_alternative<Transition>(result);
}

void PurgeNight::apply_verdicts(std::vector<PurgeVerdict>& verdicts, PurgeReport& report) {
  std::vector<Account> deletable;
  std::vector<Account> to_tell;  // deleted by a DELETE of ours whose answer was lost
  for (const PurgeVerdict& verdict : verdicts) {
    if (verdict.not_yet) {
      ++report.not_yet;
      report.list("not_yet", verdict.account, "grace not ended by this purge's clock");
    } else if (verdict.under_way) {
      ++report.deferred;
      report.list("deferred", verdict.account,
                  "a DELETE of ours may still be running on the stack: read back from the next night");
    } else if (!verdict.pending_hold.empty()) {
      Event held{EventKind::hold};
      held.detail = verdict.pending_hold;
      if (record(verdict.account, held)) {
        ++report.held;
        report.list("held", verdict.account, verdict.pending_hold);
      }
    } else if (verdict.unreadable) {
      ++report.unreadable;
      report.list("unreadable", verdict.account, "the stack did not answer its reads");
    } else if (!verdict.interlock.empty()) {
      hold(verdict.account, verdict.interlock, report);
    } else if (verdict.gone) {
      if (settle_gone(verdict.account, verdict.ours, report)) to_tell.push_back(verdict.account);
    } else if (verdict.half_deleted) {
      if (!m_options.dry_run)
        m_store.journal(m_clock.now(), m_options.actor, verdict.account.id, "delete_resumed",
                        "DELETE " + verdict.account.domain +
                            ": an earlier DELETE of ours removed its databases and failed; deleting again");
      m_resumed.insert(verdict.account.id);
      deletable.push_back(verdict.account);
    } else if (verdict.stale) {
      Event stale{EventKind::activity_stale};
      if (!verdict.files_changed.empty()) stale.detail = std::string(k_files_changed);
      record(verdict.account, stale);
      ++report.reexport;
      report.list("reexport", verdict.account,
                  verdict.files_changed.empty() ? "activity after the export"
                                                : "files changed since the evidence: " + verdict.files_changed);
    } else {
      deletable.push_back(verdict.account);
    }
  }
  int allowed = std::max(0, m_config.purge.max_per_run);
  if (static_cast<int>(deletable.size()) > allowed) {
    report.deferred += static_cast<int>(deletable.size()) - allowed;
    for (std::size_t i = static_cast<std::size_t>(allowed); i < deletable.size(); ++i)
      report.list("deferred", deletable[i], "over purge.max_per_run: a later night");
    deletable.resize(static_cast<std::size_t>(allowed));
  }
  if (m_options.dry_run) {
    report.deleted += static_cast<int>(deletable.size());
    for (const Account& account : deletable) report.list("deleted", account);
    return;
  }
  for (UnsentNotice& notice : unsent_notices(m_store.db(), "deletion_done"))
    asio::co_spawn(m_io, tell_deleted_again(std::move(notice)), keep_error());
  for (const Account& account : to_tell) asio::co_spawn(m_io, tell_deleted(account), keep_error());
  for (const Account& account : deletable)
    asio::co_spawn(m_io, remove(account, report), keep_error());
  run_io();
}

void PurgeNight::hold(const Account& account, const std::string& reason, PurgeReport& report) {
  Event held{EventKind::interlock_failed};
  held.detail = reason;
  if (record(account, held)) {
    ++report.held;
    report.list("held", account, reason);
  }
}

// The instance is gone. After a DELETE of ours whose answer was lost (a
// crash, a timeout) it is our deletion: PURGED deleted, and the person
// is told. Otherwise someone else removed it: already_gone.
// True when the person is to be told of the deletion.
bool PurgeNight::settle_gone(const Account& account, bool ours, PurgeReport& report) {
  if (!ours) {
    if (record(account, Event{EventKind::already_gone})) {
      ++report.already_gone;
      report.list("already_gone", account);
    }
    return false;
  }
  if (m_options.dry_run) {
    ++report.deleted;
    report.list("deleted", account);
    return false;
  }
  // Recorded PURGED before the intent is closed: until then no support
  // action can slip in ("a deletion is under way").
  bool recorded = record(account, Event{EventKind::purged});
  m_store.finish_open_intents(account.id, "delete", "deleted (instance gone)", m_clock.now());
  if (!recorded) return false;
  ++report.deleted;
  report.list("deleted", account);
  return true;
}

PurgeReport purge_night(const Config& config, Store& store, const Clock& clock,
                        const PurgeOptions& options) {
  PurgeNight purge(config, store, clock, options);
  PurgeReport report = purge.run();
  report.dry_run = options.dry_run;
  return report;
}

}  // namespace passage
