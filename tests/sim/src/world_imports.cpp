// Import jobs of the World: fetch a manifest and its parts over HTTP.
#include "world.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

namespace json = boost::json;

namespace sim {
namespace {

std::chrono::milliseconds draw_ms(Rng& rng, const Range& r) { return std::chrono::milliseconds(rng.between(r.lo, r.hi)); }

// Looks like a complete zip: local header at the start, end of central
// directory near the end.
bool looks_like_zip(const std::string& body) {
  if (body.size() < 22 || body.compare(0, 2, "PK") != 0) return false;
  const std::size_t from = body.size() > 65'557 ? body.size() - 65'557 : 0;
  return body.find("PK\x05\x06", from) != std::string::npos;
}

}  // namespace

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
