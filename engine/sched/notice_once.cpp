#include "engine/sched/notice_once.hpp"

namespace passage {

boost::asio::awaitable<Outcome<Done>> send_notice_once(Store& store, Notifier& notifier,
                                                       const Config& config, const Account& account,
                                                       std::string kind, std::string message_id,
                                                       Instant now, NoticeExtras extras) {
  if (store.intent_outcome(message_id) == std::optional<std::string>("sent")) co_return Done{};
  Notice notice = render_notice(kind, account, config, now, extras);
  notice.message_id = message_id;
  auto outcome = co_await notifier.send(notice);
  if (outcome.ok()) store.finish_intent(message_id, "sent", now);
  else if (outcome.failure().kind == FailureKind::permanent)
    store.finish_intent(message_id, "refused: " + outcome.failure().reason, now);
  co_return outcome;
}

}  // namespace passage
