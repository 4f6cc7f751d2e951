#pragma once
// Counters read by GET /_sim/stats. Single-threaded: only the event loop
// touches them.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sim {

// Every route the simulator knows; the stats key of each is in route_key().
enum class RouteId : std::uint8_t {
  list, count, get, disk_usage, last_activity, patch, export_post, export_data, import, del,
  realtime, move_manifest, move_data,
  sim_clock, sim_faults_get, sim_faults_put, sim_stats, sim_stats_reset, sim_user_export, sim_export,
  sim_edit_files,
  sim_change_files,
  sim_idle,
  unknown,
  k_count
};

const char* route_key(RouteId id);     // "GET /instances/:domain"
bool is_admin_route(RouteId id);       // eligible for faults and rate counting
bool is_control_route(RouteId id);     // /_sim/*
bool is_move_route(RouteId id);        // /move/*: the public listener's only routes

constexpr int k_status_reset = 0;  // the connection was closed instead of answered

class Stats {
public:
  void reset();
  // An admin request's headers arrived: updates the sliding 1-second window.
  void admin_arrived(std::chrono::steady_clock::time_point at);
  // Requests seen in the last second, this one included (for max_rps).
  std::size_t admin_in_last_second() const { return m_window.size(); }
  void enter() { m_max_in_flight = std::max(m_max_in_flight, ++m_in_flight); }
  // Calls (once) the functions given to when_idle() when the last request
  // in flight leaves.
  void leave();
  std::uint64_t in_flight() const { return m_in_flight; }
  // `fn` runs on the event loop when no client request is in flight any
  // more (never from inside this call).
  void when_idle(std::function<void()> fn) { m_idle_waiters.push_back(std::move(fn)); }
  void answered(RouteId route, int status, const std::string& unknown_method = {});
  std::string to_json() const;

  // Exports the admin API asked for, from the request until their job
  // ends (done, error, refused): what max_exports_in_flight caps.
  void admin_export_opened() { m_max_admin_exports_open = std::max(m_max_admin_exports_open, ++m_admin_exports_open); }
  void admin_export_closed() { --m_admin_exports_open; }

  std::uint64_t exports_started = 0;
  std::uint64_t duplicate_exports_24h = 0;
  std::uint64_t deletions = 0;
  std::uint64_t deletions_half_done = 0;
  std::uint64_t deletes_during_removal = 0;  // DELETEs while another removed the databases and files, flag off  // DELETEs that failed after clearing `deleting` (delete_half)
  std::uint64_t stack_mails = 0;
  std::uint64_t parts_incomplete_served = 0;  // sent cut (truncate_part) or with entries missing
  std::uint64_t replaced_parts_served = 0;    // parts of a replaced export sent whole (200): never a read
  std::uint64_t contents_skipped_served = 0;  // contents left out (skip_file_content) of parts otherwise sent whole
  std::uint64_t files_edited = 0;             // file contents rewritten (/_sim/edit-files, edit_during_download)
  std::uint64_t contents_changed_midway = 0;  // part downloads that lost a content to edit_during_download
  std::uint64_t files_created = 0;            // new files (/_sim/change-files, files_change)
  std::uint64_t files_destroyed = 0;          // files destroyed with their old versions (idem)
  std::uint64_t files_moved = 0;              // files moved to another folder or renamed (idem)
  std::uint64_t snapshot_files_missing_served = 0;  // part downloads sent whole that lack files destroyed since the export
  std::uint64_t imports_done = 0;
  std::uint64_t imports_failed = 0;
  std::uint64_t imports_refused_private = 0;  // fetches not dialed: loopback, private address or port (safe_http.hpp)
  std::uint64_t import_bytes = 0;  // files + versions restored by successful imports
  // People's own moves (world_moves.cpp).
  std::uint64_t moves_started = 0;             // went: the move's export was queued
  std::uint64_t moves_done = 0;                // finalized: the source reports moved
  std::uint64_t moves_prevented_by_block = 0;  // the source was blocked (not MOVING/IMPORTING) at the go or the end
  std::uint64_t moves_broken_by_export = 0;    // the move's export replaced (several parts), or refused for another one running
  std::uint64_t moves_done_replaced_export = 0;  // finalized though their single-part export was replaced before the end
  std::uint64_t moves_aborted = 0;             // the target's failed import called /move/abort: the source unblocked
  std::uint64_t moves_rate_limited = 0;         // movers refused by their own 5-per-24 h counter at the go
  std::uint64_t person_requests_limited = 0;    // /_sim/user-export refused by that counter (404)
  std::uint64_t moves_export_failed = 0;       // the move's export ended in error
  std::uint64_t moved_sources_deleted = 0;     // deleted by the hoster's manager 30 days after the move
  std::vector<std::string> unsafe_domains;
  std::vector<std::string> moved_sources_deleted_domains;  // which ones the manager deleted
  // Every DELETE whose deletion removed its instance, with the moment it
  // arrived (on CLOCK_MONOTONIC, which a test on this machine reads too):
  // a deletion the client asked for before some event of the test, or
  // after it, told apart without waiting.
  struct DeleteArrival {
    std::string domain;
    std::chrono::steady_clock::time_point arrived;
  };
  std::vector<DeleteArrival> deleted_by;

private:
  std::array<std::map<int, std::uint64_t>, static_cast<std::size_t>(RouteId::k_count)> m_requests;
  std::map<std::string, std::map<int, std::uint64_t>> m_unknown;
  std::deque<std::chrono::steady_clock::time_point> m_window;
  std::uint64_t m_max_rps = 0;
  std::uint64_t m_in_flight = 0;
  std::uint64_t m_max_in_flight = 0;
  std::uint64_t m_admin_exports_open = 0;
  std::uint64_t m_max_admin_exports_open = 0;
  std::vector<std::function<void()>> m_idle_waiters;
};

}  // namespace sim
