// The stack's half of an admin-driven move (COZY.md "Moves", "Import"): the
// target's import and the source's blocks. The move itself, and its check
// after a restart, are the engine's (engine/sched/admin_move.cpp, move_check.cpp):
// the target fetches the parts Passage verified from `passage serve --public`.
//
// The manifest URL carries a move token: it goes on the wire only, never
// into a failure reason.

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "engine/env/faults.hpp"
#include "engine/sched/request_gate.hpp"
#include "plugins/backends/cozy_admin.hpp"
#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr Millis k_write_timeout = std::chrono::seconds(60);

}  // namespace

asio::awaitable<Outcome<Done>> CozyAdminBackend::import_from(std::string domain, std::string manifest_url,
                                                             std::function<bool()> go_ahead) {
  const std::string path =
      "/instances/" + domain + "/import?manifest_url=" +
      boost::urls::encode(manifest_url, boost::urls::unreserved_chars);
  if (faults::fail(faults::Site::import))
    co_return Failure{FailureKind::retryable, faults::reason(faults::Site::import), {}};
  // The gate can hold the request for a while (rate, cooldown): the
  // engine's last word comes after it, with nothing awaited until the send.
  GateTicket ticket = co_await m_gate.enter();
  if (!go_ahead()) co_return Failure{FailureKind::retryable, "import not sent: withdrawn before sending", {}};
  HttpResponse response = co_await send("POST", path, false, k_write_timeout);
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now()))
    co_return *failure;
  co_return Done{};
}

asio::awaitable<Outcome<Done>> CozyAdminBackend::set_block(std::string domain, std::string reason) {
  const std::string query = reason.empty() ? "?Blocked=false" : "?Blocked=true&BlockingReason=" + reason;
  if (faults::fail(faults::Site::block))
    co_return Failure{FailureKind::retryable, faults::reason(faults::Site::block), {}};
  // The answer carries secrets: dropped unread.
  HttpResponse response = co_await call("PATCH", "/instances/" + domain + query, false, k_write_timeout);
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now()))
    co_return *failure;
  auto info = co_await lookup(domain);
  if (!info.ok()) co_return info.failure();
  const bool took = reason.empty() ? !info.value().blocked
                                   : info.value().blocked && info.value().blocking_reason == reason;
  if (!took)
    co_return Failure{FailureKind::retryable,
                      reason.empty() ? "still blocked after unblocking"
                                     : "not blocked " + reason + " after the PATCH",
                      {}};
  co_return Done{};
}

// The source's MOVED block alone proves nothing (someone else can set it):
// the engine checks a real stack's move with what it recorded of it
// (engine/sched/move_check.hpp), never this backend.
asio::awaitable<Outcome<std::optional<Evidence>>> CozyAdminBackend::check_move(std::string, std::string,
                                                                               Backend&) {
  co_return std::optional<Evidence>();
}

}  // namespace passage
