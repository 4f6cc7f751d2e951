#include "api.hpp"

#include "render.hpp"


namespace sim {

Response json_response(int status, std::string body, const char* type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = type;
  return r;
}

Response error_response(int status, const std::string& title, const std::string& detail) {
  return json_response(status, error_document(status, title, detail), "application/vnd.api+json");
}

std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && in[i] == '+' ? ' ' : in[i];
    }
  }
  return out;
}

// Lenient like Go's url.ParseQuery: raw brackets (`page[limit]`) are fine.
std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq), true) == name)
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

std::optional<bool> parse_go_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return false;
  return std::nullopt;
}

Api::Api(World& world, Stats& stats, SimClock& clock, Faults& faults, std::string passphrase)
    : m_world(world), m_stats(stats), m_clock(clock), m_faults(faults), m_auth(std::move(passphrase)) {}

void Api::classify(Ticket& t, std::string_view method, std::string_view target) const {
  t.route = RouteId::unknown;
  std::string_view path = target.substr(0, target.find('?'));
  if (path.empty() || path[0] != '/') return;
  std::string seg[6];
  std::size_t n = 0;
  for (path.remove_prefix(1);; ) {
    if (n == 6) return;
    const auto slash = path.find('/');
    seg[n++] = percent_decode(path.substr(0, slash), false);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  const bool get = method == "GET", post = method == "POST";
  if (n >= 1 && seg[0] == "instances") {
    if (n >= 2) t.domain = seg[1];
    if (n == 1 && get) t.route = RouteId::list;
    else if (n == 2 && get && seg[1] == "count") t.route = RouteId::count;
    else if (n == 2 && get) t.route = RouteId::get;
    else if (n == 2 && method == "PATCH") t.route = RouteId::patch;
    else if (n == 2 && method == "DELETE") t.route = RouteId::del;
    else if (n == 3 && get && seg[2] == "disk-usage") t.route = RouteId::disk_usage;
    else if (n == 3 && get && seg[2] == "last-activity") t.route = RouteId::last_activity;
    else if (n == 3 && post && seg[2] == "export") t.route = RouteId::export_post;
    else if (n == 3 && post && seg[2] == "import") t.route = RouteId::import;
    else if (n == 5 && get && seg[2] == "exports" && seg[4] == "data") t.route = RouteId::export_data, t.export_id = seg[3];
  } else if (n >= 1 && seg[0] == "realtime" && get && (n == 1 || (n == 2 && seg[1].empty()))) {
    t.route = RouteId::realtime;
  } else if (n >= 3 && seg[0] == "move" && seg[1] == "exports" && get) {
    if (n == 3) t.route = RouteId::move_manifest, t.domain = seg[2];
    else if (n == 4 && seg[2] == "data") t.route = RouteId::move_data, t.domain = seg[3];
  } else if (n >= 2 && seg[0] == "_sim") {
    if (n == 2 && post && seg[1] == "clock") t.route = RouteId::sim_clock;
    else if (n == 2 && get && seg[1] == "faults") t.route = RouteId::sim_faults_get;
    else if (n == 2 && method == "PUT" && seg[1] == "faults") t.route = RouteId::sim_faults_put;
    else if (n == 2 && get && seg[1] == "stats") t.route = RouteId::sim_stats;
    else if (n == 3 && post && seg[1] == "stats" && seg[2] == "reset") t.route = RouteId::sim_stats_reset;
    else if (n == 2 && post && seg[1] == "user-export") t.route = RouteId::sim_user_export;
    else if (n == 2 && post && seg[1] == "edit-files") t.route = RouteId::sim_edit_files;
    else if (n == 2 && post && seg[1] == "change-files") t.route = RouteId::sim_change_files;
    else if (n == 2 && get && seg[1] == "idle") t.route = RouteId::sim_idle;
    else if (n == 3 && get && seg[1] == "exports") t.route = RouteId::sim_export, t.domain = seg[2];
  }
}

Ticket Api::begin(const Request& req, bool websocket_upgrade, Listener listener) {
  Ticket t;
  t.arrived = std::chrono::steady_clock::now();
  classify(t, req.method, req.target);
  if (websocket_upgrade && t.route != RouteId::realtime) t.route = RouteId::unknown;
  // The admin port has no /move routes; the public one serves nothing else.
  if (is_move_route(t.route) != (listener == Listener::instance)) t.route = RouteId::unknown;
  if (t.route == RouteId::unknown) t.method = std::string(req.method);
  if (t.route != RouteId::realtime && !is_control_route(t.route)) {  // the client's HTTP requests only
    t.in_flight = true;
    m_stats.enter();
  }
  if (t.route == RouteId::unknown) {
    t.early = error_response(404, "Not Found", "no such route");
    return t;
  }
  if (is_admin_route(t.route)) {
    m_stats.admin_arrived(t.arrived);
    if (m_faults.max_rps > 0 && static_cast<double>(m_stats.admin_in_last_second()) > m_faults.max_rps) {
      t.early = json_response(429, "Too Many Requests\n", "text/plain");
      return t;
    }
  }
  if (is_admin_route(t.route) || is_control_route(t.route)) {
    if (int status = m_auth.check(req.authorization); status != 0) {
      t.early = error_response(status, status == 401 ? "Unauthorized" : "Forbidden", "bad admin passphrase");
      return t;
    }
  }
  if (is_admin_route(t.route) && t.route != RouteId::realtime) apply_faults(t);
  return t;
}

void Api::apply_faults(Ticket& t) {
  Rng& rng = m_world.rng();
  const Faults& f = m_faults;
  if (rng.chance(f.throttle.rate)) {
    Response r = json_response(f.throttle.status, "slow down\n", "text/plain");
    if (f.throttle.retry_after_s) r.headers.emplace_back("Retry-After", std::to_string(*f.throttle.retry_after_s));
    t.early = std::move(r);
    return;
  }
  if (rng.chance(f.http_5xx)) {
    static constexpr int k_codes[] = {500, 502, 503, 504};
    t.early = json_response(k_codes[rng.next() % 4], "injected failure\n", "text/plain");
    return;
  }
  t.reset_before = rng.chance(f.reset_before);
  t.reset_after = !t.reset_before && rng.chance(f.reset_after);
  if (f.latency_ms.max > 0 && rng.chance(f.latency_ms.rate)) t.delay_ms += rng.between(f.latency_ms.min, f.latency_ms.max);
  if (rng.chance(f.stall_ms.rate)) t.delay_ms += f.stall_ms.ms;
  if (t.route == RouteId::export_data && rng.chance(f.part_stall_ms.rate)) t.delay_ms += f.part_stall_ms.ms;
}

Response Api::handle(Ticket& t, const Request& req) {
  if (t.early) return std::move(*t.early);
  m_world.settle();  // every answer sees the moves due by now
  if (is_control_route(t.route)) return control(t, req);
  if (is_move_route(t.route)) return move(t, req);
  return admin(t, req);
}

Response Api::admin(Ticket& t, const Request& req) {
  if (m_faults.global_db_missing) return without_global_db(t);
  switch (t.route) {
    case RouteId::list: return list(req);
    case RouteId::count: return json_response(200, R"({"count":)" + std::to_string(m_world.live_count()) + "}");
    case RouteId::get: return get(t);
    case RouteId::disk_usage: return disk_usage(t, req);
    case RouteId::last_activity: return last_activity(t);
    case RouteId::patch: return patch(t, req);
    case RouteId::export_post: return export_post(t, req);
    case RouteId::import: return import(t, req);
    case RouteId::del: return del(t);
    case RouteId::export_data: {
      auto index = m_world.find(t.domain);
      const ExportDoc* e = index ? m_world.current_export(*index) : nullptr;
      std::uint32_t owner = 0;
      if (e && e->id == t.export_id && live_export(t.export_id, owner)) return part(*index, *e, req, true);
      const ExportDoc* old = index ? m_world.replaced_export(*index, t.export_id) : nullptr;
      if (old) return part(*index, *old, req, true, true);
      return error_response(404, "Not Found", "exports: not found");
    }
    default: return error_response(404, "Not Found", "no such route");
  }
}

// A stack whose global database is missing: no instance is found, the
// count is 0, the list is empty.
Response Api::without_global_db(const Ticket& t) {
  if (t.route == RouteId::count) return json_response(200, R"({"count":0})");
  if (t.route == RouteId::list) return json_response(200, R"({"data":[],"meta":{"count":0},"links":{}})", "application/vnd.api+json");
  if (t.route == RouteId::disk_usage) return json_response(500, R"({"error":"Instance not found"})");
  return error_response(404, "Not Found", "Instance not found");
}

void Api::end(Ticket& t, int status) {
  m_stats.answered(t.route, status, t.method);
  if (t.in_flight) m_stats.leave();
  t.in_flight = false;
}

}  // namespace sim
