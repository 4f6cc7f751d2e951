#include "plugins/backends/cozy_admin.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include "engine/env/faults.hpp"
#include "engine/sched/request_gate.hpp"
#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

const json::object* attributes_of(const json::value& document) {
  const json::object* root = document.if_object();
  const json::value* data = root ? root->if_contains("data") : nullptr;
  const json::value* attributes = data && data->is_object() ? data->as_object().if_contains("attributes") : nullptr;
  return attributes ? attributes->if_object() : nullptr;
}

bool flag(const json::object& attributes, const char* name) {
  const json::value* value = attributes.if_contains(name);
  return value && value->is_bool() && value->as_bool();
}

std::string text(const json::object& object, const char* name) {
  const json::value* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

Failure bad_answer(const std::string& what) {
  return Failure{FailureKind::retryable, std::string(k_answer_unreadable) + ": " + what, {}};
}

// Numbers come as strings, zero values are omitted (COZY.md).
std::optional<std::int64_t> byte_count(const json::object& object, const char* name) {
  const std::string value = text(object, name);
  if (value.empty()) return object.contains(name) ? std::nullopt : std::optional<std::int64_t>(0);
  try {
    std::size_t used = 0;
    const long long count = std::stoll(value, &used);
    if (used != value.size() || count < 0) return std::nullopt;
    return count;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<DiskUsage> disk_usage_of(const json::object& document) {
  auto used = byte_count(document, "used");
  auto files = byte_count(document, "files");
  auto versions = byte_count(document, "versions");
  if (!used || !files || !versions) return std::nullopt;
  return DiskUsage{*used, *files, *versions};
}

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

std::optional<std::string> domain_alias_problem(const std::string& listed, const json::object& attributes) {
  const std::string main = text(attributes, "domain");
  if (main.empty() || boost::algorithm::iequals(main, listed)) return std::nullopt;
  return std::string(k_domain_alias) + ": " + main;
}

asio::awaitable<Outcome<InstanceInfo>> CozyAdminBackend::lookup(std::string domain) {
  HttpResponse response = co_await call("GET", "/instances/" + domain, true, k_admin_read_timeout);
  if (response.status == 404) {
    if (auto doubt = co_await missing_instance_doubt()) co_return *doubt;
    co_return InstanceInfo{false, false, false, "", false, 0};
  }
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  boost::system::error_code error;
  json::value document = json::parse(response.body, error);
  const json::object* attributes = error ? nullptr : attributes_of(document);
  if (!attributes) co_return bad_answer("GET /instances/" + domain);
  if (auto alias = domain_alias_problem(domain, *attributes)) co_return Failure{FailureKind::permanent, *alias, {}};
  // Only the fields Passage needs are kept: the answer may carry secrets
  // (register_token, passphrase_reset_token) that must never be stored.
  InstanceInfo info;
  info.moved = flag(*attributes, "moved");
  info.blocked = flag(*attributes, "blocked");
  info.blocking_reason = text(*attributes, "blocking_reason");
  info.deleting = flag(*attributes, "deleting");
  info.quota = byte_count(*attributes, "disk_quota").value_or(0);
  co_return info;
}

asio::awaitable<std::optional<Failure>> CozyAdminBackend::missing_instance_doubt() {
  HttpResponse response = co_await call("GET", "/instances/count", true, k_admin_read_timeout);
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  boost::system::error_code error;
  json::value document = json::parse(response.body, error);
  const json::value* count = !error && document.is_object() ? document.as_object().if_contains("count") : nullptr;
  if (!count || !count->is_number()) co_return bad_answer("GET /instances/count");
  if (count->to_number<double>() > 0) co_return std::nullopt;
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
  boost::system::error_code error;
  json::value document = json::parse(response.body, error);
  if (error || !document.is_object()) co_return bad_answer("disk-usage");
  auto usage = disk_usage_of(document.as_object());
  if (!usage) co_return bad_answer("disk-usage numbers");
  co_return *usage;
}

asio::awaitable<Outcome<date::year_month_day>> CozyAdminBackend::last_activity(std::string domain) {
  HttpResponse response = co_await call("GET", "/instances/" + domain + "/last-activity", true, k_admin_read_timeout);
  if (auto failure = classify_response(response, CallKind::read, m_clock.now())) co_return *failure;
  boost::system::error_code error;
  json::value document = json::parse(response.body, error);
  if (error || !document.is_object()) co_return bad_answer("last-activity");
  auto day = parse_iso_date(text(document.as_object(), "last-activity"));
  if (!day) co_return bad_answer("last-activity date");
  co_return *day;
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
