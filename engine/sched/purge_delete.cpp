// The deletion of one account by the night's purge: write-ahead DELETE
// intent, the stuck-flag repair, the outcome read back.
#include "engine/sched/purge_night.hpp"

namespace passage {

// The stuck `deleting` flag (COZY.md): assumed only when our own DELETE
// intent is older than delete_timeout and the stack still shows the
// flag. Then PATCH Deleting=false, once per account per night. Returns
// false when the repair failed (the account is then held).
asio::awaitable<bool> PurgeNight::repair_stuck_flag(const Account& account, bool& repaired, PurgeReport& report) {
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
std::optional<Account> PurgeNight::still_deletable(const Account& account) {
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
asio::awaitable<void> PurgeNight::remove(Account account, PurgeReport& report) {
  bool repaired = false;
  if (!co_await repair_stuck_flag(account, repaired, report)) co_return;
  Backend& backend = *m_stacks.at(account.stack).backend;
  std::optional<Failure> last;
  for (int attempt = 0; attempt < std::max(1, m_config.retry_budget); ++attempt) {
    if (last) co_await backoff(*last, attempt - 1);
    if (m_stopping) {
      // Stopped by a signal: no new DELETE; the account stays due.
      ++report.deferred;
      report.list("deferred", account, "purge stopped by a signal: a later night");
      co_return;
    }
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
      // databases one by one, then the files: still there after a lost
      // answer, the deletion may be under way even with the flag off and
      // every database still answering (DeleteAllDBs has not reached the
      // ones we read yet), or have failed there (resumed by a later purge).
      // Never sent again tonight while the stack may be at it.
      if (unknown) {  // still there, or not readable: never sent again tonight
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
// request left) and the instance still there or not readable: cozy-stack's
// Destroy may be running (`deleting` set, or the flag off while it removes
// the databases, from before any the admin routes read) and goes on after
// the client gives up. Another DELETE now would be refused ("already
// requested") or start a second Destroy, so none is sent tonight; the
// intent stays open (support actions are refused: the deletion may still
// happen) and a later purge reads the instance back once delete_timeout
// has passed (read_back_open_delete): gone, it is recorded as our
// deletion; still there, the intent is closed with what the stack shows
// and the account decided again. Nothing is recorded as deleted here.
void PurgeNight::leave_under_way(const Account& account, const Failure& failure, PurgeReport& report) {
  m_store.journal(m_clock.now(), m_options.actor, account.id, "delete_unanswered",
                  "DELETE " + account.domain + ": " + failure.reason +
                      "; the instance is still there (or unreadable) and the stack may still be deleting it: read back at the "
                      "next purge");
  ++report.delete_failed;  // not seen done tonight: the night is degraded
}

void PurgeNight::settle_deleted(const Account& account, PurgeReport& report) {
  if (record(account, Event{EventKind::purged})) {
    ++report.deleted;
    report.list("deleted", account);
  }
}

asio::awaitable<void> PurgeNight::backoff(const Failure& failure, int attempt) {
  Millis delay = retry_delay(failure.retry_after, attempt, std::chrono::seconds(1),
                             approximate_length(m_config.idle_horizon), uniform());
  asio::steady_timer timer(m_io, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace passage
