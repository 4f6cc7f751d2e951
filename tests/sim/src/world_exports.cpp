// Export and import jobs of the World.
#include "export_layout.hpp"
#include "render.hpp"
#include "world.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

namespace json = boost::json;

namespace sim {
namespace {

constexpr std::int64_t k_day_ms = 86'400'000;

std::chrono::milliseconds draw_ms(Rng& rng, const Range& r) { return std::chrono::milliseconds(rng.between(r.lo, r.hi)); }

// Looks like a complete zip: local header at the start, end of central
// directory near the end.
bool looks_like_zip(const std::string& body) {
  if (body.size() < 22 || body.compare(0, 2, "PK") != 0) return false;
  const std::size_t from = body.size() > 65'557 ? body.size() - 65'557 : 0;
  return body.find("PK\x05\x06", from) != std::string::npos;
}

}  // namespace

std::string World::request_export(std::uint32_t index, bool admin_req) {
  auto& s = touch(index);
  const auto now = now_ms();
  if (s.last_export_request_ms && now < *s.last_export_request_ms + k_day_ms) ++m_stats.duplicate_exports_24h;
  s.last_export_request_ms = now;
  m_export_queue.emplace_back(index, admin_req);
  start_next_export();
  return couch_id(mix64(m_options.seed ^ 0x10b) + ++m_sequence);
}

void World::start_next_export() {
  while (m_exports_running < m_options.export_workers && !m_export_queue.empty()) {
    const auto [index, admin_req] = m_export_queue.front();
    m_export_queue.pop_front();
    ++m_exports_running;
    // Jobs start from the loop, never inside the HTTP handler.
    m_runtime.after(std::chrono::milliseconds(0), [this, index, admin_req] { run_export(index, admin_req); });
  }
}

void World::run_export(std::uint32_t index, bool admin_req) {
  auto& s = touch(index);
  const auto now = now_ms();
  const bool conflict = s.current_export && s.current_export->state == "exporting" &&
                        now < s.current_export->created_ms + k_day_ms;
  if (s.deleted || conflict) {  // the job fails (409 inside the job): nothing said, no event
    --m_exports_running;
    start_next_export();
    return;
  }
  drop_export(s);  // a new export deletes the previous one
  auto doc = std::make_unique<ExportDoc>();
  doc->id = couch_id(mix64(m_options.seed ^ 0xe4) + ++m_sequence);
  doc->created_ms = now;
  doc->expires_ms = now + 7 * k_day_ms;
  doc->total_size = view(index).used;
  doc->admin_req = admin_req;
  const PartPlan plan = plan_parts(doc->total_size, mix64(std::hash<std::string>{}(doc->id)));
  doc->parts_size = plan.parts_size;
  doc->cursors = plan.cursors;
  doc->declared = plan.declared;
  doc->parts_read.assign(plan.declared.size(), false);
  m_export_owner[doc->id] = index;
  const std::string id = doc->id;
  s.current_export = std::move(doc);
  ++m_stats.exports_started;
  if (m_rng.chance(m_faults.export_never_finish)) {
    // Stays `exporting` for good; the worker is released so others proceed.
    --m_exports_running;
    start_next_export();
    return;
  }
  m_runtime.after(draw_ms(m_rng, m_options.export_ms), [this, index, id, admin_req] { finish_export(index, id, admin_req); });
}

void World::finish_export(std::uint32_t index, std::string id, bool admin_req) {
  --m_exports_running;
  start_next_export();
  auto& s = touch(index);
  if (!s.current_export || s.current_export->id != id) return;  // deleted meanwhile
  ExportDoc& e = *s.current_export;
  ++e.rev;
  if (m_rng.chance(m_faults.export_silent_fail)) {
    e.state = "error";
    e.error = "exporting: unexpected EOF";
  } else {
    e.state = "done";
    s.last_done_export_read = false;
  }
  if (!admin_req) {
    ++m_stats.stack_mails;  // download link or failure mail to the person; nothing to the admin
    return;
  }
  if (e.state == "done") m_runtime.publish("io.cozy.exports", export_event(e, domain(index)));
}

void World::part_read(std::uint32_t index, const std::string& id, std::size_t part, bool whole) {
  auto& s = touch(index);
  if (!whole || !s.current_export || s.current_export->id != id) return;
  ExportDoc& e = *s.current_export;
  if (part >= e.parts_read.size()) return;
  e.parts_read[part] = true;
  if (e.fully_read || std::find(e.parts_read.begin(), e.parts_read.end(), false) != e.parts_read.end()) return;
  e.fully_read = true;
  if (e.state == "done") s.last_done_export_read = true;
  if (!s.activity_bumped && profile(index).active_draw < m_options.active_share) {
    s.activity_day = day_of(now_ms());
    s.activity_bumped = true;
  }
}

void World::request_import(std::uint32_t index, const std::string& manifest_url) {
  auto& s = touch(index);
  s.blocked = true;
  s.blocking_reason = "IMPORTING";
  ++s.rev;
  m_runtime.fetch(manifest_url, [this, index, manifest_url](FetchResult r) {
    import_fetched(index, manifest_url, std::move(r));
  });
}

void World::import_fetched(std::uint32_t index, std::string manifest_url, FetchResult manifest) {
  boost::system::error_code ec;
  const json::value doc = json::parse(manifest.body, ec);
  const json::object* attrs = nullptr;
  if (!ec && doc.is_object())
    if (auto* data = doc.as_object().if_contains("data"); data && data->is_object())
      if (auto* a = data->as_object().if_contains("attributes"); a && a->is_object()) attrs = &a->as_object();
  const json::value* state = attrs ? attrs->if_contains("state") : nullptr;
  if (manifest.status != 200 || !state || !state->is_string() || state->as_string() != "done")
    return import_end(index, false, view(index).used);
  std::vector<std::string> cursors;
  if (auto* c = attrs->if_contains("parts_cursors"); c && c->is_array())
    for (const auto& x : c->as_array())
      if (x.is_string()) cursors.emplace_back(x.as_string());
  std::int64_t total = 0;
  if (auto* t = attrs->if_contains("total_size"); t && t->is_int64()) total = t->as_int64();
  auto& s = touch(index);
  drop_export(s);  // the import wipes the target first
  s.used = 0;
  const auto at = manifest_url.find("/move/exports/");
  if (at == std::string::npos) return import_end(index, false, 0);
  std::string base = manifest_url;
  base.replace(at, 14, "/move/exports/data/");
  import_parts(index, std::move(base), std::move(cursors), 0, total);
}

void World::import_parts(std::uint32_t index, std::string base, std::vector<std::string> cursors, std::size_t next,
                         std::int64_t total) {
  if (next > cursors.size()) {
    if (m_rng.chance(m_faults.import_never_finish)) return;  // stays IMPORTING for good
    m_runtime.after(draw_ms(m_rng, m_options.import_ms), [this, index, total] { import_end(index, true, total); });
    return;
  }
  std::string url = base;
  if (next > 0) {
    boost::urls::url u(base);
    u.params().set("cursor", cursors[next - 1]);
    url = std::string(u.buffer());
  }
  m_runtime.fetch(url, [this, index, base, cursors, next, total](FetchResult r) mutable {
    if (r.status != 200 || !looks_like_zip(r.body)) return import_end(index, false, 0);
    import_parts(index, std::move(base), std::move(cursors), next + 1, total);
  });
}

void World::import_end(std::uint32_t index, bool ok, std::int64_t used) {
  auto& s = touch(index);
  s.blocked = false;
  s.blocking_reason.clear();
  s.used = used;
  ++s.rev;
  ++m_stats.stack_mails;  // the target's owner is told the outcome
  ++(ok ? m_stats.imports_done : m_stats.imports_failed);
}

}  // namespace sim
