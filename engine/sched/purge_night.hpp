#pragma once
// One night's purge, shared by its parts (engine/sched/purge.hpp says what
// it does): purge.cpp reads the interlocks and applies the verdicts;
// purge_delete.cpp deletes one account; purge_probes.cpp reaches what the
// night did not call and sends the deletion notices. Internal: only those
// files include it.

#include <algorithm>
#include <exception>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/archive/zip_check.hpp"
#include "engine/notices/notices.hpp"
#include "engine/sched/backoff.hpp"
#include "engine/sched/purge.hpp"
#include "engine/sched/stacks.hpp"
#include "engine/store/apply_commit.hpp"
#include "engine/store/unsent_notices.hpp"
#include "plugins/registry.hpp"

namespace passage {

namespace asio = boost::asio;

// Held: a half-deleted instance whose DELETE fails again.
inline constexpr std::string_view k_delete_incomplete = "delete_incomplete";

// What the interlock reads found for one due account.
struct PurgeVerdict {
  Account account;
  std::string interlock;  // a counted failure, empty when none
  bool stale = false;     // activity after the export: export again
  std::string files_changed;  // ...or files changed since it, without activity: what changed
  bool gone = false;      // the instance no longer exists
  bool ours = false;      // ...and a DELETE of ours may have done it
  bool unreadable = false;
  // Half deleted by a DELETE of ours: it answers, without `deleting`, but
  // its databases are gone (last-activity and disk-usage 404): deleted
  // again, once, without the activity check it can no longer answer.
  bool half_deleted = false;
  bool not_yet = false;   // grace not ended by this clock: not a failure
  // A DELETE of ours sent too recently (unanswered_delete_settle), no
  // outcome, the instance still there: the stack may be removing it. A
  // later night.
  bool under_way = false;
  // A hold refused while a DELETE was under way (support.cpp,
  // keep_hold_pending) that did not happen: held now, never deleted.
  std::string pending_hold;
};

inline bool evidence_intact(const Evidence& evidence) {
  if (evidence.kind == "moved") return true;
  if (evidence.kind != "export" || evidence.parts.empty()) return false;
  return std::all_of(evidence.parts.begin(), evidence.parts.end(), [](const PartEvidence& part) {
    return part.sha256.size() == 64 && part.bytes > 0;
  });
}

class PurgeNight {
 public:
  PurgeNight(const Config& config, Store& store, const Clock& clock, const PurgeOptions& options)
      : m_config(config), m_store(store), m_clock(clock), m_options(options),
        m_stacks(build_stacks(m_io, config, clock)), m_notifier(make_notifier(config.notify, m_io)),
        m_directory(make_directory(config.directory)), m_random(std::random_device{}()) {
    restore_cooldowns(m_stacks, m_store);
  }

  ~PurgeNight() {
    try {
      save_buckets(m_stacks, m_store);
    } catch (...) {
      // Only the next command's first second is less smooth.
    }
  }

  PurgeReport run();
 private:
  void end_graces();
  const Policy& policy(const Account& account) { return m_stacks.at(account.stack).policy; }

  // A coroutine's exception (a commit the disk refused) is kept, never
  // swallowed: the others finish, then the purge stops with it, so the
  // command names it and exits non-zero (asio::detached would drop it).
  // It also counts the coroutines still running (run_io waits for them).
  auto keep_error() {
    ++m_running;
    return [this](std::exception_ptr error) {
      if (error && !m_error) m_error = error;
      if (--m_running == 0 && m_signals) m_signals->cancel();
    };
  }

  void run_io();
  void await_signal();
  void probe_untouched(PurgeReport& report);
  std::vector<Account> due_in_purge_order();
  std::vector<PurgeVerdict> check_all(std::vector<Account>& due);
  asio::awaitable<void> check(Account account, PurgeVerdict& verdict);
  asio::awaitable<bool> databases_gone(Backend& backend, const std::string& domain);
  asio::awaitable<bool> read_back_open_delete(Backend& backend, const InstanceInfo& info, PurgeVerdict& verdict);
  Millis unanswered_delete_settle(const Account& account) const;
  asio::awaitable<void> check_files_unchanged(Backend& backend, PurgeVerdict& verdict);
  asio::awaitable<bool> archive_kept(const Account& account);
  asio::awaitable<std::string> local_interlock(const Account& account);
  void void_pending_holds(std::int64_t account_id);
  bool paused_too_long(const std::string& stack) const;
  static bool own_block(const Account& account, const std::string& reason);
  bool sent_delete(const Account& account);
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

  bool record(const Account& account, const Event& event);
  void apply_verdicts(std::vector<PurgeVerdict>& verdicts, PurgeReport& report);
  void hold(const Account& account, const std::string& reason, PurgeReport& report);
  bool settle_gone(const Account& account, bool ours, PurgeReport& report);
  asio::awaitable<bool> repair_stuck_flag(const Account& account, bool& repaired, PurgeReport& report);
  std::optional<Account> still_deletable(const Account& account);
  asio::awaitable<void> remove(Account account, PurgeReport& report);
  void leave_under_way(const Account& account, const Failure& failure, PurgeReport& report);
  void settle_deleted(const Account& account, PurgeReport& report);
  asio::awaitable<void> backoff(const Failure& failure, int attempt);
  asio::awaitable<void> tell_deleted(const Account& account);
  asio::awaitable<void> tell_deleted_again(UnsentNotice notice);
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
  std::exception_ptr m_error;        // the first coroutine's exception (keep_error)
  int m_running = 0;                 // coroutines spawned and not ended (keep_error)
  asio::signal_set* m_signals = nullptr;  // while run_io runs
  bool m_stopping = false;           // a SIGINT or SIGTERM came: no new DELETE
  std::vector<std::string> m_local_write_errors;  // e.g. an outbox mail the disk refused
  // Reads archived parts off the loop (archive_kept); after m_io: destroyed first.
  ZipCheckPool m_parts{m_io, 2};
};

}  // namespace passage
