#include "stats.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace sim {

const char* route_key(RouteId id) {
  switch (id) {
    case RouteId::list: return "GET /instances";
    case RouteId::count: return "GET /instances/count";
    case RouteId::get: return "GET /instances/:domain";
    case RouteId::disk_usage: return "GET /instances/:domain/disk-usage";
    case RouteId::last_activity: return "GET /instances/:domain/last-activity";
    case RouteId::patch: return "PATCH /instances/:domain";
    case RouteId::export_post: return "POST /instances/:domain/export";
    case RouteId::export_data: return "GET /instances/:domain/exports/:export-id/data";
    case RouteId::import: return "POST /instances/:domain/import";
    case RouteId::del: return "DELETE /instances/:domain";
    case RouteId::realtime: return "GET /realtime/";
    case RouteId::move_manifest: return "GET /move/exports/:token";
    case RouteId::move_data: return "GET /move/exports/data/:token";
    case RouteId::sim_clock: return "POST /_sim/clock";
    case RouteId::sim_faults_get: return "GET /_sim/faults";
    case RouteId::sim_faults_put: return "PUT /_sim/faults";
    case RouteId::sim_stats: return "GET /_sim/stats";
    case RouteId::sim_stats_reset: return "POST /_sim/stats/reset";
    case RouteId::sim_user_export: return "POST /_sim/user-export";
    case RouteId::sim_export: return "GET /_sim/exports/:domain";
    case RouteId::sim_edit_files: return "POST /_sim/edit-files";
    case RouteId::sim_change_files: return "POST /_sim/change-files";
    case RouteId::sim_idle: return "GET /_sim/idle";
    default: return "?";
  }
}

bool is_control_route(RouteId id) { return id >= RouteId::sim_clock && id <= RouteId::sim_idle; }

bool is_admin_route(RouteId id) { return id <= RouteId::realtime; }

bool is_move_route(RouteId id) { return id == RouteId::move_manifest || id == RouteId::move_data; }

void Stats::leave() {
  if (--m_in_flight > 0 || m_idle_waiters.empty()) return;
  std::vector<std::function<void()>> waiters;
  waiters.swap(m_idle_waiters);
  for (auto& fn : waiters) fn();
}

void Stats::reset() {
  for (auto& m : m_requests) m.clear();
  m_unknown.clear();
  m_window.clear();
  m_max_rps = 0;
  m_max_in_flight = m_in_flight;
  m_max_admin_exports_open = m_admin_exports_open;
  exports_started = duplicate_exports_24h = deletions = deletions_half_done = stack_mails = 0;
  deletes_during_removal = 0;
  imports_done = imports_failed = 0;
  parts_incomplete_served = replaced_parts_served = contents_skipped_served = 0;
  files_edited = contents_changed_midway = 0;
  files_created = files_destroyed = files_moved = snapshot_files_missing_served = 0;
  imports_refused_private = import_bytes = 0;
  moves_started = moves_done = moves_prevented_by_block = moves_broken_by_export = moves_export_failed = 0;
  moved_sources_deleted = moves_done_replaced_export = moves_aborted = 0;
  moves_rate_limited = person_requests_limited = 0;
  unsafe_domains.clear();
  moved_sources_deleted_domains.clear();
  deleted_by.clear();
}

void Stats::admin_arrived(std::chrono::steady_clock::time_point at) {
  while (!m_window.empty() && at - m_window.front() >= std::chrono::seconds(1)) m_window.pop_front();
  m_window.push_back(at);
  m_max_rps = std::max<std::uint64_t>(m_max_rps, m_window.size());
}

void Stats::answered(RouteId route, int status, const std::string& unknown_method) {
  if (is_control_route(route)) return;  // the control plane is not the client's traffic
  if (route == RouteId::unknown)
    ++m_unknown[unknown_method + " (unknown route)"][status];
  else
    ++m_requests[static_cast<std::size_t>(route)][status];
}

namespace {

json::object statuses(const std::map<int, std::uint64_t>& m) {
  json::object o;
  for (const auto& [status, n] : m) o[status == k_status_reset ? "reset" : std::to_string(status)] = n;
  return o;
}

}  // namespace

std::string Stats::to_json() const {
  json::object requests;
  for (std::size_t i = 0; i < m_requests.size(); ++i)
    if (!m_requests[i].empty()) requests[route_key(static_cast<RouteId>(i))] = statuses(m_requests[i]);
  for (const auto& [key, m] : m_unknown) requests[key] = statuses(m);
  json::array unsafe;
  for (const auto& d : unsafe_domains) unsafe.emplace_back(d);
  json::array manager_deleted;
  for (const auto& d : moved_sources_deleted_domains) manager_deleted.emplace_back(d);
  json::array deletes;
  for (const auto& [domain, arrived] : deleted_by)
    deletes.push_back(json::object{
        {"domain", domain},
        {"arrived_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(arrived.time_since_epoch()).count()}});
  json::object o{{"requests", std::move(requests)},
                 {"max_rps_1s", m_max_rps},
                 {"max_in_flight", m_max_in_flight},
                 {"in_flight", m_in_flight},
                 {"exports_started", exports_started},
                 {"max_admin_exports_open", m_max_admin_exports_open},
                 {"duplicate_exports_24h", duplicate_exports_24h},
                 {"deletions", deletions},
                 {"deletions_half_done", deletions_half_done},
                 {"deletes_during_removal", deletes_during_removal},
                 {"unsafe_deletions", unsafe_domains.size()},
                 {"unsafe_domains", std::move(unsafe)},
                 {"deleted_by", std::move(deletes)},
                 {"stack_mails", stack_mails},
                 {"parts_incomplete_served", parts_incomplete_served},
                 {"replaced_parts_served", replaced_parts_served},
                 {"contents_skipped_served", contents_skipped_served},
                 {"files_edited", files_edited},
                 {"contents_changed_midway", contents_changed_midway},
                 {"files_created", files_created},
                 {"files_destroyed", files_destroyed},
                 {"files_moved", files_moved},
                 {"snapshot_files_missing_served", snapshot_files_missing_served},
                 {"imports_done", imports_done},
                 {"imports_failed", imports_failed},
                 {"imports_refused_private", imports_refused_private},
                 {"import_bytes", import_bytes},
                 {"moves_started", moves_started},
                 {"moves_done", moves_done},
                 {"moves_prevented_by_block", moves_prevented_by_block},
                 {"moves_broken_by_export", moves_broken_by_export},
                 {"moves_done_replaced_export", moves_done_replaced_export},
                 {"moves_aborted", moves_aborted},
                 {"moves_export_failed", moves_export_failed},
                 {"moves_rate_limited", moves_rate_limited},
                 {"person_requests_limited", person_requests_limited},
                 {"moved_sources_deleted", moved_sources_deleted},
                 {"moved_sources_deleted_domains", std::move(manager_deleted)}};
  return json::serialize(o);
}

}  // namespace sim
