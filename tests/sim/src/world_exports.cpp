// Export jobs of the World and the events they publish.
#include <iostream>

#include "export_layout.hpp"
#include "render.hpp"
#include "world.hpp"

namespace sim {
namespace {

constexpr std::int64_t k_day_ms = 86'400'000;

std::chrono::milliseconds draw_ms(Rng& rng, const Range& r) { return std::chrono::milliseconds(rng.between(r.lo, r.hi)); }

// What err.Error() says when writeArchive fails (export_error).
std::string export_error_reason(std::uint64_t draw) {
  static constexpr const char* k_reasons[] = {
      "The export failed: io.cozy.files: connection reset",
      "The export failed: CouchDB(service_unavailable): service_unavailable",
      "The export failed: unexpected EOF"};
  return k_reasons[draw % std::size(k_reasons)];
}

}  // namespace

std::string World::request_export(std::uint32_t index, bool admin_req, ExportOrigin origin) {
  auto& s = touch(index);
  if (origin == ExportOrigin::admin_api) {  // the person's own requests are not the client's duplicates
    const auto now = now_ms();
    if (s.last_export_request_ms && now < *s.last_export_request_ms + k_day_ms) {
      ++m_stats.duplicate_exports_24h;
      // Which space, and how close: what a test that counts one needs to find it.
      std::cerr << "duplicate export within 24 h: " << domain(index) << ", "
                << (now - *s.last_export_request_ms) / 1000 << " s after the previous request\n";
    }
    s.last_export_request_ms = now;
  }
  if (origin == ExportOrigin::admin_api) m_stats.admin_export_opened();
  m_export_queue.push_back({index, admin_req, origin});
  start_next_export();
  return couch_id(mix64(m_options.seed ^ 0x10b) + ++m_sequence);
}

void World::start_next_export() {
  while (m_exports_running < m_options.export_workers && !m_export_queue.empty()) {
    const QueuedExport job = m_export_queue.front();
    m_export_queue.pop_front();
    ++m_exports_running;
    // Jobs start from the loop, never inside the HTTP handler.
    m_runtime.after(std::chrono::milliseconds(0), [this, job] { run_export(job); });
  }
}

void World::release_export_worker() {
  --m_exports_running;
  start_next_export();
}

// exportFiles packs the space as it is when the export is created.
void World::plan_export_doc(std::uint32_t index, ExportDoc& doc) const {
  doc.plan = plan_export(view(index).used, profile(index).key, m_options.size_scale, file_changes(index),
                         doc.created_ms);
  doc.parts_read.assign(doc.plan.declared.size(), false);
}

std::unique_ptr<ExportDoc> World::new_export_doc(std::uint32_t index, bool admin_req) {
  const auto now = now_ms();
  auto doc = std::make_unique<ExportDoc>();
  doc->id = couch_id(mix64(m_options.seed ^ 0xe4) + ++m_sequence);
  doc->content_rev = touch(index).content_rev;
  doc->created_ms = now;
  doc->expires_ms = now + 7 * k_day_ms;
  doc->admin_req = admin_req;
  plan_export_doc(index, *doc);
  // export_silent_fail: a job whose events never reach this socket, as on a
  // stack run as several processes without a realtime hub.
  doc->events_lost = m_rng.chance(m_faults.export_silent_fail);
  return doc;
}

void World::publish_instance(const char* event, std::uint32_t index) {
  m_runtime.publish("instances", instance_event(event, view(index)));
}

void World::publish_export(const char* event, std::uint32_t index, const ExportDoc& e) {
  if (!e.events_lost) m_runtime.publish("io.cozy.exports", export_event(event, e, domain(index)));
}

void World::run_export(const QueuedExport& job) {
  const std::uint32_t index = job.index;
  auto& s = touch(index);
  const bool conflict = s.current_export && s.current_export->state == "exporting" &&
                        now_ms() < s.current_export->created_ms + k_day_ms;
  const bool for_move = job.origin == ExportOrigin::move && s.move == MovePhase::going;
  if (s.deleted || conflict) {  // 409 inside the job: no doc, no event
    if (for_move && !s.deleted) {  // CreateExport fails: the move aborts
      s.move = MovePhase::broken;
      ++m_stats.moves_broken_by_export;
    }
    if (job.origin == ExportOrigin::admin_api) m_stats.admin_export_closed();
    return release_export_worker();
  }
  if (s.move == MovePhase::going && s.current_export && s.current_export->id == s.move_export_id)
    move_export_replaced(s);  // the move's archive is deleted under the target's import
  retire_export(s);  // a new export deletes the previous one's archive; its document stays
  s.current_export = new_export_doc(index, job.admin_req);
  ExportDoc& e = *s.current_export;
  if (for_move) {  // the export of the go, even when the clock jumped past it
    e.created_ms = s.move_go_ms;
    e.expires_ms = s.move_go_ms + 7 * k_day_ms;
    plan_export_doc(index, e);
    s.move_export_id = e.id;
  }
  m_export_owner[e.id] = index;
  ++m_stats.exports_started;
  publish_export("CREATED", index, e);
  // Stays `exporting` for good, and keeps its worker: the stack's job runs
  // its function synchronously on one of its CPU-many workers, and the 1 h
  // Timeout is a context CreateExport never reads.
  if (m_rng.chance(m_faults.export_never_finish)) return;
  m_runtime.after(draw_ms(m_rng, m_options.export_ms),
                  [this, index, id = e.id, job] { finish_export(index, id, job); });
}

void World::finish_export(std::uint32_t index, std::string id, const QueuedExport& job) {
  const bool admin_req = job.admin_req;
  if (job.origin == ExportOrigin::admin_api) m_stats.admin_export_closed();
  release_export_worker();
  auto& s = touch(index);
  if (!s.current_export || s.current_export->id != id) return;  // deleted meanwhile
  ExportDoc& e = *s.current_export;
  ++e.rev;
  if (database_gone(index, "io.cozy.files")) {  // exportFiles walks io.cozy.files, which is gone
    e.state = "error";
    e.error = "The export failed: Database does not exist.";
  } else if (e.events_lost || m_rng.chance(m_faults.export_error)) {
    e.state = "error";
    e.error = e.events_lost ? "exporting: unexpected EOF" : export_error_reason(m_rng.next());
  } else {
    e.state = "done";
    // The job writes the JSON documents once, into an archive part 0 streams
    // later as it is; MarksAsFinished stores their size.
    e.instance_json = instance_json(index);
    e.total_size = json_documents_size({e.instance_json, {}, profile(index).key, e.created_ms});
    // A new export of a space that has not changed since one was read
    // whole takes nothing out of that copy.
    s.last_done_export_read = s.read_content_rev == s.content_rev;
  }
  publish_export("UPDATED", index, e);  // MarksAsFinished
  if (s.move == MovePhase::going && e.id == s.move_export_id) return move_export_ended(index, s);
  if (!admin_req) {
    ++m_stats.stack_mails;  // download link or failure mail to the person; nothing to the admin
    return;
  }
  if (e.state == "done") publish_export("CREATED", index, e);  // NotifyRealtime
}

void World::part_read(std::uint32_t index, const std::string& id, std::size_t part, bool whole) {
  auto& s = touch(index);
  if (!whole || !s.current_export || s.current_export->id != id) return;
  ExportDoc& e = *s.current_export;
  if (part >= e.parts_read.size()) return;
  e.parts_read[part] = true;
  if (e.fully_read || std::find(e.parts_read.begin(), e.parts_read.end(), false) != e.parts_read.end()) return;
  e.fully_read = true;
  if (e.state == "done") {
    s.last_done_export_read = true;
    s.read_content_rev = e.content_rev;
  }
  if (!s.activity_bumped && profile(index).active_draw < m_options.active_share) {
    s.activity_day = day_of(now_ms());
    s.activity_bumped = true;
  }
}

}  // namespace sim
