#include "plugins/backends/cozy_admin.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/env/faults.hpp"
#include "engine/sched/request_gate.hpp"
#include "plugins/backends/cozy_answers.hpp"
#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace asio = boost::asio;

CozyAdminBackend::CozyAdminBackend(const BackendContext& context)
    : m_io(context.io), m_stack(context.stack), m_clock(context.clock), m_gate(context.gate),
      m_http(context.io),
      m_realtime(context.io, context.stack.url, context.stack.passphrase.reveal(), context.gate,
                 [this](const RealtimeEvent& event) { on_realtime(event); }),
      m_checks(context.io, 2) {}

CozyAdminBackend::~CozyAdminBackend() { m_realtime.stop(); }

std::string CozyAdminBackend::url(const std::string& path) const {
  std::string base = m_stack.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

asio::awaitable<HttpResponse> CozyAdminBackend::call(std::string method, std::string path,
                                                     bool idempotent, Millis total_timeout) {
  GateTicket ticket = co_await m_gate.enter();
  HttpResponse response = co_await send(std::move(method), std::move(path), idempotent, total_timeout);
  co_return response;
}

asio::awaitable<HttpResponse> CozyAdminBackend::send(std::string method, std::string path,
                                                     bool idempotent, Millis total_timeout) {
  HttpRequest request;
  request.method = method;
  request.url = url(path);
  request.basic_password = m_stack.passphrase.reveal();
  request.idempotent = idempotent;
  request.total_timeout = total_timeout;
  request.max_collected = k_json_answer_max;
  request.content_types = json_content_types();
  // An answer that comes only at the end (a DELETE takes minutes) is bounded
  // by the whole-request limit, not cut by the stall limit.
  if (total_timeout > Millis(0)) request.stall_timeout = Millis(0);
  HttpResponse response = co_await m_http.perform(std::move(request));
  m_answered_last = response.status != 0;
  co_return response;
}

asio::awaitable<Outcome<InstanceInfo>> CozyAdminBackend::lookup(std::string domain) {
  HttpResponse response = co_await call("GET", "/instances/" + domain, true, k_admin_read_timeout);
  if (response.status == 404) {
    if (auto doubt = co_await missing_instance_doubt()) co_return *doubt;
    co_return InstanceInfo{false, false, false, "", false, 0};
  }
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  co_return read_instance_answer(domain, response.body);
}

asio::awaitable<std::optional<Failure>> CozyAdminBackend::missing_instance_doubt() {
  HttpResponse response = co_await call("GET", "/instances/count", true, k_admin_read_timeout);
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  const auto count = read_instance_count(response.body);
  if (!count) co_return Failure{FailureKind::retryable, std::string(k_answer_unreadable) + ": GET /instances/count", {}};
  if (*count > 0) co_return std::nullopt;
  // cozy-stack answers 0 when its global database is missing, and then
  // 404 for every domain: that says nothing about this one.
  co_return Failure{FailureKind::retryable, std::string(k_no_instances_counted), {}};
}

asio::awaitable<std::optional<ReachResult>> CozyAdminBackend::check_reach() {
  HttpResponse response = co_await call("GET", "/instances/count", true, k_reach_timeout);
  if (response.status == 0)
    co_return ReachResult{Reach::unreachable, response.timed_out ? "timeout" : response.error};
  const std::string status = "http " + std::to_string(response.status);
  if (response.status == 401 || response.status == 403)
    co_return ReachResult{Reach::refused, status + ": admin passphrase refused"};
  if (response.status < 200 || response.status >= 300) co_return ReachResult{Reach::failing, status};
  co_return ReachResult{Reach::answered, status};
}

asio::awaitable<Outcome<DiskUsage>> CozyAdminBackend::disk_usage(std::string domain) {
  HttpResponse response = co_await call("GET", "/instances/" + domain + "/disk-usage", true, k_admin_read_timeout);
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  co_return read_disk_usage_answer(response.body);
}

asio::awaitable<Outcome<date::year_month_day>> CozyAdminBackend::last_activity(std::string domain) {
  HttpResponse response = co_await call("GET", "/instances/" + domain + "/last-activity", true, k_admin_read_timeout);
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  co_return read_last_activity_answer(response.body);
}

asio::awaitable<Outcome<Done>> CozyAdminBackend::delete_instance(std::string domain) {
  if (faults::fail(faults::Site::delete_))
    co_return Failure{FailureKind::retryable, faults::reason(faults::Site::delete_), {}};
  HttpResponse response = co_await call("DELETE", "/instances/" + domain, false,
                                        approximate_length(m_stack.delete_timeout));
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now())) co_return *failure;
  co_return Done{};
}

asio::awaitable<Outcome<Done>> CozyAdminBackend::clear_deleting(std::string domain) {
  // PATCH options are query parameters; the answer carries secrets: dropped.
  HttpResponse response = co_await call("PATCH", "/instances/" + domain + "?Deleting=false", false,
                                        k_admin_read_timeout);
  if (auto failure = classify_response(response, CallKind::other_write, m_clock.now())) co_return *failure;
  co_return Done{};
}

void CozyAdminBackend::shutdown() {
  m_shutting_down = true;
  m_realtime.stop();
  for (auto& [domain, timer] : m_waiters) timer->cancel();
}

std::unique_ptr<Backend> make_cozy_admin_backend(const BackendContext& context) {
  return std::make_unique<CozyAdminBackend>(context);
}

}  // namespace passage
