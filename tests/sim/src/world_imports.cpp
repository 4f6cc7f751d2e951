// Import jobs of the World, run as cozy-stack's ImportWorker runs them
// (worker/moves, model/move/import.go, importer.go): the job blocks the
// target, fetches the manifest, wipes the target, then fetches and restores
// each part in turn, and unblocks the target whatever the outcome.
#include "world.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include <cctype>

namespace json = boost::json;

namespace sim {
namespace {

std::chrono::milliseconds draw_ms(Rng& rng, const Range& r) { return std::chrono::milliseconds(rng.between(r.lo, r.hi)); }

// The attributes of a manifest that is a JSON:API export document in state
// `done`; null otherwise.
const json::object* done_manifest(const FetchResult& manifest, json::value& doc) {
  if (manifest.status != 200) return nullptr;
  boost::system::error_code ec;
  doc = json::parse(manifest.body, ec);
  const json::object* attrs = nullptr;
  if (!ec && doc.is_object())
    if (auto* data = doc.as_object().if_contains("data"); data && data->is_object())
      if (auto* a = data->as_object().if_contains("attributes"); a && a->is_object()) attrs = &a->as_object();
  const json::value* state = attrs ? attrs->if_contains("state") : nullptr;
  return state && state->is_string() && state->as_string() == "done" ? attrs : nullptr;
}

std::vector<std::string> parts_cursors(const json::object& attrs) {
  std::vector<std::string> cursors;
  if (auto* c = attrs.if_contains("parts_cursors"); c && c->is_array())
    for (const auto& x : c->as_array())
      if (x.is_string()) cursors.emplace_back(x.as_string());
  return cursors;
}

// Go's url.QueryEscape.
std::string query_escape(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

}  // namespace

// Part `job.part`'s URL as downloadFile builds it: the first
// `/move/exports/` of the path becomes `/move/exports/data/` (a URL without
// it is fetched as is), and every part after the first has `?cursor=C` for
// a query.
std::string ImportJob::part_url() const {
  auto parsed = boost::urls::parse_uri_reference(manifest_url);
  if (!parsed) return manifest_url;
  boost::urls::url u(*parsed);
  std::string path(u.encoded_path());
  if (const auto at = path.find("/move/exports/"); at != std::string::npos) {
    path.replace(at, 14, "/move/exports/data/");
    u.set_encoded_path(path);
  }
  if (part > 0) u.set_encoded_query("cursor=" + query_escape(cursors[part - 1]));
  return std::string(u.buffer());
}

// The handler only queues the job: the target is untouched until the job
// starts, a little later, and blocks it.
void World::request_import(std::uint32_t index, const std::string& manifest_url) {
  m_runtime.after(draw_ms(m_rng, m_options.import_start_ms),
                  [this, index, manifest_url] { start_import(index, manifest_url); });
}

void World::start_import(std::uint32_t index, const std::string& manifest_url) {
  if (!is_live(index)) return;  // deleted meanwhile: the job finds no instance
  auto& s = touch(index);
  s.blocked = true;
  s.blocking_reason = "IMPORTING";
  ++s.rev;
  publish_instance("UPDATED", index);
  ImportJob job;
  job.manifest_url = manifest_url;
  m_runtime.fetch(manifest_url, [this, index, job = std::move(job)](FetchResult r) mutable {
    import_fetched(index, std::move(job), std::move(r));
  });
}

void World::import_fetched(std::uint32_t index, ImportJob job, FetchResult manifest) {
  if (manifest.refused) ++m_stats.imports_refused_private;
  json::value doc;
  const json::object* attrs = done_manifest(manifest, doc);
  if (!attrs) return import_end(index, false);  // nothing wiped
  job.cursors = parts_cursors(*attrs);
  wipe_for_import(index);
  import_part(index, std::move(job));
}

// lifecycle.Reset: every database and file of the target goes. Export
// documents live in the stack's global database and their archives in its
// global `exports` store: the target's exports, current and replaced, stay.
void World::wipe_for_import(std::uint32_t index) {
  auto& s = touch(index);
  s.imported = ContentUsage{};
  s.imported->doc_count = 2;  // the root and trash directories, made again by the reset
  s.last_done_export_read = false;  // no export holds what the import brings
  ++s.content_rev;
  ++s.rev;
}

void World::import_part(std::uint32_t index, ImportJob job) {
  const std::string url = job.part_url();
  m_runtime.fetch(url, [this, index, job = std::move(job)](FetchResult r) mutable {
    part_fetched(index, std::move(job), std::move(r));
  });
}

// A part is restored before the next one is fetched, so the target's usage
// grows part by part. A failed first part ends the import; a later one
// fails it only once every other part has been imported.
void World::part_fetched(std::uint32_t index, ImportJob job, FetchResult part) {
  if (part.refused) ++m_stats.imports_refused_private;
  PartRestore restore;
  const ContentUsage& so_far = *touch(index).imported;
  const QuotaCheck quota{view(index).quota, so_far.files + so_far.versions};
  if (part.status == 200) restore = restore_part(part.body, quota, &job.folders);
  else restore.errors.emplace_back("export not found");
  *touch(index).imported += restore.restored;
  ++touch(index).content_rev;  // the space now holds what this part brought
  if (!restore.errors.empty()) {
    if (job.part == 0) return import_end(index, false);
    job.failed = true;
  }
  ++job.part;
  if (job.part <= job.cursors.size()) return import_part(index, std::move(job));
  if (job.failed) return import_end(index, false);
  if (m_rng.chance(m_faults.import_never_finish)) return;  // stays IMPORTING for good
  m_runtime.after(draw_ms(m_rng, m_options.import_ms), [this, index] { import_end(index, true); });
}

void World::import_end(std::uint32_t index, bool ok) {
  auto& s = touch(index);
  s.blocked = false;  // any earlier block is lifted too
  s.blocking_reason.clear();
  ++s.rev;
  publish_instance("UPDATED", index);
  ++m_stats.stack_mails;  // the target's owner is told the outcome
  ++(ok ? m_stats.imports_done : m_stats.imports_failed);
  if (ok && s.imported) m_stats.import_bytes += static_cast<std::uint64_t>(s.imported->files + s.imported->versions);
}

}  // namespace sim
