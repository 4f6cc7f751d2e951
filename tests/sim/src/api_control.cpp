// The simulator's control plane (/_sim/*) and the move routes a source
// serves to an importing stack (/move/exports/...).
#include "api.hpp"
#include "render.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace sim {

Response Api::control(Ticket& t, const Request& req) {
  switch (t.route) {
    case RouteId::sim_clock: return clock(req);
    case RouteId::sim_faults_get: return json_response(200, faults_to_json(m_faults));
    case RouteId::sim_faults_put: return put_faults(req);
    case RouteId::sim_stats: return json_response(200, m_stats.to_json());
    case RouteId::sim_stats_reset:
      m_stats.reset();
      return json_response(200, m_stats.to_json());
    case RouteId::sim_user_export: return user_export(req);
    case RouteId::sim_export: return sim_export(t);
    case RouteId::sim_edit_files: return edit_files(req);
    case RouteId::sim_change_files: return change_files(req);
    case RouteId::sim_idle: return idle_answer(req);
    default: return error_response(404, "Not Found", "no such route");
  }
}

Response Api::move(Ticket& t, const Request& req) {
  return t.route == RouteId::move_manifest ? manifest(t) : move_data(t, req);
}

Response Api::clock(const Request& req) {
  if (auto set = query_param(req.target, "set")) {
    auto ms = parse_iso(*set);
    if (!ms) return error_response(400, "Bad Request", "set: not an ISO 8601 time");
    m_clock.set(*ms);
  } else if (auto adv = query_param(req.target, "advance")) {
    try {
      std::size_t used = 0;
      const double s = std::stod(*adv, &used);
      if (used != adv->size()) throw std::invalid_argument("advance");
      m_clock.advance(static_cast<std::int64_t>(s * 1000));
    } catch (const std::exception&) {
      return error_response(400, "Bad Request", "advance: expected a number of seconds");
    }
  }
  m_world.settle();  // a jump runs every move step it passed, in order
  return json_response(200, R"({"now":")" + format_iso(m_clock.now_ms()) + "\"}");
}

namespace {

constexpr std::int64_t k_idle_max_wait_ms = 60'000;

// timeout_ms of /_sim/idle: absent is 0, else 0..k_idle_max_wait_ms.
std::optional<std::int64_t> idle_timeout(const Request& req) {
  const auto value = query_param(req.target, "timeout_ms");
  if (!value) return 0;
  if (value->empty() || value->size() > 5 || value->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const std::int64_t ms = std::stoll(*value);
  if (ms > k_idle_max_wait_ms) return std::nullopt;
  return ms;
}

}  // namespace

std::int64_t Api::idle_wait_ms(const Request& req) { return idle_timeout(req).value_or(0); }

// The server held this answer until no client request was in flight or
// timeout_ms passed (server.cpp); it says which.
Response Api::idle_answer(const Request& req) const {
  if (!idle_timeout(req)) return error_response(400, "Bad Request", "timeout_ms: a number of milliseconds, at most 60000");
  const auto in_flight = m_stats.in_flight();
  return json_response(200, R"({"idle":)" + std::string(in_flight == 0 ? "true" : "false") + R"(,"in_flight":)" +
                                std::to_string(in_flight) + "}");
}

Response Api::put_faults(const Request& req) {
  std::string error;
  auto f = parse_faults(std::string(req.body), error);
  if (!f) return error_response(400, "Bad Request", error);
  m_faults = *f;
  return json_response(200, faults_to_json(m_faults));
}

// An export that can be served: done and not expired (sim clock).
const ExportDoc* Api::live_export(const std::string& id, std::uint32_t& index) const {
  auto owner = m_world.export_owner(id);
  if (!owner || !m_world.is_live(*owner)) return nullptr;
  const ExportDoc* e = m_world.current_export(*owner);
  if (!e || e->id != id || e->state != "done" || m_world.now_ms() >= e->expires_ms) return nullptr;
  index = *owner;
  return e;
}

Response Api::sim_export(const Ticket& t) {
  auto index = m_world.find(t.domain);
  const ExportDoc* e = index ? m_world.current_export(*index) : nullptr;
  if (!e) return error_response(404, "Not Found", "no export for this instance");
  json::object o = export_doc_json(*e, t.domain);
  o["move_token"] = e->id;
  o["fully_read"] = e->fully_read;
  // For tests: the contents its parts leave out now (skip_file_content).
  json::array unreadable;
  for (const auto& f : unreadable_contents(e->plan, m_world.profile(*index).key, m_faults.skip_file_content))
    unreadable.push_back(json::object{{"_id", f.id}, {"name", f.name}, {"version", !f.file_id.empty()}});
  o["unreadable"] = std::move(unreadable);
  return json_response(200, json::serialize(o));
}

// Noise: the person asks for an export from their settings, as
// admin-req=false does (events, a mail, the previous export replaced, the
// stack's 24-hour conflict rule), without counting as the client's request.
Response Api::user_export(const Request& req) {
  const auto domain = query_param(req.target, "domain");
  if (!domain || domain->empty()) return error_response(400, "Bad Request", "domain is required");
  const auto index = m_world.find(*domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  if (!m_world.person_hit(*index, 1)) {  // web/move createExport: echo's 404, no job
    ++m_stats.person_requests_limited;
    return error_response(404, "Not Found", "Not found");
  }
  const auto job = m_world.request_export(*index, false, World::ExportOrigin::person);
  return json_response(202, job_document(job, *domain, false, m_world.now_ms()));
}

namespace {

// The query of /_sim/edit-files and /_sim/change-files: domain, count, activity.
struct FilesQuery {
  std::string domain;
  std::size_t count = 1;
  bool activity = false;
};

std::optional<FilesQuery> files_query(const Request& req, Response& error) {
  FilesQuery q;
  const auto domain = query_param(req.target, "domain");
  if (!domain || domain->empty()) return error = error_response(400, "Bad Request", "domain is required"), std::nullopt;
  q.domain = *domain;
  if (auto c = query_param(req.target, "count")) {
    if (c->empty() || c->size() > 4 || c->find_first_not_of("0123456789") != std::string::npos)
      return error = error_response(400, "Bad Request", "count: a number of files"), std::nullopt;
    q.count = std::stoul(*c);
  }
  const auto activity = parse_go_bool(query_param(req.target, "activity").value_or("false"));
  if (!activity) return error = error_response(400, "Bad Request", "activity takes a boolean"), std::nullopt;
  q.activity = *activity;
  return q;
}

std::optional<World::FileOp> file_op(const std::string& name) {
  if (name == "create") return World::FileOp::create;
  if (name == "destroy") return World::FileOp::destroy;
  if (name == "move") return World::FileOp::move;
  if (name == "rename") return World::FileOp::rename;
  if (name == "same") return World::FileOp::rewrite_same;
  return std::nullopt;
}

json::array files_json(const std::vector<SpaceFile>& files) {
  json::array out;
  for (const auto& f : files)
    out.push_back(json::object{{"_id", f.id},
                               {"name", f.name},
                               {"path", "/" + std::string(space_folders()[f.folder].path) + "/" + f.name},
                               {"size", f.size}});
  return out;
}

}  // namespace

// Noise: `count` files of the space are written now, by the person
// (`activity=true`: last-activity becomes today) or by a konnector or a
// sharing (no activity); later downloads and disk-usage see the new bytes.
Response Api::edit_files(const Request& req) {
  Response error;
  const auto q = files_query(req, error);
  if (!q) return error;
  const auto index = m_world.find(q->domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  const auto edited = m_world.change_files(*index, World::FileOp::rewrite, q->count, q->activity);
  return json_response(200, json::serialize(json::object{{"edited", files_json(edited)}}));
}

// Noise: `count` files are created, destroyed, moved or renamed now (`op`),
// by the person (`activity=true`) or by a konnector or a sharing; later
// downloads and disk-usage see the space as it is then.
Response Api::change_files(const Request& req) {
  Response error;
  const auto q = files_query(req, error);
  if (!q) return error;
  const auto op = file_op(query_param(req.target, "op").value_or(""));
  if (!op) return error_response(400, "Bad Request", "op: create, destroy, move, rename or same");
  const auto index = m_world.find(q->domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  const auto changed = m_world.change_files(*index, *op, q->count, q->activity);
  return json_response(200, json::serialize(json::object{{"changed", files_json(changed)}}));
}

// The token in /move/exports/<token> is the export document's id (the
// `payload.id` of the realtime event), see README.md.
// A replaced export (its archive deleted by a later export, its document
// still `done`) is found too, as GetExport finds the document: its manifest
// answers 200, its part 0 is an empty zip, its other parts the current files.
Response Api::manifest(const Ticket& t) {
  std::uint32_t index = 0;
  const ExportDoc* e = live_export(t.domain, index);
  if (!e) e = m_world.replaced_export_by_id(t.domain, index);
  if (!e) return error_response(404, "Not Found", "exports: not found or expired");
  json::object data{{"type", "io.cozy.exports"},
                    {"id", e->id},
                    {"attributes", export_doc_json(*e, m_world.domain(index))},
                    {"links", {{"self", "/move/exports/" + e->id}}}};
  return json_response(200, json::serialize(json::object{{"data", std::move(data)}}), "application/vnd.api+json");
}

Response Api::move_data(const Ticket& t, const Request& req) {
  std::uint32_t index = 0;
  if (const ExportDoc* e = live_export(t.domain, index)) return part(index, *e, req, false);
  const ExportDoc* old = m_world.replaced_export_by_id(t.domain, index);
  if (!old) return error_response(404, "Not Found", "exports: not found or expired");
  return part(index, *old, req, false, true);
}

}  // namespace sim
