#pragma once
// The smtp notifier: each notice is one SMTP transaction through libcurl
// (`smtp://` with STARTTLS when offered, or required by `notify.starttls:
// required`; `smtps://` is TLS from the start). The message is the one
// format_message() builds for the outbox, so both notifiers send the same
// bytes.
//
// Promises:
// - At most `notify.rate.per_second` transactions start per second (a
//   token bucket of burst 1; waiters are served in order on a steady timer).
// - A 5xx SMTP reply (a refused mailbox, say 550) is Failure::permanent;
//   4xx replies, refused connections, timeouts, a missing STARTTLS and
//   every other transport failure are Failure::retryable.
// - Failure reasons name the server and the SMTP code, never a body, an
//   address or a password from the URL.
// - The event loop never blocks: libcurl runs on a small thread pool whose
//   results are posted back to the io_context. Destroying the notifier
//   aborts transfers still running and joins the pool.

#include <memory>

#include <boost/asio/io_context.hpp>

#include "engine/config/config.hpp"
#include "plugins/notifiers/notifier.hpp"

namespace passage {

std::unique_ptr<Notifier> make_smtp_notifier(const NotifyConfig& config, boost::asio::io_context& io);

}  // namespace passage
