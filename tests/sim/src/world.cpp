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

World::DeleteStart World::begin_delete(std::uint32_t index) {
  auto& s = touch(index);
  if (s.deleting) return DeleteStart::already_requested;
  s.deleting = s.deleting_now = true;
  ++s.rev;
  publish_instance("UPDATED", index);
  return DeleteStart::started;
}

World::DeleteEnd World::finish_delete(std::uint32_t index) {
  auto& s = touch(index);
  s.deleting_now = false;
  if (s.deleted) return DeleteEnd::deleted;
  if (m_rng.chance(m_faults.delete_stuck)) return DeleteEnd::stuck;  // cleanup failed: `deleting` stays set
  const bool moved = s.move == MovePhase::moved;  // a moved source is deleted safely
  // Data is lost from the first removal on: a half deletion is judged then, once.
  if (!s.last_done_export_read && !moved && !s.half_deleted)
    m_stats.unsafe_domains.push_back(m_population.domain(index));
  // Destroy clears `deleting` once the konnectors are cleaned, before
  // DeleteAllDBs and VFS().Delete().
  s.deleting = false;
  ++s.rev;
  publish_instance("UPDATED", index);
  if (m_rng.chance(m_faults.delete_half)) {
    // One of them failed: the instance document stays, its data gone.
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
  return s && s->half_deleted;
}

void World::drop_export(InstanceState& s) {
  if (!s.current_export) return;
  m_export_owner.erase(s.current_export->id);
  s.current_export.reset();
}

void World::retire_export(InstanceState& s) {
  const auto now = now_ms();
  std::erase_if(s.replaced_exports, [now](const ExportDoc& e) { return now >= e.expires_ms; });
  if (s.current_export && s.current_export->state == "done" && now < s.current_export->expires_ms)
    s.replaced_exports.push_back(*s.current_export);
  drop_export(s);
}

const ExportDoc* World::replaced_export(std::uint32_t index, const std::string& id) const {
  const auto* s = state(index);
  if (!s || s->deleted) return nullptr;
  for (const auto& e : s->replaced_exports)
    if (e.id == id && now_ms() < e.expires_ms) return &e;
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
