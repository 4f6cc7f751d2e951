#include "engine/sched/purge.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/notices/notices.hpp"
#include "engine/sched/notice_once.hpp"
#include "engine/sched/backoff.hpp"
#include "engine/sched/stacks.hpp"
#include "engine/store/apply_commit.hpp"
#include "engine/store/unsent_notices.hpp"
#include "plugins/registry.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

// Held: a half-deleted instance whose DELETE fails again.
constexpr std::string_view k_delete_incomplete = "delete_incomplete";

// What the interlock reads found for one due account.
struct Verdict {
  Account account;
  std::string interlock;  // a counted failure, empty when none
  bool stale = false;     // activity after the export: export again
  bool gone = false;      // the instance no longer exists
  bool ours = false;      // ...and a DELETE of ours may have done it
  bool unreadable = false;
  // Half deleted by a DELETE of ours: it answers, without `deleting`, but
  // its databases are gone (last-activity and disk-usage 404): deleted
  // again, once, without the activity check it can no longer answer.
  bool half_deleted = false;
  bool not_yet = false;   // grace not ended by this clock: not a failure
  // A hold refused while a DELETE was under way (support.cpp,
  // keep_hold_pending) that did not happen: held now, never deleted.
  std::string pending_hold;
};

bool evidence_intact(const Evidence& evidence) {
  if (evidence.kind == "moved") return true;
  if (evidence.kind != "export" || evidence.parts.empty()) return false;
  return std::all_of(evidence.parts.begin(), evidence.parts.end(), [](const PartEvidence& part) {
    return part.sha256.size() == 64 && part.bytes > 0;
  });
}

class Purge {
 public:
  Purge(const Config& config, Store& store, const Clock& clock, const PurgeOptions& options)
      : m_config(config), m_store(store), m_clock(clock), m_options(options),
        m_stacks(build_stacks(m_io, config, clock)), m_notifier(make_notifier(config.notify, m_io)),
        m_directory(make_directory(config.directory)), m_random(std::random_device{}()) {
    restore_cooldowns(m_stacks, m_store);
  }

  ~Purge() {
    try {
      save_buckets(m_stacks, m_store);
    } catch (...) {
      // Only the next command's first second is less smooth.
    }
  }

  PurgeReport run() {
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
    std::vector<Account> due = m_store.in_state(State::purge_due);
    std::sort(due.begin(), due.end(), [](const Account& a, const Account& b) {
      return a.grace_end.value_or(Instant{}) < b.grace_end.value_or(Instant{});
    });
    report.due = static_cast<int>(due.size());
    std::vector<Verdict> verdicts = check_all(due);
    int counted = 0;
    for (const Verdict& verdict : verdicts)
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
    probe_untouched(report);
    return report;
  }

 private:
  void end_graces() {
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

  const Policy& policy(const Account& account) { return m_stacks.at(account.stack).policy; }

  // Monitoring reads the night's reachability (CONTRACT.md exit 7,
  // passage_stack_up, passage_relay_up): a stack or relay this night did
  // not call (nothing due, no mail to send) is reached once, as `config
  // check` does; no answer, an error or a refused passphrase counts as not
  // answering. Those it did call are judged by their last call.
  void probe_untouched(PurgeReport& report) {
    std::vector<std::string> not_usable;
    bool relay_down = false;
    // A stack paused by a Retry-After answered, and asks to be left alone.
    const auto now = std::chrono::steady_clock::now();
    for (auto& [name, runtime] : m_stacks)
      if (!runtime.backend->answered_last() && runtime.gate->paused_until() <= now)
        asio::co_spawn(m_io, probe_stack(name, not_usable), asio::detached);
    if (m_notifier && !m_notifier->answered_last())
      asio::co_spawn(m_io, probe_relay(relay_down), asio::detached);
    m_io.run();
    m_io.restart();
    report.stacks_unreached = unreached_stacks(m_stacks);
    for (const std::string& name : not_usable)
      if (std::find(report.stacks_unreached.begin(), report.stacks_unreached.end(), name) ==
          report.stacks_unreached.end())
        report.stacks_unreached.push_back(name);
    report.relay_unreached = relay_down || (m_notifier && m_notifier->answered_last() == false);
  }

  static bool usable(const std::optional<ReachResult>& reach) {
    return !reach || reach->reach == Reach::answered;
  }

  // (The answer is named before it is tested: g++ 12 miscompiles a
  // co_await inside a function call's arguments here.)
  asio::awaitable<void> probe_stack(std::string name, std::vector<std::string>& not_usable) {
    std::optional<ReachResult> reach = co_await m_stacks.at(name).backend->check_reach();
    if (!usable(reach)) not_usable.push_back(name);
  }

  asio::awaitable<void> probe_relay(bool& down) {
    std::optional<ReachResult> reach = co_await m_notifier->check_reach();
    down = !usable(reach);
  }

  std::vector<Verdict> check_all(std::vector<Account>& due) {
    for (Account& account : m_pretend_due) {
      account.state = State::purge_due;
      due.push_back(account);
    }
    std::vector<Verdict> verdicts(due.size());
    for (std::size_t i = 0; i < due.size(); ++i)
      asio::co_spawn(m_io, check(due[i], verdicts[i]), asio::detached);
    m_io.run();
    m_io.restart();
    return verdicts;
  }

  asio::awaitable<void> check(Account account, Verdict& verdict) {
    verdict.account = account;
    Instant now = m_clock.now();
    if (!evidence_intact(account.evidence)) {
      verdict.interlock = "evidence_missing";
      co_return;
    }
    if (!account.grace_end || *account.grace_end > now) {
      // A clock behind the one that made it due: a later night's.
      verdict.not_yet = true;
      co_return;
    }
    if (m_directory) {
      // A blocking lookup on this thread: backend reads in flight wait meanwhile.
      DirectoryStatus status = m_directory->status(account.login);
      if (status != DirectoryStatus::departed) {
        verdict.interlock = std::string("directory_") + status_name(status);
        co_return;
      }
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
    if (account.delete_in_flight && !info.value().deleting && !m_options.dry_run) {
      // The space is still there and not being deleted: that DELETE did
      // not happen. The account is again open to support actions.
      m_store.finish_open_intents(account.id, "delete", "not_deleted (instance still there)", now);
      verdict.account.delete_in_flight = false;
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
  }

  // cozy-stack's Destroy clears `deleting` before it removes the databases
  // and files (COZY.md, DELETE): when that fails, the instance still
  // answers, flag off, but whatever reads its own databases answers 404
  // (last-activity, disk-usage), not the 500 of an unknown instance. A
  // transient 404 of last-activity alone is not taken for it.
  asio::awaitable<bool> databases_gone(Backend& backend, const std::string& domain) {
    auto usage = co_await read_with_retries([&] { return backend.disk_usage(domain); });
    co_return !usage.ok() && usage.failure().kind == FailureKind::not_found;
  }

  bool paused_too_long(const std::string& stack) const {
    const auto until = m_stacks.at(stack).gate->paused_until();
    return until > std::chrono::steady_clock::now() + approximate_length(m_config.idle_horizon);
  }

  // A block Passage recorded itself (CONTRACT.md "Passage's own blocks");
  // a MOVED block on an admin move's source predates that record.
  static bool own_block(const Account& account, const std::string& reason) {
    if (!account.own_block.empty()) return reason == account.own_block;
    return account.admin_move && account.evidence.kind == "moved" && reason == "MOVED";
  }

  // A DELETE of ours reached the stack, whatever it answered (a 500 with
  // the deletion going on, a timeout, a crash before the answer).
  bool sent_delete(const Account& account) {
    auto previous = m_store.latest_intent(account.id, "delete");
    return previous && !previous->outcome.starts_with("not_deleted");
  }

  // Retries a remote call with backoff within the retry budget (cap
  // idle_horizon); what is still failing is reported as such.
  template <class Call>
  auto read_with_retries(Call call) -> decltype(call()) {
    auto outcome = co_await call();
    for (int attempt = 0; !outcome.ok() && attempt + 1 < m_config.retry_budget; ++attempt) {
      const Failure& failure = outcome.failure();
      if (failure.kind != FailureKind::retryable && failure.kind != FailureKind::rate_limited) break;
      Millis delay = retry_delay(failure.retry_after, attempt, std::chrono::seconds(1),
                                 approximate_length(m_config.idle_horizon), uniform());
      asio::steady_timer timer(m_io, delay);
      co_await timer.async_wait(asio::use_awaitable);
      outcome = co_await call();
    }
    co_return outcome;
  }

  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(m_random); }

  // Commits `event` as a compare-and-set: a support action committed since
  // the account was read is never overwritten (the event is decided again
  // on the fresh row). True when the event was committed.
  bool record(const Account& account, const Event& event) {
    if (m_options.dry_run) return true;  // what would be committed
    StepResult result =
        apply_and_commit(m_store, account, event, m_clock.now(), policy(account), m_options.actor);
    return std::holds_alternative<Transition>(result);
  }

  void apply_verdicts(std::vector<Verdict>& verdicts, PurgeReport& report) {
    std::vector<Account> deletable;
    std::vector<Account> to_tell;  // deleted by a DELETE of ours whose answer was lost
    for (const Verdict& verdict : verdicts) {
      if (verdict.not_yet) {
        ++report.not_yet;
        report.list("not_yet", verdict.account, "grace not ended by this purge's clock");
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
        record(verdict.account, Event{EventKind::activity_stale});
        ++report.reexport;
        report.list("reexport", verdict.account, "activity after the export");
      } else {
        deletable.push_back(verdict.account);
      }
    }
    int allowed = std::max(0, m_config.purge.max_per_run);
    if (static_cast<int>(deletable.size()) > allowed) {
      report.deferred = static_cast<int>(deletable.size()) - allowed;
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
      asio::co_spawn(m_io, tell_deleted_again(std::move(notice)), asio::detached);
    for (const Account& account : to_tell) asio::co_spawn(m_io, tell_deleted(account), asio::detached);
    for (const Account& account : deletable)
      asio::co_spawn(m_io, remove(account, report), asio::detached);
    m_io.run();
    m_io.restart();
  }

  void hold(const Account& account, const std::string& reason, PurgeReport& report) {
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
  bool settle_gone(const Account& account, bool ours, PurgeReport& report) {
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

  // The stuck `deleting` flag (COZY.md): assumed only when our own DELETE
  // intent is older than delete_timeout and the stack still shows the
  // flag. Then PATCH Deleting=false, once per account per night. Returns
  // false when the repair failed (the account is then held).
  asio::awaitable<bool> repair_stuck_flag(const Account& account, bool& repaired, PurgeReport& report) {
    auto previous = m_store.latest_intent(account.id, "delete");
    Millis timeout = approximate_length(m_stacks.at(account.stack).config->delete_timeout);
    if (!previous || previous->outcome == "deleted" || m_clock.now() - previous->created_at <= timeout)
      co_return true;
    Backend& backend = *m_stacks.at(account.stack).backend;
    auto info = co_await read_with_retries([&] { return backend.lookup(account.domain); });
    if (!info.ok() || !info.value().exists || !info.value().deleting) co_return true;
    auto cleared = co_await read_with_retries([&] { return backend.clear_deleting(account.domain); });
    m_store.journal(m_clock.now(), m_options.actor, account.id, "deleting_flag_repaired",
                    cleared.ok() ? "PATCH Deleting=false after a deletion that failed midway"
                                 : "PATCH Deleting=false failed: " + cleared.failure().reason);
    if (!cleared.ok()) {
      hold(account, "delete_stuck", report);
      ++report.delete_failed;  // not deleted tonight: the night is degraded
      co_return false;
    }
    repaired = true;
    co_return true;
  }

  // The account as stored now, if it may still be deleted: PURGE_DUE (not
  // held, postponed or cancelled meanwhile) with its grace ended.
  std::optional<Account> still_deletable(const Account& account) {
    auto fresh = m_store.account(account.id);
    if (!fresh || fresh->state != State::purge_due) return std::nullopt;
    if (!fresh->hold_reasons.empty()) return std::nullopt;  // a hold kept pending
    if (!fresh->grace_end || *fresh->grace_end > m_clock.now()) return std::nullopt;
    return fresh;
  }

  // Write-ahead, before every attempt (retries included): the account is
  // read again and its DELETE intent committed as a compare-and-set in one
  // transaction, so a hold or postpone acknowledged before that commit
  // always wins, and none can be acknowledged after it while the DELETE is
  // in flight (they are refused: "a deletion is under way").
  asio::awaitable<void> remove(Account account, PurgeReport& report) {
    if (account.delete_in_flight) {
      // A DELETE left under way by an earlier night (leave_under_way): the
      // instance is still there, so it did not complete. Closed before a
      // new attempt, so that the account is open to support again once
      // this night is over.
      m_store.finish_open_intents(account.id, "delete", "unknown: no answer, instance still there later",
                                  m_clock.now());
      account.delete_in_flight = false;
    }
    bool repaired = false;
    if (!co_await repair_stuck_flag(account, repaired, report)) co_return;
    Backend& backend = *m_stacks.at(account.stack).backend;
    std::optional<Failure> last;
    for (int attempt = 0; attempt < std::max(1, m_config.retry_budget); ++attempt) {
      if (last) co_await backoff(*last, attempt - 1);
      auto fresh = still_deletable(account);
      if (!fresh) co_return;  // held, postponed or cancelled meanwhile
      std::string key = m_store.next_intent_key(*fresh, "delete");
      Transition intent_only{*fresh, {}, "", {}};
      if (!m_store.commit(*fresh, intent_only, m_clock.now(), m_options.actor, IntentSpec{"delete", key}))
        continue;  // changed between the read and the commit: read again
      account = *fresh;
      ++account.version;
      auto outcome = co_await backend.delete_instance(account.domain);
      if (outcome.ok()) {
        settle_deleted(account, report);  // PURGED first, then the intent closed
        m_store.finish_intent(key, "deleted", m_clock.now());
        co_await tell_deleted(account);
        co_return;
      }
      last = outcome.failure();
      bool unknown = last->kind == FailureKind::unknown_outcome;
      if (unknown || last->kind == FailureKind::not_found) {
        // Answer lost, or 404: is the space still there? Asked while the
        // intent is still open, so no support action slips in meanwhile.
        auto info = co_await read_with_retries([&] { return backend.lookup(account.domain); });
        if (info.ok() && !info.value().exists) {
          if (settle_gone(account, true, report)) co_await tell_deleted(account);
          co_return;
        }
        // cozy-stack's Destroy clears `deleting` before it removes the
        // databases and files: still there, flag off, databases gone is a
        // deletion still under way (or one that failed there, resumed by a
        // later purge). Never sent again while the stack may be at it.
        if (unknown && info.ok() &&
            (info.value().deleting || co_await databases_gone(backend, account.domain))) {
          leave_under_way(account, *last, report);
          co_return;
        }
      }
      m_store.finish_intent(key, (unknown ? "unknown: " : "failed: ") + last->reason, m_clock.now());
      if (last->kind == FailureKind::not_found) break;
      if (last->kind == FailureKind::permanent || repaired) break;
      if (last->kind != FailureKind::retryable && last->kind != FailureKind::rate_limited &&
          last->kind != FailureKind::unknown_outcome)
        break;
    }
    if (!last) co_return;
    // Held or left due, a deletion that failed tonight makes the night
    // degraded (exit 7): monitoring must see it either way.
    ++report.delete_failed;
    if (repaired) {
      hold(account, "delete_stuck", report);
    } else if (m_resumed.count(account.id)) {
      // Half deleted, and it fails again: a person must see to the stack.
      hold(account,
           std::string(k_delete_incomplete) + ": an earlier DELETE removed its databases and DELETE fails again (" +
               last->reason + "); once the stack's deletion is fixed, passage account release retries it",
           report);
    } else if (last->kind == FailureKind::permanent || last->kind == FailureKind::not_found) {
      hold(account, "delete_failed: " + last->reason, report);
    } else {
      // Not deleted tonight; a flag left stuck is repaired next night.
      Event failed{EventKind::failure};
      failed.failure = last->kind;
      failed.detail = last->reason;
      record(account, failed);
      report.list("failed", account, last->reason);
    }
  }

  // A DELETE without an answer (a timeout, a connection lost after the
  // request left) while the stack shows the deletion running (`deleting`
  // set, or flag off with its databases gone): cozy-stack's Destroy goes on
  // after the client gives up. Sending another DELETE now would be refused
  // ("already requested") or start a second Destroy, so none is sent tonight;
  // the intent stays open (support actions are refused: the deletion may
  // still happen) and a later purge reads the instance back: gone, it is
  // recorded as our deletion; still there, it is retried (a flag left
  // stuck is repaired first). Nothing is recorded as deleted here.
  void leave_under_way(const Account& account, const Failure& failure, PurgeReport& report) {
    m_store.journal(m_clock.now(), m_options.actor, account.id, "delete_unanswered",
                    "DELETE " + account.domain + ": " + failure.reason +
                        "; the stack shows the deletion running: read back at the next purge");
    ++report.delete_failed;  // not seen done tonight: the night is degraded
  }

  void settle_deleted(const Account& account, PurgeReport& report) {
    if (record(account, Event{EventKind::purged})) {
      ++report.deleted;
      report.list("deleted", account);
    }
  }

  asio::awaitable<void> backoff(const Failure& failure, int attempt) {
    Millis delay = retry_delay(failure.retry_after, attempt, std::chrono::seconds(1),
                               approximate_length(m_config.idle_horizon), uniform());
    asio::steady_timer timer(m_io, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }

  asio::awaitable<void> tell_deleted(const Account& account) {
    auto fresh = m_store.account(account.id);
    if (!fresh || !m_notifier) co_return;
    std::string id = message_id_for("deletion_done", *fresh,
                                    local_date(fresh->grace_end.value_or(m_clock.now()), m_config.zone));
    Transition intent_only{*fresh, {}, "", {}};
    m_store.commit(*fresh, intent_only, m_clock.now(), m_options.actor, IntentSpec{"notice", id});
    auto sent = co_await send_notice_once(m_store, *m_notifier, m_config, *fresh, "deletion_done", id,
                                          m_clock.now(), NoticeExtras{});
    // A failure is recorded as such; the next purge sends it again.
    if (!sent.ok() && sent.failure().kind != FailureKind::permanent)
      m_store.finish_intent(id, "failed: " + sent.failure().reason, m_clock.now());
  }

  // A deletion_done an earlier night could not send (the relay down, a
  // crash while sending): sent again with its Message-ID, each night until
  // the relay takes it or refuses it for good.
  asio::awaitable<void> tell_deleted_again(UnsentNotice notice) {
    auto account = m_store.account(notice.account_id);
    if (!account || account->state != State::purged || !m_notifier) co_return;
    auto sent = co_await send_notice_once(m_store, *m_notifier, m_config, *account, "deletion_done",
                                          notice.message_id, m_clock.now(), NoticeExtras{});
    if (!sent.ok() && sent.failure().kind != FailureKind::permanent)
      m_store.finish_intent(notice.message_id, "failed: " + sent.failure().reason, m_clock.now());
  }

  const Config& m_config;
  Store& m_store;
  const Clock& m_clock;
  PurgeOptions m_options;
  asio::io_context m_io;
  Stacks m_stacks;
  std::unique_ptr<Notifier> m_notifier;
  std::unique_ptr<Directory> m_directory;  // nullptr: the directory interlock is off
  std::mt19937_64 m_random;
  std::vector<Account> m_pretend_due;
  std::set<std::int64_t> m_resumed;  // half-deleted accounts deleted again tonight
};

}  // namespace

PurgeReport purge_night(const Config& config, Store& store, const Clock& clock,
                        const PurgeOptions& options) {
  Purge purge(config, store, clock, options);
  PurgeReport report = purge.run();
  report.dry_run = options.dry_run;
  return report;
}

}  // namespace passage
