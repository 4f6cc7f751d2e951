// Export requests and their events (COZY.md "Export events", CONTRACT.md
// "Export events and foreign exports"). Every export of every instance is
// published on the admin socket: CREATED (exporting), UPDATED (done or
// error), and with admin-req=true a second CREATED (done). An event is the
// outcome of Passage's request only when its domain matches and its
// document was created at or after the request's `queued_at` (stack time),
// once per export id; any other export is foreign: reported, never taken.

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/env/faults.hpp"
#include "plugins/backends/cozy_admin.hpp"
#include "plugins/backends/cozy_answers.hpp"
#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr Millis k_subscribe_timeout = std::chrono::seconds(10);

}  // namespace

asio::awaitable<Outcome<QueuedExport>> CozyAdminBackend::request_export(std::string domain) {
  // The outcome is only ever announced on the websocket: be subscribed first.
  m_realtime.start();
  bool subscribed = co_await m_realtime.wait_subscribed(k_subscribe_timeout);
  if (!subscribed) co_return Failure{FailureKind::retryable, "realtime websocket not subscribed", {}};
  if (faults::fail(faults::Site::export_request))
    co_return Failure{FailureKind::retryable, faults::reason(faults::Site::export_request), {}};
  // Events can come before the 202, and the stack's clock is not Passage's:
  // what arrives meanwhile is told foreign or not once the 202 gives the
  // job's queued_at (stack time).
  const Instant requested = m_clock.now();
  m_own_since[domain] = Instant::min();
  m_posting[domain];
  HttpResponse response = co_await call("POST", "/instances/" + domain + "/export?admin-req=true",
                                        false, k_admin_read_timeout);
  std::optional<Failure> failure = classify_response(response, CallKind::export_request, m_clock.now());
  QueuedExport queued;
  if (!failure) queued.queued_at = queued_at_of(response.body);
  if (failure && failure->kind != FailureKind::unknown_outcome) {
    m_own_since.erase(domain);  // not queued
  } else {
    // Without queued_at (an unknown outcome), Passage's clock with an allowance.
    m_own_since[domain] = queued.queued_at.value_or(requested - k_export_clock_allowance);
  }
  classify_seen_while_posting(domain);
  if (failure) co_return *failure;
  co_return queued;
}

void CozyAdminBackend::classify_seen_while_posting(const std::string& domain) {
  auto seen = m_posting.find(domain);
  if (seen == m_posting.end()) return;
  for (const ExportEvent& event : seen->second)
    if (!m_settled_ids.contains(event.id) && !is_own(event)) report_foreign(event);
  m_posting.erase(seen);
}

bool CozyAdminBackend::is_own(const ExportEvent& event) const {
  const auto since = m_own_since.find(event.domain);
  return since != m_own_since.end() && !event.partial && event.created_at && *event.created_at >= since->second;
}

namespace {

// What may end Passage's wait for its export: an error (the stack does not
// say whose export failed: the attempt fails, the 24-hour rule retries), or
// a done export the stack announced as an admin request's. An UPDATED
// `done` alone is a person's or a move's export, or Passage's own whose
// announcement follows; it waits for that announcement.
bool may_end_wait(const ExportEvent& event) {
  return !event.partial && (event.state == "error" || (event.state == "done" && event.announced_done));
}

}  // namespace

void CozyAdminBackend::report_foreign(const ExportEvent& event) {
  if (m_reported_ids.insert(event.id).second)
    m_foreign.push_back(ForeignExport{event.domain, event.id, event.created_at});
}

void CozyAdminBackend::on_realtime(const RealtimeEvent& realtime) {
  auto event = export_event_of(realtime);
  if (!event || m_settled_ids.contains(event->id)) return;
  if (auto posting = m_posting.find(event->domain); posting != m_posting.end())
    posting->second.push_back(*event);  // told once the 202 comes
  else if (!is_own(*event))
    report_foreign(*event);
  if (!event->finished()) return;
  if (!may_end_wait(*event)) {
    // Done and unannounced: whose it is shows when the wait ends.
    if (is_own(*event)) m_unannounced[event->domain].insert(event->id);
    return;
  }
  m_finished[event->domain].push_back(*event);
  auto [first, last] = m_waiters.equal_range(event->domain);
  for (auto it = first; it != last; ++it) it->second->cancel();
}

// The wait for `domain` ended: an export that finished `done` during it
// and was never announced as an admin request's was not Passage's.
void CozyAdminBackend::end_wait(const std::string& domain) {
  m_own_since.erase(domain);
  auto unannounced = m_unannounced.find(domain);
  if (unannounced == m_unannounced.end()) return;
  for (const std::string& id : unannounced->second)
    if (!m_settled_ids.contains(id) && m_reported_ids.insert(id).second)
      m_foreign.push_back(ForeignExport{domain, id, std::nullopt});
  m_unannounced.erase(unannounced);
}

// The first finished export of `domain` created at or after `since`, once.
std::optional<ExportEvent> CozyAdminBackend::take_own(const std::string& domain, Instant since) {
  auto found = m_finished.find(domain);
  if (found == m_finished.end()) return std::nullopt;
  std::optional<ExportEvent> own;
  for (const ExportEvent& event : found->second) {
    if (own || m_settled_ids.contains(event.id) || !event.created_at || *event.created_at < since) continue;
    own = event;
  }
  m_finished.erase(found);  // the others are not this request's: reported as foreign
  if (own) m_settled_ids.insert(own->id);
  return own;
}

asio::awaitable<Outcome<ExportDone>> CozyAdminBackend::await_export(std::string domain, Instant since,
                                                                    Instant deadline) {
  m_realtime.start();
  m_own_since[domain] = since;
  struct EndWait {
    CozyAdminBackend& backend;
    std::string domain;
    ~EndWait() { backend.end_wait(domain); }
  } end_wait_on_exit{*this, domain};
  while (true) {
    if (m_shutting_down) co_return Failure{FailureKind::retryable, "shutting down", {}};
    if (auto own = take_own(domain, since)) {
      if (own->state == "done") co_return own->done;
      co_return Failure{FailureKind::export_error,
                        "export ended in error: " + (own->error.empty() ? std::string("no reason given") : own->error),
                        {}};
    }
    Instant now = m_clock.now();
    if (now >= deadline) co_return Failure{FailureKind::retryable, "export_deadline", {}};
    asio::steady_timer timer(m_io, std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline - now));
    auto registered = m_waiters.emplace(domain, &timer);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    m_waiters.erase(registered);
  }
}

void CozyAdminBackend::expect_user_move(const std::string&) { m_realtime.start(); }

std::vector<ForeignExport> CozyAdminBackend::take_foreign_exports() {
  std::vector<ForeignExport> taken;
  taken.swap(m_foreign);
  return taken;
}

}  // namespace passage
