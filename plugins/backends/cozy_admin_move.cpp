// The admin-driven move (DESIGN.md "Move, admin-driven", COZY.md "Moves").
// The admin API has no move call: a move is an export of the source
// (admin-req=true, announced on the realtime websocket), an import of that
// export by the target stack, a check of the target (it exists, is no
// longer IMPORTING, and holds about as much as the export), and the source
// blocked with reason MOVED, which check_move reads after a restart.
//
// The manifest URL carries the export's token (COZY.md: the secret is in
// the URL): it goes on the wire only, never into a failure reason.

#include <algorithm>
#include <cmath>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "plugins/backends/cozy_admin.hpp"
#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr Millis k_write_timeout = std::chrono::seconds(60);
constexpr Millis k_poll_interval = std::chrono::milliseconds(200);
// A retry this soon reuses the failed attempt's export: a new request would
// break the 24-hour rule (COZY.md "The export document").
constexpr Millis k_export_reuse = std::chrono::hours(24);
constexpr double k_size_tolerance = 0.10;


bool importing(const InstanceInfo& info) {
  return info.blocked && info.blocking_reason == "IMPORTING";
}

bool size_matches(std::int64_t used, std::int64_t expected) {
  const double gap = std::abs(static_cast<double>(used) - static_cast<double>(expected));
  return gap <= k_size_tolerance * static_cast<double>(std::max<std::int64_t>(expected, 0));
}

Failure move_failure(FailureKind kind, std::string reason) {
  return Failure{kind, std::move(reason), {}};
}

}  // namespace

// Measured on the Clock (the runner's import deadline is) and in real time
// (a clock that does not run, as in unit tests, must not make a poll endless).
struct CozyAdminBackend::MoveDeadline {
  Instant clock;
  std::chrono::steady_clock::time_point steady;

  bool passed(Instant now) const {
    return now >= clock || std::chrono::steady_clock::now() >= steady;
  }
};

asio::awaitable<Outcome<Done>> CozyAdminBackend::import_from(std::string domain,
                                                             std::string manifest_url) {
  const std::string path =
      "/instances/" + domain + "/import?manifest_url=" +
      boost::urls::encode(manifest_url, boost::urls::unreserved_chars);
  HttpResponse response = co_await call("POST", path, false, k_write_timeout);
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now()))
    co_return *failure;
  co_return Done{};
}

asio::awaitable<Outcome<Done>> CozyAdminBackend::block_moved(std::string domain) {
  // The answer carries secrets: dropped unread.
  HttpResponse response = co_await call(
      "PATCH", "/instances/" + domain + "?Blocked=true&BlockingReason=MOVED", false, k_write_timeout);
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now()))
    co_return *failure;
  co_return Done{};
}

// Once the source's export may have been queued, a failure can no longer
// say "nothing happened remotely": it is an unknown outcome, so the core
// applies the 24-hour rule before exporting again.
namespace {

Failure maybe_queued(Failure failure) {
  if (failure.kind == FailureKind::retryable || failure.kind == FailureKind::rate_limited)
    failure.kind = FailureKind::unknown_outcome;
  failure.after_export = true;
  return failure;
}

}  // namespace

// Failures that leave an export behind keep it in m_moves for the retry
// (the core also counts the move's intent for the 24-hour rule).
asio::awaitable<Outcome<Evidence>> CozyAdminBackend::move_to(std::string domain,
                                                             std::string target_host,
                                                             Backend& target) {
  const Millis span = approximate_length(m_stack.import_deadline);
  const MoveDeadline deadline{m_clock.now() + span, std::chrono::steady_clock::now() + span};
  if (auto found = m_moves.find(domain);
      found != m_moves.end() && m_clock.now() >= found->second.requested + k_export_reuse)
    m_moves.erase(found);
  auto moved = co_await move_steps(domain, target_host, target, deadline);
  if (!moved.ok() && m_blocked_moving.count(domain)) {
    // The source is given back to its owner; a failed unblock leaves it
    // blocked MOVING, which Passage records as its own block.
    auto unblocked = co_await set_block(domain, "");
    if (unblocked.ok()) m_blocked_moving.erase(domain);
  }
  co_return moved;
}

asio::awaitable<Outcome<Evidence>> CozyAdminBackend::move_steps(const std::string& domain,
                                                                const std::string& target_host,
                                                                Backend& target,
                                                                const MoveDeadline& deadline) {
  auto previous = m_moves.find(domain);
  if (previous == m_moves.end() || !previous->second.import_finished) {
    auto imported = co_await import_on_target(domain, target_host, target, deadline);
    if (!imported.ok()) co_return imported.failure();
  }
  const MoveProgress progress = m_moves.at(domain);
  auto used = co_await target.disk_usage(target_host);
  if (!used.ok()) co_return maybe_queued(used.failure());
  if (!size_matches(used.value().used, progress.export_done.total_size)) {
    const std::string sizes = " (" + std::to_string(used.value().used) + " bytes for an export of " +
                              std::to_string(progress.export_done.total_size) + ")";
    if (!progress.import_confirmed) {
      // The import request may never have reached the target: import again.
      m_moves.at(domain).import_finished = false;
      co_return move_failure(FailureKind::unknown_outcome,
                             "import outcome unknown and target size does not match" + sizes);
    }
    m_moves.erase(domain);
    co_return move_failure(FailureKind::permanent, "target size does not match" + sizes);
  }
  auto blocked = co_await set_block(domain, "MOVED");
  if (!blocked.ok()) co_return maybe_queued(blocked.failure());
  m_blocked_moving.erase(domain);
  m_moves.erase(domain);
  Evidence evidence;
  evidence.kind = "moved";
  evidence.export_id = progress.export_done.export_id;
  co_return evidence;
}

// The target is checked before anything is exported: a missing target
// needs a person, one still importing (a stalled earlier import, COZY.md
// #4007) must not be wiped again.
asio::awaitable<Outcome<Done>> CozyAdminBackend::import_on_target(const std::string& domain,
                                                                  const std::string& target_host,
                                                                  Backend& target,
                                                                  const MoveDeadline& deadline) {
  auto before = co_await target.lookup(target_host);
  if (!before.ok()) co_return before.failure();
  if (!before.value().exists) co_return move_failure(FailureKind::not_found, "target instance not found");
  if (importing(before.value()))
    co_return move_failure(FailureKind::retryable, "target instance already importing");
  // The source is blocked before its snapshot: nothing the person does
  // after the export can be lost by the move.
  if (!m_blocked_moving.count(domain)) {
    auto blocked = co_await set_block(domain, "MOVING");
    if (!blocked.ok()) co_return blocked.failure();
    m_blocked_moving[domain] = true;
  }
  auto exported = co_await export_for_move(domain, deadline);
  if (!exported.ok()) co_return exported.failure();
  const std::string manifest_url = url("/move/exports/" + exported.value().export_id);
  auto queued = co_await target.import_from(target_host, manifest_url);
  // An import that may have been queued (502/504, reset after sending) is
  // watched like a queued one; the size check tells what happened.
  if (!queued.ok() && queued.failure().kind != FailureKind::unknown_outcome)
    co_return maybe_queued(queued.failure());
  m_moves.at(domain).import_confirmed = queued.ok();
  auto finished = co_await await_import(target_host, target, deadline);
  if (!finished.ok()) co_return maybe_queued(finished.failure());
  if (auto found = m_moves.find(domain); found != m_moves.end()) found->second.import_finished = true;
  co_return Done{};
}

asio::awaitable<Outcome<ExportDone>> CozyAdminBackend::export_for_move(
    const std::string& domain, const MoveDeadline& deadline) {
  if (auto found = m_moves.find(domain); found != m_moves.end()) co_return found->second.export_done;
  // An event of an older export names one this request replaces.
  m_finished.erase(domain);
  const Instant requested = m_clock.now();
  auto queued = co_await request_export(domain);
  // A request that may have been queued is waited for like a queued one.
  if (!queued.ok() && queued.failure().kind != FailureKind::unknown_outcome)
    co_return queued.failure();
  const Instant since = queued.ok() && queued.value().queued_at ? *queued.value().queued_at
                                                                 : requested - k_export_clock_allowance;
  auto done = co_await await_export(domain, since, deadline.clock);
  if (!done.ok()) co_return maybe_queued(done.failure());
  MoveProgress progress;
  progress.export_done = done.value();
  progress.requested = requested;
  m_moves[domain] = progress;
  co_return done.value();
}

// Polls the target until it exists and is no longer IMPORTING. Passing read
// failures are polled through; the deadline passed is a retryable
// "import_deadline" (the core then applies the 24-hour rule).
asio::awaitable<Outcome<Done>> CozyAdminBackend::await_import(const std::string& target_host,
                                                              Backend& target,
                                                              const MoveDeadline& deadline) {
  while (true) {
    if (m_shutting_down) co_return move_failure(FailureKind::retryable, "shutting down");
    auto info = co_await target.lookup(target_host);
    if (info.ok() && info.value().exists && !importing(info.value())) co_return Done{};
    if (!info.ok() && info.failure().kind == FailureKind::permanent) co_return info.failure();
    if (deadline.passed(m_clock.now()))
      co_return move_failure(FailureKind::retryable, "import_deadline: target still importing");
    co_await pause(k_poll_interval);
  }
}

asio::awaitable<Outcome<Done>> CozyAdminBackend::set_block(const std::string& domain,
                                                           const std::string& reason) {
  const std::string query = reason.empty() ? "?Blocked=false" : "?Blocked=true&BlockingReason=" + reason;
  // The answer carries secrets: dropped unread.
  HttpResponse response = co_await call("PATCH", "/instances/" + domain + query, false, k_write_timeout);
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now()))
    co_return *failure;
  auto info = co_await lookup(domain);
  if (!info.ok()) co_return info.failure();
  const bool took = reason.empty() ? !info.value().blocked
                                   : info.value().blocked && info.value().blocking_reason == reason;
  if (!took)
    co_return move_failure(FailureKind::retryable,
                           reason.empty() ? "source still blocked after unblocking"
                                          : "source not blocked " + reason + " after the PATCH");
  co_return Done{};
}

asio::awaitable<void> CozyAdminBackend::pause(Millis duration) {
  asio::steady_timer timer(m_io, duration);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// A finished admin move leaves the source blocked with reason MOVED.
asio::awaitable<Outcome<std::optional<Evidence>>> CozyAdminBackend::check_move(std::string domain,
                                                                               std::string,
                                                                               Backend&) {
  auto info = co_await lookup(domain);
  if (!info.ok()) co_return info.failure();
  if (info.value().blocked && info.value().blocking_reason == "MOVED")
    co_return std::optional<Evidence>(Evidence{"moved", {}, {}, {}, {}});
  co_return std::optional<Evidence>();
}

}  // namespace passage
