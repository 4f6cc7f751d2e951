// People's own moves away, as cozy-stack runs them on the source:
// invited at the first admin GET; at the go (`StartMove`) an export of the
// source runs, the source is not blocked; at the end the target calls
// `Finalize`: `moved`, unblocked, and the hoster's manager deletes the
// source 30 days later. Steps wait in a schedule keyed by sim time and run
// from settle(), so they happen in order whatever the clock does.
#include "world.hpp"

#include <algorithm>

namespace sim {
namespace {

constexpr std::int64_t k_move_window_cap_ms = 600'000;                // the go comes at most 10 min before the end
constexpr std::int64_t k_manager_delete_after_ms = 30 * k_ms_per_day;  // DelayBeforeInstanceDeletionAfterMoved

// A blocked instance answers 503 (402 for PAYMENT_FAILED) on its /move
// routes, as on every user route, except while MOVING or IMPORTING
// (middlewares.handleBlockedInstance): then /move/go, the target's fetches
// and /move/finalize all get through.
bool refuses_move_routes(const InstanceState& s) {
  return s.blocked && s.blocking_reason != "MOVING" && s.blocking_reason != "IMPORTING";
}

}  // namespace

// Bands over people_draw: [0, never) never moves, then move_share, then
// late_move_share; empty for those who do not move.
std::optional<Range> World::move_delay_range(const Profile& p) const {
  double band = p.people_draw - m_options.never_move_share;
  if (band < 0) return std::nullopt;
  if (band < m_options.move_share) return m_options.move_delay_s;
  band -= m_options.move_share;
  if (band < m_options.late_move_share) return m_options.late_move_delay_s;
  return std::nullopt;
}

void World::note_admin_get(std::uint32_t index) {
  if (m_options.move_share <= 0 && m_options.late_move_share <= 0) return;
  const Profile p = profile(index);
  const auto range = move_delay_range(p);
  if (!range) return;
  auto& s = touch(index);
  if (s.invited_ms) return;
  const auto now = now_ms();
  const double u = unit(mix64(p.key ^ 0x3077e));
  const std::int64_t delay = (range->lo + static_cast<std::int64_t>(u * static_cast<double>(range->hi - range->lo))) * 1000;
  s.invited_ms = now;
  s.move = MovePhase::invited;
  s.move_end_ms = now + delay;
  s.move_go_ms = s.move_end_ms - std::min(delay / 10, k_move_window_cap_ms);
  m_move_steps.emplace(s.move_go_ms, MoveStep{index, MoveStepKind::go});
}

void World::settle() {
  const auto now = now_ms();
  while (!m_move_steps.empty() && m_move_steps.begin()->first <= now) {
    auto node = m_move_steps.extract(m_move_steps.begin());
    run_move_step(node.mapped());
  }
}

void World::start_ticking() { m_runtime.after(std::chrono::milliseconds(100), [this] { tick(); }); }

void World::tick() {
  settle();
  start_ticking();
}

void World::run_move_step(const MoveStep& step) {
  auto& s = touch(step.index);
  if (s.deleted) return;
  switch (step.kind) {
    case MoveStepKind::go: return move_go(step.index, s);
    case MoveStepKind::finalize: return move_finalize_due(step.index, s);
    case MoveStepKind::manager_delete: return manager_delete(step.index, s);
  }
}

// `/move/go`: a source blocked for another reason than MOVING or IMPORTING
// answers 503 to its person, who cannot start the move; otherwise the
// target is blocked (elsewhere) and an export of the source is queued, the
// source itself untouched.
void World::move_go(std::uint32_t index, InstanceState& s) {
  if (s.move != MovePhase::invited) return;
  if (refuses_move_routes(s)) {
    s.move = MovePhase::prevented;
    ++m_stats.moves_prevented_by_block;
    return;
  }
  // /move/initialize, then the target's /move/authorize: two hits on the
  // person's counter; beyond it the source answers 404 and nothing starts.
  if (!person_hit(index, 2)) {
    s.move = MovePhase::prevented;
    ++m_stats.moves_rate_limited;
    return;
  }
  s.move = MovePhase::going;
  ++m_stats.moves_started;
  request_export(index, false, ExportOrigin::move);
  m_move_steps.emplace(s.move_end_ms, MoveStep{index, MoveStepKind::finalize});
}

// The target has imported by now, if the move's export is done; else it
// finalizes when the export ends (move_export_ended).
void World::move_finalize_due(std::uint32_t index, InstanceState& s) {
  if (s.move == MovePhase::aborting) return abort_move(index, s);
  if (s.move != MovePhase::going) return;
  const ExportDoc* e = s.current_export.get();
  const bool mine = e && !s.move_export_id.empty() && e->id == s.move_export_id;
  if (s.move_export_id.empty() || (mine && e->state == "exporting")) {
    s.move_end_reached = true;  // its job is still queued or running
  } else if (!mine && s.move_export_replaced) {
    ++m_stats.moves_done_replaced_export;
    finalize_move(index, s);
  } else if (!mine) {
    s.move = MovePhase::failed;  // its export is gone: nothing left to import
  } else if (e->state == "done") {
    finalize_move(index, s);
  }
}

void World::move_export_ended(std::uint32_t index, InstanceState& s) {
  if (s.current_export->state != "done") {
    s.move = MovePhase::failed;  // the worker calls Abort on the target
    ++m_stats.moves_export_failed;
    ++m_stats.stack_mails;  // SendExportFailureMail: the person is not an admin request
    return;
  }
  // Success tells the target (NotifyTarget), no mail from this stack.
  if (s.move_end_reached) finalize_move(index, s);
}

// A new export removed the archive of the move's export. Still exporting
// (the 24-hour rule let it through), the target was never told: the move
// is broken. Done, the target fetches its parts from the replaced export,
// whose part 0 is now an empty zip: a single part imports nothing, or all
// of it if fetched before, without error either way, and the target
// finalizes at the end; with several parts, the files of the later ones
// have no folders: the import fails and the target aborts at the end.
void World::move_export_replaced(InstanceState& s) {
  const ExportDoc& e = *s.current_export;
  if (e.state == "done" && e.plan.declared.size() == 1) {
    s.move_export_replaced = true;
    return;
  }
  s.move = e.state == "done" ? MovePhase::aborting : MovePhase::broken;
  ++m_stats.moves_broken_by_export;
}

// The target's `/move/abort` after its failed import: `lifecycle.Unblock`
// on the source (reason cleared), unless the source refuses its /move
// routes (blocked for another reason: 503, nothing changes).
void World::abort_move(std::uint32_t index, InstanceState& s) {
  s.move = MovePhase::broken;
  if (refuses_move_routes(s)) return;
  ++m_stats.moves_aborted;
  if (!s.blocked) return;
  s.blocked = false;
  s.blocking_reason.clear();
  ++s.rev;
  publish_instance("UPDATED", index);
}

// `Finalize`: moved, Unblock (reason cleared), the manager asked to delete
// the source a month from the end of the move. A source blocked for another
// reason than MOVING or IMPORTING answers 503 to the target's fetches and
// to its /move/finalize (CallFinalize only logs it): not moved, still blocked.
void World::finalize_move(std::uint32_t index, InstanceState& s) {
  if (refuses_move_routes(s)) {
    s.move = MovePhase::prevented;
    ++m_stats.moves_prevented_by_block;
    return;
  }
  s.move = MovePhase::moved;
  s.blocked = false;
  s.blocking_reason.clear();
  ++s.rev;
  publish_instance("UPDATED", index);
  ++m_stats.moves_done;
  m_move_steps.emplace(s.move_end_ms + k_manager_delete_after_ms, MoveStep{index, MoveStepKind::manager_delete});
}

void World::manager_delete(std::uint32_t index, InstanceState& s) {
  if (s.move != MovePhase::moved) return;
  drop_export(s);
  s.replaced_exports.clear();
  s.deleted = true;
  ++m_deleted;
  publish_instance("DELETED", index);
  ++m_stats.moved_sources_deleted;  // safe: not one of the client's deletions
  m_stats.moved_sources_deleted_domains.push_back(m_population.domain(index));
}

}  // namespace sim
