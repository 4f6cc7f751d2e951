#pragma once
// The simulator's HTTP surface, transport-free: routing, auth, faults and
// the handlers. The server calls begin() when headers arrive, waits
// ticket.delay_ms, then handle(), then end() once the answer is out.
#include "auth.hpp"
#include "faults.hpp"
#include "http_types.hpp"
#include "stats.hpp"
#include "world.hpp"

#include <chrono>
#include <optional>

namespace sim {

// Which port a request came in on: the admin API's, or the public one where
// a stack serves its instances' own routes (/move/*).
enum class Listener : std::uint8_t { admin, instance };

struct Ticket {
  RouteId route = RouteId::unknown;
  std::string method;
  std::string domain;     // :domain, or the move token
  std::string export_id;  // :export-id
  std::int64_t delay_ms = 0;
  // When its headers were read: before any injected latency or stall.
  std::chrono::steady_clock::time_point arrived;
  bool reset_before = false;
  bool reset_after = false;
  bool in_flight = false;
  std::optional<Response> early;  // answered before the handler
};

class Api {
public:
  Api(World& world, Stats& stats, SimClock& clock, Faults& faults, std::string passphrase);

  // Routes served on the other listener answer 404 here, as on the stack.
  Ticket begin(const Request& req, bool websocket_upgrade, Listener listener);
  Response handle(Ticket& ticket, const Request& req);
  // `status` 0 (k_status_reset) when the connection was closed instead.
  void end(Ticket& ticket, int status);

  const Faults& faults() const { return m_faults; }
  // GET /_sim/idle?timeout_ms=N (a long poll): how long the server may
  // hold the answer while a client request is in flight; 0 when the query
  // is invalid (the handler then answers 400).
  static std::int64_t idle_wait_ms(const Request& req);
  bool idle() const { return m_stats.in_flight() == 0; }
  // `fn` runs on the event loop once no client request is in flight.
  void when_idle(std::function<void()> fn) { m_stats.when_idle(std::move(fn)); }

private:
  void classify(Ticket& t, std::string_view method, std::string_view target) const;
  void apply_faults(Ticket& t);
  Response admin(Ticket& t, const Request& req);
  Response without_global_db(const Ticket& t);
  Response control(Ticket& t, const Request& req);
  Response move(Ticket& t, const Request& req);

  // Admin handlers (api_admin.cpp).
  Response list(const Request& req);
  Response get(const Ticket& t);
  Response disk_usage(const Ticket& t, const Request& req);
  Response last_activity(const Ticket& t);
  Response patch(const Ticket& t, const Request& req);
  Response export_post(const Ticket& t, const Request& req);
  Response import(const Ticket& t, const Request& req);
  Response del(const Ticket& t);
  Response delete_again(std::uint32_t index);
  Response answer_after_first_delete(std::uint32_t index);
  Response half_deleted_error(std::uint32_t index) const;
  // A part download, from the admin route or the move route. A replaced
  // export's part (`replaced`) is served as the stack serves it once its
  // archive is gone: part 0 an empty zip, the others the current files; it
  // never counts as read.
  Response part(std::uint32_t index, const ExportDoc& e, const Request& req, bool may_truncate, bool replaced = false);

  // Control handlers (api_control.cpp).
  Response clock(const Request& req);
  Response put_faults(const Request& req);
  Response sim_export(const Ticket& t);
  Response user_export(const Request& req);
  Response edit_files(const Request& req);
  Response change_files(const Request& req);
  Response idle_answer(const Request& req) const;
  void change_files_before_listing(std::uint32_t index);
  bool edit_midway(std::uint32_t index, std::vector<ZipEntry>& entries);
  Response manifest(const Ticket& t);
  Response move_data(const Ticket& t, const Request& req);
  const ExportDoc* live_export(const std::string& id, std::uint32_t& index) const;

  World& m_world;
  Stats& m_stats;
  SimClock& m_clock;
  Faults& m_faults;
  AdminAuth m_auth;
};

// Small helpers shared by the handler files.
Response json_response(int status, std::string body, const char* type = "application/json");
Response error_response(int status, const std::string& title, const std::string& detail);
std::string percent_decode(std::string_view in, bool plus_is_space);
std::optional<std::string> query_param(std::string_view target, std::string_view name);
// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view s);

}  // namespace sim
