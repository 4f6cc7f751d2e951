#include "world.hpp"

#include <algorithm>

namespace sim {

World::World(const SimOptions& options, Population population, SimClock& clock, Stats& stats, Runtime& runtime,
             const Faults& faults)
    : m_options(options),
      m_population(std::move(population)),
      m_clock(clock),
      m_stats(stats),
      m_runtime(runtime),
      m_faults(faults),
      m_rng(mix64(options.seed ^ 0xfa17)),
      m_start_day(day_of(clock.now_ms())) {}

std::optional<std::uint32_t> World::find(std::string_view domain) const {
  auto index = m_population.find(domain);
  if (!index || !is_live(*index)) return std::nullopt;
  return index;
}

bool World::is_live(std::uint32_t index) const {
  const auto* s = state(index);
  return !s || !s->deleted;
}

InstanceState& World::touch(std::uint32_t index) { return m_states[index]; }

const InstanceState* World::state(std::uint32_t index) const {
  auto it = m_states.find(index);
  return it == m_states.end() ? nullptr : &it->second;
}

Profile World::profile(std::uint32_t index) const {
  return make_profile(m_population.domain(index), m_options.seed, m_start_day);
}

InstanceView World::view(std::uint32_t index) const {
  InstanceView v;
  v.index = index;
  v.domain = m_population.domain(index);
  v.profile = make_profile(v.domain, m_options.seed, m_start_day);
  const InstanceState* s = state(index);
  v.locale = s && s->locale ? *s->locale : v.profile.locale;
  v.quota = s && s->quota ? *s->quota : v.profile.quota;
  v.used = v.profile.used;
  if (s && s->imported) {
    v.imported = s->imported;
    v.used = s->imported->files + s->imported->versions;
  }
  if (!s) return v;
  v.blocked = s->blocked;
  v.blocking_reason = s->blocking_reason;
  v.deleting = s->deleting;
  v.rev = s->rev;
  v.moved = s->move == MovePhase::moved;
  return v;
}

std::string World::last_activity(std::uint32_t index) const {
  const InstanceState* s = state(index);
  if (s && s->activity_day) return format_day(*s->activity_day);
  const auto day = profile(index).last_activity_day;
  return day < 0 ? "2018-01-01" : format_day(day);
}

void World::patch(std::uint32_t index, const Patch& p) {
  auto& s = touch(index);
  if (p.blocked) {
    s.blocked = *p.blocked;
    // Blocked=false keeps the reason, as the stack does.
    if (*p.blocked && !p.blocking_reason && s.blocking_reason.empty()) s.blocking_reason = "UNKNOWN";
  }
  if (p.blocking_reason) s.blocking_reason = *p.blocking_reason;
  if (p.disk_quota) s.quota = *p.disk_quota;
  if (p.locale) s.locale = *p.locale;
  if (p.deleting) s.deleting = *p.deleting;
  ++s.rev;
  publish_instance("UPDATED", index);
}

World::DeleteStart World::begin_delete(std::uint32_t index, std::int64_t delay_ms) {
  auto& s = touch(index);
  if (s.deleting) return DeleteStart::already_requested;
  if (s.delete_tail) return DeleteStart::during_tail;
  s.deleting = s.deleting_now = true;
  s.delete_cleanup_failed = false;
  s.delete_ends = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  ++s.rev;
  publish_instance("UPDATED", index);
  const auto cleanup = static_cast<std::int64_t>(static_cast<double>(delay_ms) * m_options.delete_cleanup_share);
  m_runtime.after(std::chrono::milliseconds(cleanup),
                  [this, index, run = ++s.delete_runs] { delete_cleanup_done(index, run); });
  return DeleteStart::started;
}

std::int64_t World::delete_remaining_ms(std::uint32_t index) const {
  const auto* s = state(index);
  if (!s || !s->deleting_now) return 0;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s->delete_ends - std::chrono::steady_clock::now());
  return std::max<std::int64_t>(0, left.count());
}

bool World::delete_running(std::uint32_t index) const {
  const auto* s = state(index);
  return s != nullptr && s->deleting_now;
}

void World::delete_cleanup_done(std::uint32_t index, std::uint32_t run) {
  auto& s = touch(index);
  if (run != s.delete_runs || !s.deleting_now || s.delete_tail || s.delete_cleanup_failed) return;
  if (m_rng.chance(m_faults.delete_stuck)) {  // the konnector clean-up failed: `deleting` stays set
    s.delete_cleanup_failed = true;
    return;
  }
  const bool moved = s.move == MovePhase::moved;  // a moved source is deleted safely
  // Data is lost from the first removal on: a deletion is judged then, once.
  if (!s.last_done_export_read && !moved && !s.half_deleted)
    m_stats.unsafe_domains.push_back(m_population.domain(index));
  // Destroy clears `deleting` once the konnectors are cleaned, before
  // DeleteAllDBs and VFS().Delete().
  s.deleting = false;
  s.delete_tail = true;
  s.tail_from = std::chrono::steady_clock::now();
  draw_removal_end(index, s);
  ++s.rev;
  publish_instance("UPDATED", index);
}

World::DeleteEnd World::finish_delete(std::uint32_t index) {
  auto& s = touch(index);
  if (s.deleted) return DeleteEnd::deleted;
  delete_cleanup_done(index, s.delete_runs);  // a clean-up timer not run yet ends now
  s.deleting_now = false;
  s.delete_tail = false;
  if (s.delete_cleanup_failed) return DeleteEnd::stuck;
  if (s.tail_fails) {  // one of them failed: the instance document stays, with what was left
    s.dbs_removed = std::max(s.dbs_removed, s.tail_stop);
    s.half_deleted = true;
    ++m_stats.deletions_half_done;
    return DeleteEnd::half;
  }
  drop_export(s);
  s.replaced_exports.clear();
  s.deleted = true;
  ++m_deleted;
  publish_instance("DELETED", index);
  ++m_stats.deletions;
  return DeleteEnd::deleted;
}

bool World::person_hit(std::uint32_t index, std::uint32_t hits) {
  constexpr std::uint32_t k_limit = 5;
  constexpr std::int64_t k_period_ms = 86'400'000;
  auto& s = touch(index);
  const auto now = now_ms();
  if (s.person_hits == 0 || now >= s.person_hits_from_ms + k_period_ms) {
    s.person_hits_from_ms = now;  // the counter's key expires a period after its first hit
    s.person_hits = 0;
  }
  s.person_hits += hits;
  return s.person_hits <= k_limit;
}

bool World::half_deleted(std::uint32_t index) const {
  const auto* s = state(index);
  return s && (s->half_deleted || s->delete_tail);
}

// Whether the removal starting now fails (delete_half) and where: the stop
// is drawn from seed + domain + run among the databases (past the last
// one, VFS().Delete() fails); a new run resumes where the last one stopped,
// its DeleteAllDBs listing only what is left.
void World::draw_removal_end(std::uint32_t index, InstanceState& s) {
  const auto all = static_cast<std::uint32_t>(k_instance_databases.size());
  s.tail_fails = m_rng.chance(m_faults.delete_half);
  if (!s.tail_fails) {
    s.tail_stop = all;
    return;
  }
  const auto stop = static_cast<std::uint32_t>(mix64(profile(index).key ^ (0x9e37ULL + s.half_runs++)) % (all + 1));
  s.tail_stop = std::max(s.half_deleted ? s.dbs_removed : 0U, stop);
}

// While a DELETE removes them (delete_tail), the databases go at an even
// pace over the rest of its time, from what an earlier half deletion left.
std::uint32_t World::databases_removed(std::uint32_t index) const {
  const auto* s = state(index);
  if (!s) return 0;
  if (!s->delete_tail) return s->half_deleted ? s->dbs_removed : 0;
  const auto all = static_cast<double>(s->tail_stop);
  const auto span = std::chrono::duration<double>(s->delete_ends - s->tail_from).count();
  const auto done = std::chrono::duration<double>(std::chrono::steady_clock::now() - s->tail_from).count();
  const double share = span > 0 ? std::clamp(done / span, 0.0, 1.0) : 1.0;
  const auto removed = static_cast<std::uint32_t>(share * all);
  return std::max(s->half_deleted ? s->dbs_removed : 0U, removed);
}

bool World::database_gone(std::uint32_t index, std::string_view doctype) const {
  const auto removed = databases_removed(index);
  for (std::uint32_t i = 0; i < removed && i < k_instance_databases.size(); ++i)
    if (k_instance_databases[i] == doctype) return true;
  return false;
}

void World::drop_export(InstanceState& s) {
  if (!s.current_export) return;
  m_export_owner.erase(s.current_export->id);
  s.current_export.reset();
}

// CleanPreviousExports removes the archives of every previous export and
// keeps their documents, whatever their state (`done`, `error`, or an
// `exporting` one over 24 hours old): GetDoc still finds them by id.
void World::retire_export(InstanceState& s) {
  const auto now = now_ms();
  std::erase_if(s.replaced_exports, [now](const ExportDoc& e) { return now >= e.expires_ms; });
  if (s.current_export && now < s.current_export->expires_ms) s.replaced_exports.push_back(*s.current_export);
  drop_export(s);
}

const ExportDoc* World::replaced_export(std::uint32_t index, const std::string& id) const {
  const auto* s = state(index);
  if (!s || s->deleted) return nullptr;
  for (const auto& e : s->replaced_exports)
    if (e.id == id && now_ms() < e.expires_ms) return &e;
  return nullptr;
}

const ExportDoc* World::replaced_export_by_id(const std::string& id, std::uint32_t& index) const {
  for (const auto& [at, s] : m_states) {
    if (const ExportDoc* e = replaced_export(at, id)) {
      index = at;
      return e;
    }
  }
  return nullptr;
}

const ExportDoc* World::current_export(std::uint32_t index) const {
  const auto* s = state(index);
  return s ? s->current_export.get() : nullptr;
}

std::optional<std::uint32_t> World::export_owner(const std::string& export_id) const {
  auto it = m_export_owner.find(export_id);
  if (it == m_export_owner.end()) return std::nullopt;
  return it->second;
}

std::string World::instance_json(std::uint32_t index) const {
  const auto v = view(index);
  return R"({"domain":")" + v.domain + R"(","locale":")" + v.locale + R"(","uuid":")" + couch_id(v.profile.key ^ 1) +
         R"(","context":"mytoutatice"})";
}

}  // namespace sim
