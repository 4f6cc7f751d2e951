#include "engine/sched/date_notice.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/lifecycle/reminders.hpp"
#include "engine/notices/notices.hpp"
#include "engine/sched/notice_once.hpp"
#include "plugins/registry.hpp"

namespace passage {

namespace {

constexpr int k_max_stale_reads = 5;

// Commits `decide(account)` as a compare-and-set on the account as stored
// now, reading it again while someone else commits it meanwhile.
template <class Decide>
std::optional<Account> commit_fresh(Store& store, std::int64_t account_id, Instant now,
                                    const std::string& actor, const std::optional<IntentSpec>& intent,
                                    Decide decide) {
  for (int attempt = 0; attempt < k_max_stale_reads; ++attempt) {
    auto fresh = store.account(account_id);
    if (!fresh) return std::nullopt;
    std::optional<Transition> transition = decide(*fresh);
    if (!transition) return std::nullopt;
    if (store.commit(*fresh, *transition, now, actor, intent)) return transition->next;
  }
  return std::nullopt;
}

Outcome<Done> send(Store& store, const Config& config, const Account& account, const std::string& message_id,
                   Instant now) {
  boost::asio::io_context io;
  std::unique_ptr<Notifier> notifier = make_notifier(config.notify, io);
  if (!notifier) return Failure{FailureKind::permanent, "notifier " + config.notify.notifier + " is not available", {}};
  std::optional<Outcome<Done>> outcome;
  const NoticeExtras extras = export_link_extras(account);
  auto task = [&]() -> boost::asio::awaitable<void> {
    outcome = co_await send_notice_once(store, *notifier, config, account, "deletion_date_changed", message_id,
                                        now, extras);
  };
  boost::asio::co_spawn(io, task(), [&](std::exception_ptr error) {
    if (error) outcome = Failure{FailureKind::retryable, "the notice could not be rendered or sent", {}};
  });
  io.run();
  return outcome.value_or(Failure{FailureKind::retryable, "the notifier did not answer", {}});
}

}  // namespace

DateNotice tell_new_deletion_date(Store& store, const Config& config, const Policy& policy,
                                  std::int64_t account_id, Instant now, const std::string& actor) {
  DateNotice notice;
  auto account = store.account(account_id);
  if (!account || is_final(account->state) || !deletion_date_changed_untold(*account, policy)) return notice;
  notice.owed = true;
  notice.date = local_date(*account->grace_end, policy.zone);
  const std::string message_id = message_id_for("deletion_date_changed", *account, notice.date);
  // The intent first: the notice is queued whatever happens next.
  auto queued = commit_fresh(store, account_id, now, actor, IntentSpec{"notice", message_id},
                             [](const Account& fresh) { return std::optional<Transition>(Transition{fresh, {}, "", {}}); });
  if (!queued) {
    notice.why = "the account changed meanwhile";
    return notice;
  }
  Outcome<Done> outcome = send(store, config, *queued, message_id, now);
  if (!outcome.ok()) {
    notice.why = outcome.failure().reason;
    return notice;
  }
  notice.sent = true;
  commit_fresh(store, account_id, now, actor, std::nullopt, [&](const Account& fresh) -> std::optional<Transition> {
    // Told only if the date is still the one sent.
    if (!fresh.grace_end || local_date(*fresh.grace_end, policy.zone) != notice.date) return std::nullopt;
    return deletion_date_told(fresh, now, policy);
  });
  return notice;
}

}  // namespace passage
