#pragma once
// Sending a notice exactly once (CONTRACT.md "Notices"): its intent, keyed
// by the Message-ID, is committed before; an intent already finished as
// sent is not sent again, an open one is resent with the same Message-ID.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "engine/notices/notices.hpp"
#include "engine/store/store.hpp"
#include "plugins/notifiers/notifier.hpp"

namespace passage {

// Renders `kind` for `account` and sends it as `message_id`, unless that
// intent says it was sent. Records "sent", or "refused: …" for a permanent
// refusal; other failures leave the intent as it is for the caller.
boost::asio::awaitable<Outcome<Done>> send_notice_once(Store& store, Notifier& notifier,
                                                       const Config& config, const Account& account,
                                                       std::string kind, std::string message_id,
                                                       Instant now, NoticeExtras extras);

}  // namespace passage
