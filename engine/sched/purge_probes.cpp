// What the night tells beyond its deletions: the stacks and relay it did
// not call, reached once; the deletion notices, sent and sent again.
#include "engine/sched/purge_night.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "engine/sched/notice_once.hpp"
#include "engine/sched/reach.hpp"

namespace passage {

// Monitoring reads the night's reachability (CONTRACT.md exit 7,
// passage_stack_up, passage_relay_up): a stack or relay this night did
// not call (nothing due, no mail to send) is reached once, as `config
// check` does; no answer, an error or a refused passphrase counts as not
// answering. Those it did call are judged by their last call.
void PurgeNight::probe_untouched(PurgeReport& report) {
  // A stack paused by a Retry-After answered, and asks to be left alone.
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> untouched;
  for (auto& [name, runtime] : m_stacks)
    if (!runtime.backend->answered_last() && runtime.gate->paused_until() <= now) untouched.push_back(name);
  Notifier* relay = m_notifier && !m_notifier->answered_last() ? m_notifier.get() : nullptr;
  const ReachAnswers answers = reach_each(m_io, m_stacks, untouched, relay);
  report.stacks_unreached = unreached_stacks(m_stacks);
  for (const auto& [name, answer] : answers.stacks)
    if (!reach_usable(answer) &&
        std::find(report.stacks_unreached.begin(), report.stacks_unreached.end(), name) ==
            report.stacks_unreached.end())
      report.stacks_unreached.push_back(name);
  const bool relay_down = relay && !reach_usable(answers.relay);
  report.relay_unreached = relay_down || (m_notifier && m_notifier->answered_last() == false);
}

asio::awaitable<void> PurgeNight::tell_deleted(const Account& account) {
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
  if (!sent.ok() && sent.failure().local_write) m_local_write_errors.push_back(sent.failure().reason);
}

// A deletion_done an earlier night could not send (the relay down, a
// crash while sending): sent again with its Message-ID, each night until
// the relay takes it or refuses it for good.
asio::awaitable<void> PurgeNight::tell_deleted_again(UnsentNotice notice) {
  auto account = m_store.account(notice.account_id);
  if (!account || account->state != State::purged || !m_notifier) co_return;
  auto sent = co_await send_notice_once(m_store, *m_notifier, m_config, *account, "deletion_done",
                                        notice.message_id, m_clock.now(), NoticeExtras{});
  if (!sent.ok() && sent.failure().kind != FailureKind::permanent)
    m_store.finish_intent(notice.message_id, "failed: " + sent.failure().reason, m_clock.now());
  if (!sent.ok() && sent.failure().local_write) m_local_write_errors.push_back(sent.failure().reason);
}

}  // namespace passage
