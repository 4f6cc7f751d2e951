#include "engine/sched/notice_once.hpp"

#include "engine/env/faults.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "engine/serve/download_link.hpp"

namespace passage {

boost::asio::awaitable<Outcome<Done>> send_notice_once(Store& store, Notifier& notifier,
                                                       const Config& config, const Account& account,
                                                       std::string kind, std::string message_id,
                                                       Instant now, NoticeExtras extras) {
  if (store.intent_outcome(message_id) == std::optional<std::string>("sent")) co_return Done{};
  // Archive delivery: a new personal link with each notice, and the notice
  // says until when it works. Without a public URL the notice would send
  // the person to a space they may no longer reach: it does not go.
  const LinkNeed need = download_link_need(account, kind);
  if (need != LinkNeed::none && config.serve.public_url) {
    IssuedLink link = issue_download_link(store.db(), config, account, message_id, now);
    extras.download_url = link.url;
    extras.export_expires_at = link.expires_at;
  } else if (need == LinkNeed::required) {
    store.finish_intent(message_id, "refused: " + std::string(k_no_public_url), now);
    co_return Failure{FailureKind::permanent, std::string(k_no_public_url), {}};
  }
  Notice notice = render_notice(kind, account, config, now, extras);
  notice.message_id = message_id;
  if (faults::fail(faults::Site::notice))
    co_return Failure{FailureKind::retryable, faults::reason(faults::Site::notice), {}};
  auto outcome = co_await notifier.send(notice);
  if (outcome.ok()) store.finish_intent(message_id, "sent", now);
  else if (outcome.failure().kind == FailureKind::permanent)
    store.finish_intent(message_id, "refused: " + outcome.failure().reason, now);
  co_return outcome;
}

}  // namespace passage
