// Regression tests for the deletion-safety defects (issue 10) that the pure
// lifecycle decides: releases after a grace end, holds kept as a set of
// reasons, list corrections, deletions under way, postpone caps by date,
// moved evidence and activity.

#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/lifecycle/reminders.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Policy rules() {
  Policy result;
  result.zone = paris();
  return result;
}

Instant local(std::string_view text) {
  auto at = parse_iso_instant(text, paris());
  REQUIRE(at);
  return *at;
}

std::string name(State state) { return std::string(to_string(state)); }
std::string text(std::optional<Instant> at) { return at ? format_utc(*at) : "none"; }

// Verified and told before a departure on 15 January 2027; deletion from
// 15 February.
Account told_account(State state) {
  Account account;
  account.id = 3;
  account.login = "bob";
  account.domain = "bob.cozy.example";
  account.email = "bob@example.org";
  account.departure_date = date::year{2027} / date::January / 15;
  account.stack = "main";
  account.state = state;
  account.verified_at = local("2026-12-20T10:00:00");
  account.export_completed_at = local("2026-12-20T09:00:00");
  account.evidence = Evidence{"export", "exp-1", {PartEvidence{0, 10, 2, std::string(64, 'a'), {}}}, {}, {}};
  account.grace_end = local("2027-02-15T00:00:00");
  account.told_deletion_date = date::year{2027} / date::February / 15;
  return account;
}

Event event(EventKind kind, std::string detail = {}) {
  Event result(kind);
  result.detail = std::move(detail);
  return result;
}

Transition step(const Account& account, const Event& e, Instant now) {
  StepResult result = apply(account, e, now, rules());
  const auto* refusal = std::get_if<Refusal>(&result);
  INFO("refused: " << (refusal ? refusal->reason : std::string("no")));
  REQUIRE_FALSE(refusal);
  return std::get<Transition>(result);
}

std::string refusal(const Account& account, const Event& e, Instant now) {
  StepResult result = apply(account, e, now, rules());
  REQUIRE(std::holds_alternative<Refusal>(result));
  return std::get<Refusal>(result).reason;
}

Account held(Account account, State from, std::vector<std::string> reasons) {
  account.state = State::held;
  account.held_from = from;
  account.hold_reasons = reasons;
  account.state_reason = reasons.front();
  account.due_at.reset();
  return account;
}

}  // namespace

TEST_CASE("defect 3: a release after the grace end, from any state held before the departure, "
          "gives a new date 7 days on and tells it",
          "[deletion-safety]") {
  Instant now = local("2027-03-02T09:00:00");  // grace ended on 15 February
  for (State from : {State::verified, State::notified, State::grace, State::purge_due}) {
    INFO(name(from));
    Transition t = step(held(told_account(from), from, {"ticket 9"}), event(EventKind::release), now);
    CHECK(text(t.next.grace_end) == text(now + std::chrono::days(7)));
    CHECK(deletion_date_untold(t.next, rules()));
    CHECK_FALSE(t.next.reminded);
    CHECK(t.next.state != State::purge_due);
  }
}

TEST_CASE("defect 3: released NOTIFIED account reaches GRACE with the new date, never the old one",
          "[deletion-safety]") {
  Instant now = local("2027-03-02T09:00:00");
  Transition released = step(held(told_account(State::notified), State::notified, {"ticket"}),
                             event(EventKind::release), now);
  REQUIRE(name(released.next.state) == "NOTIFIED");
  // The departure check finds no activity: GRACE until the new end.
  Transition grace = step(released.next, event(EventKind::activity_clean), now);
  CHECK(name(grace.next.state) == "GRACE");
  CHECK(text(grace.next.grace_end) == text(now + std::chrono::days(7)));
  // Its timer first tells the new date.
  Transition tell = step(grace.next, event(EventKind::due), now);
  CHECK(tell.effects == std::vector<Effect>{Effect::send_reminder});
}

TEST_CASE("defect 5: holding a HELD account adds the reason, release cannot lift a dropped one",
          "[deletion-safety]") {
  Instant now = local("2027-01-20T09:00:00");
  Account support_held = held(told_account(State::grace), State::grace, {"ticket 12"});
  Transition dropped = step(support_held, event(EventKind::hold, "dropped_from_list"), now);
  CHECK(name(dropped.next.state) == "HELD");
  CHECK(dropped.next.hold_reasons == std::vector<std::string>{"ticket 12", "dropped_from_list"});
  CHECK(name(*dropped.next.held_from) == "GRACE");
  // The support desk releases: refused, naming campaign update.
  CHECK(refusal(dropped.next, event(EventKind::release, "ok"), now).find("campaign update") !=
        std::string::npos);
  // The list includes it again: the support hold remains.
  Transition relisted = step(dropped.next, event(EventKind::relisted), now);
  CHECK(name(relisted.next.state) == "HELD");
  CHECK(relisted.next.hold_reasons == std::vector<std::string>{"ticket 12"});
  // Then the support desk releases it.
  Transition released = step(relisted.next, event(EventKind::release, "ok"), now);
  CHECK(name(released.next.state) == "GRACE");
  CHECK(released.next.hold_reasons.empty());
}

TEST_CASE("defect 5: relisted with no other hold resumes, relisted of a support hold is refused",
          "[deletion-safety]") {
  Instant now = local("2027-01-20T09:00:00");
  Transition t = step(held(told_account(State::grace), State::grace, {"dropped_from_list"}),
                      event(EventKind::relisted), now);
  CHECK(name(t.next.state) == "GRACE");
  CHECK(text(t.next.due_at) == text(now));
  refusal(held(told_account(State::grace), State::grace, {"ticket"}), event(EventKind::relisted), now);
}

TEST_CASE("a DELETE under way cannot be held, postponed or cancelled: the desk is told",
          "[deletion-safety]") {
  Instant now = local("2027-02-16T02:00:00");
  Account deleting = told_account(State::purge_due);
  deleting.delete_in_flight = true;
  CHECK(refusal(deleting, event(EventKind::hold, "stop"), now).find("under way") != std::string::npos);
  CHECK(refusal(deleting, event(EventKind::cancel, "stop"), now).find("under way") != std::string::npos);
  Event later(EventKind::postpone);
  later.at = local("2027-03-01T00:00:00");
  CHECK(refusal(deleting, later, now).find("under way") != std::string::npos);
}

TEST_CASE("postpone by days up to max_postpone from a grace end that is not at midnight",
          "[deletion-safety]") {
  Account account = told_account(State::grace);
  account.grace_end = local("2027-02-15T14:30:00");
  Instant now = local("2027-02-01T09:00:00");
  Event sixty(EventKind::postpone);
  sixty.at = add_span(*account.grace_end, CalendarSpan{60, SpanUnit::day}, paris());
  Transition t = step(account, sixty, now);
  CHECK(format_date(local_date(*t.next.grace_end, paris())) == "2027-04-16");
  Event sixty_one(EventKind::postpone);
  sixty_one.at = add_span(*account.grace_end, CalendarSpan{61, SpanUnit::day}, paris());
  refusal(account, sixty_one, now);
}

TEST_CASE("defect 6: moved evidence is checked for activity at departure", "[deletion-safety]") {
  Account moved = told_account(State::notified);
  moved.evidence = Evidence{"moved", "", {}, {}, {}};
  moved.admin_move = true;
  moved.own_block = "MOVED";
  moved.own_block_since = local("2026-12-20T08:00:00");
  Policy no_final = rules();
  no_final.final_export = false;
  StepResult result = apply(moved, event(EventKind::due), local("2027-01-15T01:00:00"), no_final);
  REQUIRE(std::holds_alternative<Transition>(result));
  CHECK(std::get<Transition>(result).effects == std::vector<Effect>{Effect::check_activity});
}

TEST_CASE("defect 6: activity strictly after the move's snapshot day is stale, it holds the account",
          "[deletion-safety]") {
  Account moved = told_account(State::notified);
  moved.evidence = Evidence{"moved", "", {}, {}, {}};
  moved.own_block_since = local("2026-12-20T08:00:00");
  CHECK_FALSE(activity_after_evidence(moved, date::year{2026} / 12 / 20));
  CHECK(activity_after_evidence(moved, date::year{2026} / 12 / 21));
  Transition t = step(moved, event(EventKind::activity_stale), local("2027-01-15T01:00:00"));
  CHECK(name(t.next.state) == "HELD");
  CHECK(t.next.hold_reasons == std::vector<std::string>{"activity_after_move"});
  // Export evidence: the same day counts, and the day before it (the
  // stack's local day, reported up to a day late).
  Account exported = told_account(State::notified);
  CHECK(activity_after_evidence(exported, date::year{2026} / 12 / 20));
  CHECK(activity_after_evidence(exported, date::year{2026} / 12 / 19));
  CHECK_FALSE(activity_after_evidence(exported, date::year{2026} / 12 / 18));
}

TEST_CASE("defect 6: an admin move records Passage's own MOVING block before the export",
          "[deletion-safety]") {
  Account account = told_account(State::queued);
  account.action = Action::move;
  account.admin_move = true;
  account.target_host = "bob.other.example";
  account.evidence = {};
  Instant now = local("2026-12-28T09:00:00");
  Transition t = step(account, event(EventKind::lookup_ok), now);
  CHECK(name(t.next.state) == "MOVING");
  CHECK(t.next.own_block == "MOVING");
  CHECK(text(t.next.own_block_since) == text(now));
  // A retry keeps the first block's time: the earliest snapshot is the safe one.
  Account retried = t.next;
  retried.state = State::queued;
  Transition again = step(retried, event(EventKind::lookup_ok), now + 2h);
  CHECK(text(again.next.own_block_since) == text(now));
  Event moved(EventKind::evidence_ok);
  moved.evidence = Evidence{"moved", "exp", {}, {}, {}};
  CHECK(step(t.next, moved, now + 1h).next.own_block == "MOVED");
}

TEST_CASE("a hold kept pending during a DELETE survives an interlock hold and a stale hold",
          "[deletion-safety]") {
  Instant now = local("2027-01-20T09:00:00");
  Account due = told_account(State::purge_due);
  due.hold_reasons = {"hold: dispute", "dropped_from_list"};
  Transition interlock = step(due, event(EventKind::interlock_failed, "directory_unknown"), now);
  CHECK(name(interlock.next.state) == "HELD");
  CHECK(interlock.next.hold_reasons ==
        std::vector<std::string>{"hold: dispute", "dropped_from_list", "directory_unknown"});
  CHECK(name(*interlock.next.held_from) == "PURGE_DUE");
  // Releasing the interlock's hold does not lift the others: the drop
  // refuses support's release.
  CHECK(refusal(interlock.next, event(EventKind::release, "ok"), now).find("campaign update") !=
        std::string::npos);

  Account moved = told_account(State::purge_due);
  moved.evidence.kind = "moved";
  moved.hold_reasons = {"hold: dispute"};
  Transition stale = step(moved, event(EventKind::activity_stale), now);
  CHECK(stale.next.hold_reasons == std::vector<std::string>{"hold: dispute", "activity_after_move"});
}
