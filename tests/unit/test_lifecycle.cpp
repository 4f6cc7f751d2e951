// The account lifecycle (engine/lifecycle): every row of the transition
// table, every support event, and the refusal of everything else
// (CONTRACT.md "Account lifecycle", "Grace, deletion date, reminders").

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/lifecycle/move_check_failed.hpp"
#include "engine/lifecycle/reminders.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Policy policy() {
  Policy result;
  result.zone = paris();
  return result;
}

// An instant written as Paris wall-clock time.
Instant local(std::string_view text) {
  auto at = parse_iso_instant(text, paris());
  REQUIRE(at);
  return *at;
}

// Readable comparisons: Catch prints strings, not enums or time points.
std::string text(std::optional<Instant> at) { return at ? format_utc(*at) : "none"; }
std::string text(Instant at) { return format_utc(at); }
std::string local_text(std::optional<Instant> at) {
  if (!at) return "none";
  return date::format("%FT%T", date::floor<std::chrono::seconds>(to_local_time(*at, paris())));
}
std::string name(State state) { return std::string(to_string(state)); }
std::string name(std::optional<State> state) { return state ? name(*state) : "none"; }
std::vector<std::string> effects(const std::vector<Effect>& list) {
  std::vector<std::string> names;
  for (Effect effect : list) names.emplace_back(to_string(effect));
  return names;
}
using Names = std::vector<std::string>;

constexpr date::year_month_day k_departure = date::year{2027} / date::January / 15;

// "Now" for most tests: before the departure, after departure − lead.
Instant now_default() { return local("2026-12-28T09:00:00"); }

Account account_in(State state, Action action = Action::export_) {
  Account account;
  account.id = 7;
  account.campaign_id = 1;
  account.login = "alice";
  account.domain = "alice.cozy.example";
  account.action = action;
  account.email = "alice@example.org";
  account.departure_date = k_departure;
  account.stack = "main";
  account.state = state;
  if (action == Action::move) {
    account.target = "https://alice.elsewhere.example";
    account.target_host = "alice.elsewhere.example";
  }
  return account;
}

Evidence export_evidence() {
  return Evidence{"export", "exp-1", {PartEvidence{0, 1234, 12, std::string(64, 'a'), {}}}, {}, {}};
}

// An account with everything a later state carries: verified, told, with
// a grace end, so that any handler finds what it reads.
Account rich_account(State state) {
  Account account = account_in(state);
  account.verified_at = local("2026-12-20T10:00:00");
  account.evidence = export_evidence();
  account.export_id = "exp-1";
  account.export_completed_at = local("2026-12-20T09:00:00");
  account.grace_end = local("2027-02-15T00:00:00");
  account.told_deletion_date = date::year{2027} / date::February / 15;
  account.move_deadline = local("2027-01-08T00:00:00");
  account.due_at = local("2026-12-28T08:00:00");
  if (state == State::retry_wait) account.retry_step = State::queued;
  if (state == State::held) {
    account.held_from = State::grace;
    account.due_at.reset();
  }
  return account;
}

Transition step(const Account& account, const Event& event, Instant now,
                const Policy& rules = policy()) {
  StepResult result = apply(account, event, now, rules);
  const auto* refusal = std::get_if<Refusal>(&result);
  INFO("refused: " << (refusal ? refusal->reason : std::string("no")));
  REQUIRE_FALSE(refusal);
  return std::get<Transition>(result);
}

bool refused(const Account& account, const Event& event, Instant now,
             const Policy& rules = policy()) {
  return std::holds_alternative<Refusal>(apply(account, event, now, rules));
}

std::string refusal_reason(const Account& account, const Event& event, Instant now) {
  StepResult result = apply(account, event, now, policy());
  REQUIRE(std::holds_alternative<Refusal>(result));
  return std::get<Refusal>(result).reason;
}

Event event(EventKind kind, std::string detail = {}) {
  Event result(kind);
  result.detail = std::move(detail);
  return result;
}

Event failure(FailureKind kind, std::string detail = {}, double jitter = 0.5) {
  Event result(EventKind::failure);
  result.failure = kind;
  result.detail = std::move(detail);
  result.jitter = jitter;
  return result;
}

Event rate_limited(Millis retry_after) {
  Event result = failure(FailureKind::rate_limited, "429", 0.9);
  result.retry_after = retry_after;
  return result;
}

Event at_event(EventKind kind, Instant at) {
  Event result(kind);
  result.at = at;
  return result;
}

// The states and events, written out here rather than taken from the code,
// so that a new one must be placed in the matrix below on purpose.
const std::vector<State> k_states = {
    State::queued,    State::exporting, State::verifying,  State::moving, State::invited,
    State::verified,  State::notified,  State::grace,      State::purge_due, State::purged,
    State::held,      State::retry_wait, State::failed,    State::cancelled, State::no_space,
};

const std::vector<EventKind> k_runner_events = {
    EventKind::due,           EventKind::resume,          EventKind::window_closed,
    EventKind::lookup_ok,     EventKind::lookup_missing,  EventKind::lookup_moved,
    EventKind::lookup_blocked, EventKind::export_queued,  EventKind::export_done,
    EventKind::evidence_ok,   EventKind::notice_sent,     EventKind::activity_clean,
    EventKind::activity_stale, EventKind::purged,         EventKind::already_gone,
    EventKind::interlock_failed, EventKind::failure,
};

// Every (state, event) pair the lifecycle accepts; the rest is refused.
const std::set<std::pair<State, EventKind>> k_allowed = {
    {State::queued, EventKind::due},
    {State::queued, EventKind::window_closed},
    {State::queued, EventKind::lookup_ok},
    {State::queued, EventKind::lookup_missing},
    {State::queued, EventKind::lookup_moved},
    {State::queued, EventKind::lookup_blocked},
    {State::queued, EventKind::failure},
    {State::exporting, EventKind::export_queued},
    {State::exporting, EventKind::resume},
    {State::exporting, EventKind::due},
    {State::exporting, EventKind::export_done},
    {State::exporting, EventKind::failure},
    {State::verifying, EventKind::due},
    {State::verifying, EventKind::evidence_ok},
    {State::verifying, EventKind::failure},
    {State::moving, EventKind::due},
    {State::moving, EventKind::resume},
    {State::moving, EventKind::evidence_ok},
    {State::moving, EventKind::failure},
    {State::invited, EventKind::due},
    {State::invited, EventKind::resume},
    {State::invited, EventKind::notice_sent},
    {State::invited, EventKind::lookup_moved},
    {State::invited, EventKind::lookup_ok},
    {State::invited, EventKind::lookup_blocked},
    {State::invited, EventKind::lookup_missing},
    {State::invited, EventKind::failure},
    {State::verified, EventKind::due},
    {State::verified, EventKind::notice_sent},
    {State::verified, EventKind::failure},
    {State::notified, EventKind::due},
    {State::notified, EventKind::activity_clean},
    {State::notified, EventKind::activity_stale},
    {State::notified, EventKind::failure},
    {State::grace, EventKind::due},
    {State::grace, EventKind::notice_sent},
    {State::grace, EventKind::failure},
    {State::purge_due, EventKind::purged},
    {State::purge_due, EventKind::already_gone},
    {State::purge_due, EventKind::interlock_failed},
    {State::purge_due, EventKind::activity_stale},
    {State::purge_due, EventKind::failure},
    {State::retry_wait, EventKind::due},
};

}  // namespace

// --- the matrix -------------------------------------------------------------

TEST_CASE("every state and runner event outside the table is refused, the rest accepted",
          "[lifecycle]") {
  CHECK(k_allowed.size() == 43);
  Instant after_grace = local("2027-03-01T00:00:00");
  int accepted = 0;
  for (State state : k_states) {
    for (EventKind kind : k_runner_events) {
      INFO(name(state) << " + " << to_string(kind));
      Account account = rich_account(state);
      Event incoming = event(kind, kind == EventKind::lookup_blocked ? "MOVING" : "x");
      StepResult result = apply(account, incoming, after_grace, policy());
      if (k_allowed.count({state, kind})) {
        CHECK(std::holds_alternative<Transition>(result));
        ++accepted;
      } else {
        REQUIRE(std::holds_alternative<Refusal>(result));
        CHECK(std::get<Refusal>(result).reason ==
              std::string(to_string(kind)) + " is not allowed in state " + name(state));
      }
    }
  }
  CHECK(accepted == 43);
}

TEST_CASE("a refused event leaves nothing to commit", "[lifecycle]") {
  Account account = rich_account(State::purged);
  CHECK(refused(account, event(EventKind::due), now_default()));
  CHECK(refused(account, event(EventKind::lookup_ok), now_default()));
}

// --- QUEUED -------------------------------------------------------------------

TEST_CASE("QUEUED due: a read-only lookup, nothing journaled", "[lifecycle]") {
  Account account = account_in(State::queued);
  account.due_at = now_default();
  Transition t = step(account, event(EventKind::due), now_default());
  CHECK(name(t.next.state) == "QUEUED");
  CHECK(effects(t.effects) == Names{"lookup"});
  CHECK(t.journal_kind.empty());
  CHECK(text(t.next.due_at) == text(now_default()));
}

TEST_CASE("QUEUED window_closed: waits until the window opens", "[lifecycle]") {
  Account account = account_in(State::queued);
  Instant opens = local("2026-12-28T22:00:00");
  Transition t = step(account, at_event(EventKind::window_closed, opens), now_default());
  CHECK(name(t.next.state) == "QUEUED");
  CHECK(text(t.next.due_at) == text(opens));
  CHECK(t.effects.empty());

  Transition no_time = step(account, event(EventKind::window_closed), now_default());
  CHECK(text(no_time.next.due_at) == text(now_default()));
}

TEST_CASE("QUEUED lookup_ok for an export: request it, wait export_deadline", "[lifecycle]") {
  Account account = account_in(State::queued);
  account.blocked_since = now_default() - 2h;
  account.export_id = "old";
  Transition t = step(account, event(EventKind::lookup_ok), now_default());
  CHECK(name(t.next.state) == "EXPORTING");
  CHECK(effects(t.effects) == Names{"request_export", "await_export"});
  CHECK(text(t.next.due_at) == text(now_default() + 2h));
  CHECK(text(t.next.last_export_request) == text(now_default()));
  CHECK(t.next.export_id.empty());
  CHECK_FALSE(t.next.blocked_since);
  CHECK(t.journal_kind == "state");
  CHECK(t.journal_detail == "QUEUED -> EXPORTING: export requested");
}

TEST_CASE("QUEUED lookup_ok within 24 hours of the last request waits for the 24-hour rule",
          "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::queued);

  SECTION("23 hours after: RETRY_WAIT until last + 24 h") {
    account.last_export_request = now - 23h;
    Transition t = step(account, event(EventKind::lookup_ok), now);
    CHECK(name(t.next.state) == "RETRY_WAIT");
    CHECK(name(t.next.retry_step) == "QUEUED");
    CHECK(text(t.next.due_at) == text(now + 1h));
    CHECK(t.effects.empty());
    CHECK(t.next.state_reason.find("24-hour rule") != std::string::npos);
    CHECK(text(t.next.last_export_request) == text(now - 23h));
  }
  SECTION("1 ms short of 24 hours: still waiting") {
    account.last_export_request = now - 24h + 1ms;
    Transition t = step(account, event(EventKind::lookup_ok), now);
    CHECK(name(t.next.state) == "RETRY_WAIT");
    CHECK(text(t.next.due_at) == text(now + 1ms));
  }
  SECTION("exactly 24 hours after: exports") {
    account.last_export_request = now - 24h;
    Transition t = step(account, event(EventKind::lookup_ok), now);
    CHECK(name(t.next.state) == "EXPORTING");
    CHECK(effects(t.effects) == Names{"request_export", "await_export"});
    CHECK(text(t.next.due_at) == text(now + policy().export_deadline));
  }
}

TEST_CASE("QUEUED lookup_ok for an admin-driven move starts it", "[lifecycle]") {
  Account account = account_in(State::queued, Action::move);
  account.admin_move = true;
  Transition t = step(account, event(EventKind::lookup_ok), now_default());
  CHECK(name(t.next.state) == "MOVING");
  CHECK(effects(t.effects) == Names{"start_move"});
  CHECK(text(t.next.due_at) == text(now_default() + 3h));
  CHECK_FALSE(t.next.last_export_request);
}

TEST_CASE("QUEUED lookup_ok for a user-driven move invites, deadline before departure",
          "[lifecycle]") {
  Account account = account_in(State::queued, Action::move);
  Transition t = step(account, event(EventKind::lookup_ok), now_default());
  CHECK(name(t.next.state) == "INVITED");
  CHECK(effects(t.effects) == Names{"send_invitation", "announce_user_move"});
  // departure 2027-01-15 − 7 days, local midnight
  CHECK(local_text(t.next.move_deadline) == "2027-01-08T00:00:00");
  CHECK(text(t.next.due_at) == text(now_default() + 1h));
  CHECK_FALSE(t.next.fallback_export);
}

TEST_CASE("QUEUED lookup_ok for a user move past its deadline exports at once", "[lifecycle]") {
  Account account = account_in(State::queued, Action::move);
  Instant late = local("2027-01-08T00:00:00");  // the deadline itself
  Transition t = step(account, event(EventKind::lookup_ok), late);
  CHECK(name(t.next.state) == "EXPORTING");
  CHECK(t.next.fallback_export);
  CHECK(effects(t.effects) == Names{"request_export", "await_export"});
  CHECK(text(t.next.due_at) == text(late + 2h));

  SECTION("the 24-hour rule still applies to the fallback") {
    account.last_export_request = late - 1h;
    Transition waiting = step(account, event(EventKind::lookup_ok), late);
    CHECK(name(waiting.next.state) == "RETRY_WAIT");
    CHECK(waiting.next.fallback_export);
    CHECK(text(waiting.next.due_at) == text(late + 23h));
  }
}

TEST_CASE("QUEUED lookup_ok for a move that fell back exports", "[lifecycle]") {
  Account account = account_in(State::queued, Action::move);
  account.fallback_export = true;
  Transition t = step(account, event(EventKind::lookup_ok), now_default());
  CHECK(name(t.next.state) == "EXPORTING");
}

TEST_CASE("QUEUED lookup_missing: NO_SPACE", "[lifecycle]") {
  Account account = account_in(State::queued);
  account.due_at = now_default();
  Transition t = step(account, event(EventKind::lookup_missing), now_default());
  CHECK(name(t.next.state) == "NO_SPACE");
  CHECK_FALSE(t.next.due_at);
  CHECK(t.effects.empty());
}

TEST_CASE("QUEUED lookup_moved: VERIFIED with evidence moved", "[lifecycle]") {
  Account account = account_in(State::queued, Action::move);
  account.attempts = 2;
  Instant now = now_default();
  Transition t = step(account, event(EventKind::lookup_moved), now);
  CHECK(name(t.next.state) == "VERIFIED");
  CHECK(t.next.evidence.kind == "moved");
  CHECK(text(t.next.verified_at) == text(now));
  CHECK(text(t.next.due_at) == text(now));
  CHECK(t.next.attempts == 0);
  // S = departure midnight (later than now), + 1 month
  CHECK(local_text(t.next.grace_end) == "2027-02-15T00:00:00");
  CHECK_FALSE(t.next.told_deletion_date);
}

TEST_CASE("QUEUED lookup_blocked MOVING or IMPORTING rechecks hourly, FAILED after lead",
          "[lifecycle]") {
  Instant now = now_default();
  for (const char* reason : {"MOVING", "IMPORTING"}) {
    INFO(reason);
    Account account = account_in(State::queued);
    Transition first = step(account, event(EventKind::lookup_blocked, reason), now);
    CHECK(name(first.next.state) == "RETRY_WAIT");
    CHECK(name(first.next.retry_step) == "QUEUED");
    CHECK(text(first.next.due_at) == text(now + 1h));
    CHECK(text(first.next.blocked_since) == text(now));
    CHECK(first.next.state_reason == std::string("blocked: ") + reason);

    account.blocked_since = now - std::chrono::days(21);  // exactly lead: still waiting
    Transition later = step(account, event(EventKind::lookup_blocked, reason), now);
    CHECK(name(later.next.state) == "RETRY_WAIT");
    CHECK(text(later.next.blocked_since) == text(now - std::chrono::days(21)));

    account.blocked_since = now - std::chrono::days(21) - 1ms;
    Transition gave_up = step(account, event(EventKind::lookup_blocked, reason), now);
    CHECK(name(gave_up.next.state) == "FAILED");
    CHECK(gave_up.next.state_reason == std::string("blocked: ") + reason);
    CHECK_FALSE(gave_up.next.due_at);
  }
}

TEST_CASE("QUEUED lookup_blocked for another reason: FAILED blocked REASON", "[lifecycle]") {
  Account account = account_in(State::queued);
  Transition t = step(account, event(EventKind::lookup_blocked, "PAYMENT_FAILED"), now_default());
  CHECK(name(t.next.state) == "FAILED");
  CHECK(t.next.state_reason == "blocked: PAYMENT_FAILED");
  CHECK_FALSE(t.next.due_at);
}

TEST_CASE("QUEUED failure: jittered backoff, Retry-After, budget, permanent", "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::queued);

  SECTION("retryable: full-jitter backoff from the base") {
    Transition t = step(account, failure(FailureKind::retryable, "503", 0.5), now);
    CHECK(name(t.next.state) == "RETRY_WAIT");
    CHECK(name(t.next.retry_step) == "QUEUED");
    CHECK(text(t.next.due_at) == text(now + 500ms));
    CHECK(t.next.attempts == 1);
    CHECK(t.next.state_reason == "503");
  }
  SECTION("retryable after 3 failures: base × 2^3 × jitter") {
    account.attempts = 3;
    Transition t = step(account, failure(FailureKind::retryable, "503", 0.25), now);
    CHECK(text(t.next.due_at) == text(now + 2s));
    CHECK(t.next.attempts == 4);
  }
  SECTION("backoff never exceeds the cap") {
    Policy rules = policy();
    rules.retry_budget = 100;
    account.attempts = 40;
    Transition t = step(account, failure(FailureKind::retryable, "503", 0.999999), now, rules);
    CHECK(*t.next.due_at - now <= rules.backoff_cap);
    CHECK(*t.next.due_at - now > rules.backoff_cap - 1s);
  }
  SECTION("an unnamed failure is recorded by its kind") {
    Transition t = step(account, failure(FailureKind::retryable), now);
    CHECK(t.next.state_reason == "retryable");
  }
  SECTION("rate limited waits exactly Retry-After, even beyond the cap") {
    Transition t = step(account, rate_limited(3s), now);
    CHECK(text(t.next.due_at) == text(now + 3s));
    Transition long_wait = step(account, rate_limited(1h), now);
    CHECK(text(long_wait.next.due_at) == text(now + 1h));
  }
  SECTION("the retry budget spent: FAILED with the last reason") {
    account.attempts = 7;
    Transition t = step(account, failure(FailureKind::retryable, "503 again"), now);
    CHECK(name(t.next.state) == "FAILED");
    CHECK(t.next.state_reason == "503 again");
    CHECK_FALSE(t.next.due_at);
    CHECK_FALSE(t.next.retry_step);
  }
  SECTION("permanent and not_found fail at once") {
    Transition t = step(account, failure(FailureKind::permanent, "403"), now);
    CHECK(name(t.next.state) == "FAILED");
    CHECK(t.next.state_reason == "403");
    Transition gone = step(account, failure(FailureKind::not_found, "404"), now);
    CHECK(name(gone.next.state) == "FAILED");
  }
}

// --- EXPORTING ----------------------------------------------------------------

namespace {

Account exporting_account(Instant now) {
  Account account = account_in(State::exporting);
  account.last_export_request = now - 1h;
  account.due_at = now + 1h;  // the export deadline
  return account;
}

}  // namespace

TEST_CASE("EXPORTING export_queued: journaled, still waiting", "[lifecycle]") {
  Instant now = now_default();
  Transition t = step(exporting_account(now), event(EventKind::export_queued), now);
  CHECK(name(t.next.state) == "EXPORTING");
  CHECK(t.effects.empty());
  CHECK(t.journal_kind == "state");
  CHECK(text(t.next.due_at) == text(now + 1h));
}

TEST_CASE("EXPORTING resume: waits again for the event", "[lifecycle]") {
  Instant now = now_default();
  Transition t = step(exporting_account(now), event(EventKind::resume), now);
  CHECK(name(t.next.state) == "EXPORTING");
  CHECK(effects(t.effects) == Names{"await_export"});
  CHECK(t.journal_kind.empty());
  CHECK(text(t.next.due_at) == text(now + 1h));
}

TEST_CASE("EXPORTING due before the deadline is a resume", "[lifecycle]") {
  Instant now = now_default();
  Transition t = step(exporting_account(now), event(EventKind::due), now);
  CHECK(name(t.next.state) == "EXPORTING");
  CHECK(effects(t.effects) == Names{"await_export"});
}

TEST_CASE("EXPORTING due after the deadline: RETRY_WAIT not before last request + 24 h",
          "[lifecycle]") {
  Instant now = now_default();
  Account account = exporting_account(now);
  account.due_at = now;
  Transition t = step(account, event(EventKind::due), now);
  CHECK(name(t.next.state) == "RETRY_WAIT");
  CHECK(name(t.next.retry_step) == "QUEUED");
  CHECK(text(t.next.due_at) == text(now + 23h));
  CHECK(t.next.attempts == 1);
  CHECK(t.next.state_reason == "no export event by the deadline");

  SECTION("without a recorded request only the backoff applies") {
    account.last_export_request.reset();
    Transition bare = step(account, event(EventKind::due), now);
    CHECK(text(bare.next.due_at) == text(now + 500ms));
  }
  SECTION("the retry budget spent: FAILED") {
    account.attempts = 7;
    Transition failed = step(account, event(EventKind::due), now);
    CHECK(name(failed.next.state) == "FAILED");
    CHECK(failed.next.state_reason == "no export event by the deadline");
  }
}

TEST_CASE("EXPORTING export_done: VERIFYING, fetch the parts", "[lifecycle]") {
  Instant now = now_default();
  Account account = exporting_account(now);
  account.attempts = 2;
  Event done = event(EventKind::export_done, "exp-42");
  done.payload = R"({"id":"exp-42"})";
  Transition t = step(account, done, now);
  CHECK(name(t.next.state) == "VERIFYING");
  CHECK(effects(t.effects) == Names{"fetch_export"});
  CHECK(t.next.export_id == "exp-42");
  CHECK(t.next.export_doc == R"({"id":"exp-42"})");
  CHECK(text(t.next.export_completed_at) == text(now));
  CHECK(text(t.next.due_at) == text(now));
  CHECK(t.next.attempts == 0);
}

TEST_CASE("EXPORTING export_done: a person already departed gets archive delivery whatever the setting",
          "[lifecycle][delivery]") {
  Event done = event(EventKind::export_done, "exp-42");
  SECTION("before the departure day the configured delivery stays") {
    Instant now = now_default();  // 2026-12-28, departure 2027-01-15
    Account account = exporting_account(now);
    Transition space = step(account, done, now);
    CHECK(space.next.delivery == "space");
    account.delivery = "archive";
    Transition archive = step(account, done, now);
    CHECK(archive.next.delivery == "archive");
  }
  SECTION("from local midnight of the departure day: archive") {
    Instant now = local("2027-01-15T00:00:00");
    Account account = exporting_account(now);
    Transition t = step(account, done, now);
    CHECK(name(t.next.state) == "VERIFYING");
    CHECK(t.next.delivery == "archive");
    CHECK(t.journal_detail.find("already departed") != std::string::npos);
    Transition before = step(account, done, now - 1ms);
    CHECK(before.next.delivery == "space");
  }
  SECTION("long departed, space configured: archive") {
    Instant now = local("2027-03-01T10:00:00");
    Transition t = step(exporting_account(now), done, now);
    CHECK(t.next.delivery == "archive");
  }
}

TEST_CASE("EXPORTING failure kinds", "[lifecycle]") {
  Instant now = now_default();
  Account account = exporting_account(now);

  SECTION("unknown outcome: still EXPORTING, awaiting the event, request kept") {
    Transition t = step(account, failure(FailureKind::unknown_outcome, "504"), now);
    CHECK(name(t.next.state) == "EXPORTING");
    CHECK(effects(t.effects) == Names{"await_export"});
    CHECK(text(t.next.due_at) == text(now + 1h));
    CHECK(text(t.next.last_export_request) == text(now - 1h));
    CHECK(t.next.attempts == 0);
  }
  SECTION("retryable: RETRY_WAIT with backoff, the request was not queued") {
    Transition t = step(account, failure(FailureKind::retryable, "503", 0.5), now);
    CHECK(name(t.next.state) == "RETRY_WAIT");
    CHECK(name(t.next.retry_step) == "QUEUED");
    CHECK(text(t.next.due_at) == text(now + 500ms));
    CHECK(*t.next.due_at - now <= policy().backoff_cap);
    CHECK_FALSE(t.next.last_export_request);
    CHECK(t.next.attempts == 1);
  }
  SECTION("permanent: FAILED with the reason") {
    Transition t = step(account, failure(FailureKind::permanent, "422 bad request"), now);
    CHECK(name(t.next.state) == "FAILED");
    CHECK(t.next.state_reason == "422 bad request");
    CHECK_FALSE(t.next.due_at);
  }
  SECTION("rate limited with Retry-After: waits exactly that") {
    Transition t = step(account, rate_limited(90s), now);
    CHECK(name(t.next.state) == "RETRY_WAIT");
    CHECK(text(t.next.due_at) == text(now + 90s));
  }
  SECTION("retry budget spent: FAILED") {
    account.attempts = 7;
    Transition t = step(account, failure(FailureKind::retryable, "503"), now);
    CHECK(name(t.next.state) == "FAILED");
    CHECK(t.next.state_reason == "503");
  }
}

// --- VERIFYING ----------------------------------------------------------------

TEST_CASE("VERIFYING due: fetch the parts, nothing journaled", "[lifecycle]") {
  Account account = account_in(State::verifying);
  Transition t = step(account, event(EventKind::due), now_default());
  CHECK(name(t.next.state) == "VERIFYING");
  CHECK(effects(t.effects) == Names{"fetch_export"});
  CHECK(t.journal_kind.empty());
}

TEST_CASE("VERIFYING evidence_ok: VERIFIED, grace end from the later of verification and departure",
          "[lifecycle]") {
  Account account = account_in(State::verifying);
  account.attempts = 1;
  account.state_reason = "part 1 bad";
  account.told_deletion_date = date::year{2027} / date::March / 1;
  Event ok = event(EventKind::evidence_ok);
  ok.evidence = export_evidence();

  SECTION("verified after the departure date: S is the verification") {
    Instant now = local("2027-01-31T10:00:00");
    Transition t = step(account, ok, now);
    CHECK(name(t.next.state) == "VERIFIED");
    CHECK(t.next.evidence.kind == "export");
    CHECK(t.next.evidence.export_id == "exp-1");
    CHECK(t.next.evidence.parts.size() == 1);
    CHECK(text(t.next.verified_at) == text(now));
    CHECK(local_text(t.next.grace_end) == "2027-02-28T10:00:00");
    CHECK(text(t.next.due_at) == text(now));
    CHECK(t.next.attempts == 0);
    CHECK(t.next.state_reason.empty());
    CHECK_FALSE(t.next.told_deletion_date);
    CHECK(t.effects.empty());
  }
  SECTION("verified before the departure date: S is departure midnight") {
    Transition t = step(account, ok, now_default());
    CHECK(local_text(t.next.grace_end) == "2027-02-15T00:00:00");
  }
  SECTION("a later deletion date already set (postponed, then exported again): kept") {
    account.grace_end = local("2027-03-05T00:00:00");
    Transition t = step(account, ok, local("2027-01-31T10:00:00"));
    CHECK(local_text(t.next.grace_end) == "2027-03-05T00:00:00");
  }
  SECTION("an earlier deletion date already set: the new verification's") {
    account.grace_end = local("2027-02-01T00:00:00");
    Transition t = step(account, ok, local("2027-01-31T10:00:00"));
    CHECK(local_text(t.next.grace_end) == "2027-02-28T10:00:00");
  }
}

TEST_CASE("VERIFYING failure: retry the download, export again when gone, fail when permanent",
          "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::verifying);
  Transition again = step(account, failure(FailureKind::retryable, "reset"), now);
  CHECK(name(again.next.state) == "RETRY_WAIT");
  CHECK(name(again.next.retry_step) == "VERIFYING");
  CHECK(text(again.next.due_at) == text(now + 500ms));

  Transition gone = step(account, failure(FailureKind::not_found, "export expired"), now);
  CHECK(name(gone.next.state) == "RETRY_WAIT");
  CHECK(name(gone.next.retry_step) == "QUEUED");

  Transition broken = step(account, failure(FailureKind::permanent, "bad zip"), now);
  CHECK(name(broken.next.state) == "FAILED");
  CHECK(broken.next.state_reason == "bad zip");
}

TEST_CASE("VERIFYING evidence incomplete: export again after 24 h, the same files missing twice: FAILED",
          "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::verifying);
  account.last_export_request = now - 2h;
  Event incomplete = failure(FailureKind::retryable,
                             "part 0 invalid after 3 downloads: evidence_incomplete: 1 file: a.pdf: content missing");
  incomplete.payload = "a.pdf\n";

  Transition first = step(account, incomplete, now);
  CHECK(name(first.next.state) == "RETRY_WAIT");
  CHECK(name(first.next.retry_step) == "QUEUED");  // a new export, not the same parts again
  CHECK(first.next.incomplete_files == "a.pdf\n");
  CHECK(text(first.next.due_at) == text(now + 22h));  // the 24-hour rule

  account.incomplete_files = "a.pdf\n";
  Transition twice = step(account, incomplete, now);
  CHECK(name(twice.next.state) == "FAILED");
  CHECK(twice.next.state_reason.find("evidence_incomplete: the same files are missing on two exports in a row") == 0);
  CHECK(twice.next.state_reason.find("a.pdf") != std::string::npos);

  Event other = incomplete;
  other.payload = "b.pdf\n";
  Transition different = step(account, other, now);
  CHECK(name(different.next.state) == "RETRY_WAIT");
  CHECK(different.next.incomplete_files == "b.pdf\n");

  // Verified at last: forgotten.
  Event ok = event(EventKind::evidence_ok);
  ok.evidence = export_evidence();
  CHECK(step(account, ok, now).next.incomplete_files.empty());
}

// --- MOVING -------------------------------------------------------------------

TEST_CASE("MOVING due and resume before the import deadline check the move first", "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::moving, Action::move);
  account.admin_move = true;
  account.due_at = now + 2h;
  for (EventKind kind : {EventKind::due, EventKind::resume}) {
    INFO(to_string(kind));
    Transition t = step(account, event(kind), now);
    CHECK(name(t.next.state) == "MOVING");
    CHECK(effects(t.effects) == Names{"check_move"});
    CHECK(text(t.next.due_at) == text(now + 2h));
  }
}

TEST_CASE("MOVING due and resume after the import deadline check the move before any retry",
          "[lifecycle]") {
  // The move may have finished while its commit was refused (or the run
  // killed): the check tells, the retry comes only from its failure.
  Instant now = now_default();
  Account account = account_in(State::moving, Action::move);
  account.admin_move = true;
  account.due_at = now;
  for (EventKind kind : {EventKind::due, EventKind::resume}) {
    INFO(to_string(kind));
    Transition t = step(account, event(kind), now);
    CHECK(name(t.next.state) == "MOVING");
    CHECK(effects(t.effects) == Names{"check_move"});
  }
}

TEST_CASE("MOVING: a move checked past its import deadline and not finished waits for the 24-hour "
          "rule in RETRY_WAIT",
          "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::moving, Action::move);
  account.admin_move = true;
  account.due_at = now;
  account.last_export_request = now - 3h;
  Transition t = step(account, failure(FailureKind::retryable, "import deadline passed"), now);
  CHECK(name(t.next.state) == "RETRY_WAIT");
  CHECK(name(t.next.retry_step) == "QUEUED");
  CHECK(t.next.state_reason == "import deadline passed");
  CHECK(text(t.next.due_at) == text(now + 21h));
}

TEST_CASE("MOVING: a check of the move that failed (a stack not answering) retries the check, never the move",
          "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::moving, Action::move);
  account.admin_move = true;
  account.due_at = now;
  Event failed = failure(FailureKind::retryable, "Couldn't connect to server");
  failed.payload = std::string(k_move_check_failed);
  Transition t = step(account, failed, now);
  CHECK(name(t.next.state) == "RETRY_WAIT");
  CHECK(name(t.next.retry_step) == "MOVING");
  Transition again = step(t.next, event(EventKind::due), *t.next.due_at);
  CHECK(name(again.next.state) == "MOVING");
  Transition checked = step(again.next, event(EventKind::due), *t.next.due_at);
  CHECK(effects(checked.effects) == Names{"check_move"});
}

TEST_CASE("MOVING evidence_ok: VERIFIED with evidence moved", "[lifecycle]") {
  Account account = account_in(State::moving, Action::move);
  Event ok = event(EventKind::evidence_ok);
  ok.evidence = Evidence{"moved", {}, {}, {}, {}};
  Transition t = step(account, ok, now_default());
  CHECK(name(t.next.state) == "VERIFIED");
  CHECK(t.next.evidence.kind == "moved");
}

TEST_CASE("MOVING failure: retry from the lookup, or FAILED", "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::moving, Action::move);
  Transition t = step(account, failure(FailureKind::retryable, "import 500"), now);
  CHECK(name(t.next.state) == "RETRY_WAIT");
  CHECK(name(t.next.retry_step) == "QUEUED");
  Transition failed = step(account, failure(FailureKind::permanent, "target refused"), now);
  CHECK(name(failed.next.state) == "FAILED");
  CHECK(failed.next.state_reason == "target refused");
}

// --- INVITED ------------------------------------------------------------------

namespace {

Account invited_account() {
  Account account = account_in(State::invited, Action::move);
  account.move_deadline = local("2027-01-08T00:00:00");
  account.due_at = now_default();
  return account;
}

}  // namespace

TEST_CASE("INVITED due before the deadline polls the source", "[lifecycle]") {
  Transition t = step(invited_account(), event(EventKind::due), now_default());
  CHECK(name(t.next.state) == "INVITED");
  CHECK(effects(t.effects) == Names{"poll_move"});
  CHECK(t.journal_kind.empty());
}

TEST_CASE("INVITED due at or after the deadline falls back to an export", "[lifecycle]") {
  Instant deadline = local("2027-01-08T00:00:00");
  for (Instant now : {deadline, deadline + 5h}) {
    Transition t = step(invited_account(), event(EventKind::due), now);
    CHECK(name(t.next.state) == "QUEUED");
    CHECK(t.next.fallback_export);
    CHECK(text(t.next.due_at) == text(now));
    CHECK(t.effects.empty());

    Transition exported = step(t.next, event(EventKind::lookup_ok), now);
    CHECK(name(exported.next.state) == "EXPORTING");
    CHECK(effects(exported.effects) == Names{"request_export", "await_export"});
  }
}

TEST_CASE("INVITED resume announces the invitation again", "[lifecycle]") {
  Transition t = step(invited_account(), event(EventKind::resume), now_default());
  CHECK(name(t.next.state) == "INVITED");
  CHECK(effects(t.effects) == Names{"announce_user_move"});
  CHECK(t.journal_kind.empty());
}

TEST_CASE("INVITED lookup_moved: VERIFIED with evidence moved", "[lifecycle]") {
  Transition t = step(invited_account(), event(EventKind::lookup_moved), now_default());
  CHECK(name(t.next.state) == "VERIFIED");
  CHECK(t.next.evidence.kind == "moved");
  CHECK(text(t.next.verified_at) == text(now_default()));
}

TEST_CASE("INVITED lookup_ok and lookup_blocked: not moved yet, poll again", "[lifecycle]") {
  Instant deadline = local("2027-01-08T00:00:00");
  for (EventKind kind : {EventKind::lookup_ok, EventKind::lookup_blocked}) {
    INFO(to_string(kind));
    Transition t = step(invited_account(), event(kind, "MOVING"), now_default());
    CHECK(name(t.next.state) == "INVITED");
    CHECK(text(t.next.due_at) == text(now_default() + 1h));
    CHECK(t.effects.empty());
    // Never past the fallback deadline (every reminder already sent).
    Account reminded = invited_account();
    reminded.reminded = CalendarSpan{2, SpanUnit::day};
    Transition close = step(reminded, event(kind, "MOVING"), deadline - 10min);
    CHECK(close.effects.empty());
    CHECK(text(close.next.due_at) == text(deadline));
  }
}

TEST_CASE("INVITED lookup_missing: NO_SPACE", "[lifecycle]") {
  Transition t = step(invited_account(), event(EventKind::lookup_missing), now_default());
  CHECK(name(t.next.state) == "NO_SPACE");
  CHECK_FALSE(t.next.due_at);
}

TEST_CASE("INVITED failure: permanent fails, anything else polls again", "[lifecycle]") {
  Transition failed =
      step(invited_account(), failure(FailureKind::permanent, "mail refused"), now_default());
  CHECK(name(failed.next.state) == "FAILED");
  CHECK(failed.next.state_reason == "mail refused");
  Transition again = step(invited_account(), failure(FailureKind::retryable), now_default());
  CHECK(name(again.next.state) == "INVITED");
  CHECK(text(again.next.due_at) == text(now_default() + 1h));
}

// --- VERIFIED -----------------------------------------------------------------

namespace {

Account verified_account() {
  Account account = account_in(State::verified);
  account.evidence = export_evidence();
  account.verified_at = local("2026-12-20T10:00:00");
  account.grace_end = local("2027-02-15T00:00:00");
  account.due_at = account.verified_at;
  return account;
}

}  // namespace

TEST_CASE("VERIFIED due sends the notice", "[lifecycle]") {
  Transition t = step(verified_account(), event(EventKind::due), now_default());
  CHECK(name(t.next.state) == "VERIFIED");
  CHECK(effects(t.effects) == Names{"send_notice"});
  CHECK(t.journal_kind.empty());
}

TEST_CASE("VERIFIED notice_sent: NOTIFIED with the deletion date, due at departure",
          "[lifecycle]") {
  Account account = verified_account();
  account.attempts = 2;
  Transition t = step(account, event(EventKind::notice_sent), now_default());
  CHECK(name(t.next.state) == "NOTIFIED");
  REQUIRE(t.next.told_deletion_date);
  CHECK(format_date(*t.next.told_deletion_date) == "2027-02-15");
  CHECK(local_text(t.next.due_at) == "2027-01-15T00:00:00");
  CHECK(t.next.attempts == 0);

  Instant after_departure = local("2027-01-20T12:00:00");
  Transition late = step(account, event(EventKind::notice_sent), after_departure);
  CHECK(text(late.next.due_at) == text(after_departure));
}

TEST_CASE("VERIFIED failure: a refused notice fails as notice_refused, others retry",
          "[lifecycle]") {
  Transition refused_notice =
      step(verified_account(), failure(FailureKind::permanent, "550 no such user"), now_default());
  CHECK(name(refused_notice.next.state) == "FAILED");
  CHECK(refused_notice.next.state_reason == "notice_refused");

  Transition no_link =
      step(verified_account(), failure(FailureKind::permanent, "no_public_url"), now_default());
  CHECK(name(no_link.next.state) == "FAILED");
  CHECK(no_link.next.state_reason == "no_public_url");

  Transition again = step(verified_account(), failure(FailureKind::retryable, "421"), now_default());
  CHECK(name(again.next.state) == "RETRY_WAIT");
  CHECK(name(again.next.retry_step) == "VERIFIED");
  CHECK(text(again.next.due_at) == text(now_default() + 500ms));
}

// --- NOTIFIED -----------------------------------------------------------------

namespace {

Account notified_account() {
  Account account = verified_account();
  account.state = State::notified;
  account.told_deletion_date = date::year{2027} / date::February / 15;
  account.due_at = local("2027-01-15T00:00:00");
  return account;
}

}  // namespace

TEST_CASE("NOTIFIED due with export evidence checks activity", "[lifecycle]") {
  Instant departure = local("2027-01-15T00:00:00");
  Transition t = step(notified_account(), event(EventKind::due), departure);
  CHECK(name(t.next.state) == "NOTIFIED");
  CHECK(effects(t.effects) == Names{"check_activity"});
  CHECK(t.journal_kind.empty());
}

TEST_CASE("NOTIFIED due before the departure date waits for it", "[lifecycle]") {
  // A release sets the timer to now; the departure step must still wait
  // for the departure, or work done until then would never be exported.
  Instant before = local("2027-01-14T23:00:00");
  for (const char* kind : {"export", "moved"}) {
    INFO(kind);
    Account account = notified_account();
    account.evidence.kind = kind;
    account.due_at = before;
    Transition t = step(account, event(EventKind::due), before);
    CHECK(name(t.next.state) == "NOTIFIED");
    CHECK(t.effects.empty());
    CHECK(local_text(t.next.due_at) == "2027-01-15T00:00:00");
  }
}

TEST_CASE("NOTIFIED due checks a move's activity too, and goes to GRACE without final export",
          "[lifecycle]") {
  Instant departure = local("2027-01-15T00:00:00");
  SECTION("moved evidence: work after the move's snapshot would be lost") {
    Account account = notified_account();
    account.evidence = Evidence{"moved", {}, {}, {}, {}};
    Transition t = step(account, event(EventKind::due), departure);
    CHECK(name(t.next.state) == "NOTIFIED");
    CHECK(effects(t.effects) == Names{"check_activity"});
    Transition clean = step(account, event(EventKind::activity_clean), departure);
    CHECK(name(clean.next.state) == "GRACE");
    // The timer: the first reminder, 7 days before the end.
    CHECK(text(clean.next.due_at) == text(local("2027-02-08T00:00:00")));
  }
  SECTION("export.final_export: none") {
    Policy rules = policy();
    rules.final_export = false;
    Transition t = step(notified_account(), event(EventKind::due), departure, rules);
    CHECK(name(t.next.state) == "GRACE");
    CHECK(text(t.next.grace_end) == text(local("2027-02-15T00:00:00")));
  }
}

TEST_CASE("NOTIFIED activity_clean: GRACE until grace end", "[lifecycle]") {
  Account account = notified_account();
  account.attempts = 1;
  Transition t = step(account, event(EventKind::activity_clean), local("2027-01-15T00:05:00"));
  CHECK(name(t.next.state) == "GRACE");
  CHECK(local_text(t.next.grace_end) == "2027-02-15T00:00:00");
  CHECK(local_text(t.next.due_at) == "2027-02-08T00:00:00");
  CHECK(t.next.attempts == 0);
}

TEST_CASE("NOTIFIED activity_clean without a stored grace end computes it", "[lifecycle]") {
  Account account = notified_account();
  account.grace_end.reset();
  account.verified_at = local("2027-01-31T10:00:00");
  Transition t = step(account, event(EventKind::activity_clean), local("2027-02-01T00:00:00"));
  CHECK(local_text(t.next.grace_end) == "2027-02-28T10:00:00");
}

TEST_CASE("NOTIFIED activity_stale: a final export with archive delivery", "[lifecycle]") {
  Instant now = local("2027-01-15T00:05:00");
  Account account = notified_account();
  account.attempts = 1;
  Transition t = step(account, event(EventKind::activity_stale), now);
  CHECK(name(t.next.state) == "QUEUED");
  CHECK(t.next.delivery == "archive");
  CHECK(t.next.reexports == 1);
  // Requested from the second UTC midnight after now (23:05 UTC on the
  // 14th): completed then, it is no longer stale for today's activity.
  CHECK(text(t.next.due_at) == text(local("2027-01-16T00:00:00Z")));
  CHECK(t.next.attempts == 0);
  CHECK_FALSE(t.next.fallback_export);

  SECTION("a moved account is re-exported as a fallback export") {
    Account moved = notified_account();
    moved.action = Action::move;
    Transition again = step(moved, event(EventKind::activity_stale), now);
    CHECK(again.next.fallback_export);
  }
  SECTION("once max_reexports are spent: HELD") {
    account.reexports = 1;
    Transition held = step(account, event(EventKind::activity_stale), now);
    CHECK(name(held.next.state) == "HELD");
    CHECK(name(held.next.held_from) == "NOTIFIED");
    CHECK(held.next.state_reason == "activity_after_export");
    CHECK_FALSE(held.next.due_at);
    CHECK(held.next.reexports == 1);
  }
}

TEST_CASE("NOTIFIED failure: retried later", "[lifecycle]") {
  Instant now = local("2027-01-15T00:05:00");
  Transition t = step(notified_account(), failure(FailureKind::retryable, "timeout"), now);
  CHECK(name(t.next.state) == "RETRY_WAIT");
  CHECK(name(t.next.retry_step) == "NOTIFIED");
  CHECK(text(t.next.due_at) == text(now + 500ms));
}

// --- GRACE, PURGE_DUE -----------------------------------------------------------

namespace {

Account grace_account() {
  Account account = notified_account();
  account.state = State::grace;
  account.due_at = account.grace_end;
  return account;
}

Account purge_due_account() {
  Account account = grace_account();
  account.state = State::purge_due;
  account.due_at.reset();
  return account;
}

}  // namespace

TEST_CASE("GRACE due before grace end waits for the next reminder, the end is the purge's",
          "[lifecycle]") {
  Instant end = local("2027-02-15T00:00:00");
  Account told = grace_account();
  told.told_deletion_date = date::year_month_day{date::year{2027} / 2 / 15};
  Transition early = step(told, event(EventKind::due), local("2027-02-01T00:00:00"));
  CHECK(name(early.next.state) == "GRACE");
  CHECK(early.effects.empty());
  CHECK(local_text(early.next.due_at) == "2027-02-08T00:00:00");
  // The runner's timer at the end: nothing left for the runner to do.
  Transition t = step(grace_account(), event(EventKind::due), end);
  CHECK(name(t.next.state) == "GRACE");
  CHECK_FALSE(t.next.due_at);
  CHECK(t.effects.empty());
  // The purge moves it to PURGE_DUE, never before the end.
  Transition ended = step(grace_account(), event(EventKind::grace_ended), end);
  CHECK(name(ended.next.state) == "PURGE_DUE");
  CHECK_FALSE(ended.next.due_at);
  CHECK(refused(grace_account(), event(EventKind::grace_ended), end - 1ms));
}

TEST_CASE("PURGE_DUE purged and already_gone: PURGED with its kind", "[lifecycle]") {
  Instant now = local("2027-02-16T02:00:00");
  Transition deleted = step(purge_due_account(), event(EventKind::purged), now);
  CHECK(name(deleted.next.state) == "PURGED");
  CHECK(deleted.next.purge_kind == "deleted");
  CHECK(text(deleted.next.purged_at) == text(now));
  CHECK_FALSE(deleted.next.due_at);

  Transition gone = step(purge_due_account(), event(EventKind::already_gone), now);
  CHECK(name(gone.next.state) == "PURGED");
  CHECK(gone.next.purge_kind == "already_gone");
}

TEST_CASE("PURGE_DUE interlock_failed: HELD with the interlock", "[lifecycle]") {
  Transition t = step(purge_due_account(), event(EventKind::interlock_failed, "directory_active"),
                      local("2027-02-16T02:00:00"));
  CHECK(name(t.next.state) == "HELD");
  CHECK(name(t.next.held_from) == "PURGE_DUE");
  CHECK(t.next.state_reason == "directory_active");
  CHECK_FALSE(t.next.due_at);
}

TEST_CASE("PURGE_DUE activity_stale: re-export, or HELD once spent", "[lifecycle]") {
  Instant now = local("2027-02-16T02:00:00");
  Transition again = step(purge_due_account(), event(EventKind::activity_stale), now);
  CHECK(name(again.next.state) == "QUEUED");
  CHECK(again.next.delivery == "archive");
  CHECK(again.next.reexports == 1);
  CHECK(text(again.next.due_at) == text(local("2027-02-18T00:00:00Z")));

  Account spent = purge_due_account();
  spent.reexports = 1;
  Transition held = step(spent, event(EventKind::activity_stale), now);
  CHECK(name(held.next.state) == "HELD");
  CHECK(name(held.next.held_from) == "PURGE_DUE");
}

TEST_CASE("PURGE_DUE failure: stays for the next night, journaled", "[lifecycle]") {
  Transition t = step(purge_due_account(), failure(FailureKind::retryable, "DELETE timeout"),
                      local("2027-02-16T02:00:00"));
  CHECK(name(t.next.state) == "PURGE_DUE");
  CHECK(t.journal_kind == "state");
  CHECK(t.journal_detail.find("DELETE timeout") != std::string::npos);
  CHECK_FALSE(t.next.due_at);
}

// --- RETRY_WAIT ---------------------------------------------------------------

TEST_CASE("RETRY_WAIT due returns to the step it waits for", "[lifecycle]") {
  Instant now = now_default();
  for (State step_state : {State::queued, State::verifying, State::verified, State::notified}) {
    Account account = account_in(State::retry_wait);
    account.retry_step = step_state;
    account.attempts = 3;
    account.due_at = now;
    Transition t = step(account, event(EventKind::due), now);
    CHECK(name(t.next.state) == name(step_state));
    CHECK_FALSE(t.next.retry_step);
    CHECK(text(t.next.due_at) == text(now));
    CHECK(t.next.attempts == 3);
  }
  Account unknown = account_in(State::retry_wait);
  CHECK(name(step(unknown, event(EventKind::due), now).next.state) == "QUEUED");
}

// --- time rules -----------------------------------------------------------------

TEST_CASE("grace end: later of verification and departure midnight plus 1 month, in local time",
          "[lifecycle]") {
  Policy rules = policy();
  auto end = [&](std::string_view verified, date::year_month_day departure) {
    return local_text(grace_end_for(local(verified), departure, rules));
  };
  CHECK(end("2027-01-31T10:00:00", k_departure) == "2027-02-28T10:00:00");
  CHECK(end("2028-01-31T10:00:00", date::year{2028} / date::January / 15) == "2028-02-29T10:00:00");
  CHECK(end("2027-01-05T10:00:00", date::year{2027} / date::January / 31) == "2027-02-28T00:00:00");
  CHECK(end("2027-03-31T16:30:00", date::year{2027} / date::March / 1) == "2027-04-30T16:30:00");
  // 28 March 2027 02:30 does not exist in Paris: the first instant after the gap.
  CHECK(end("2027-02-28T02:30:00", date::year{2027} / date::February / 1) == "2027-03-28T03:00:00");
}

TEST_CASE("first_due: departure minus lead at local midnight, or now", "[lifecycle]") {
  Policy rules = policy();
  Instant early = local("2026-11-01T12:00:00");
  CHECK(local_text(first_due(k_departure, early, rules)) == "2026-12-25T00:00:00");
  CHECK(text(first_due(k_departure, now_default(), rules)) == text(now_default()));
}

TEST_CASE("runner_acts_on: the states with a runner timer", "[lifecycle]") {
  const std::set<State> expected = {State::queued,   State::exporting, State::verifying,
                                    State::moving,   State::invited,   State::verified,
                                    State::notified, State::grace,     State::retry_wait};
  for (State state : k_states) {
    INFO(name(state));
    CHECK(runner_acts_on(state) == (expected.count(state) == 1));
  }
}

// --- support events ---------------------------------------------------------------

TEST_CASE("hold in every non-final state remembers it and clears the timer", "[lifecycle]") {
  for (State state : k_states) {
    INFO(name(state));
    Account account = rich_account(state);
    if (is_final(state)) {
      CHECK(refused(account, event(EventKind::hold, "ticket 12"), now_default()));
      continue;
    }
    if (state == State::held) continue;  // adds a reason: test_deletion_safety.cpp
    Transition t = step(account, event(EventKind::hold, "ticket 12"), now_default());
    CHECK(name(t.next.state) == "HELD");
    CHECK(name(t.next.held_from) == name(state));
    CHECK(t.next.state_reason == "ticket 12");
    CHECK_FALSE(t.next.due_at);
    CHECK(t.journal_kind == "support");
    CHECK(t.effects.empty());
  }
}

TEST_CASE("release returns to the state held from, timers at now", "[lifecycle]") {
  Instant now = now_default();
  for (State from : {State::queued, State::exporting, State::verifying, State::moving,
                     State::invited, State::verified, State::notified, State::retry_wait,
                     State::failed}) {
    INFO(name(from));
    Account account = rich_account(from);
    account.attempts = 3;
    Account held = step(account, event(EventKind::hold, "check"), now - 1h).next;
    Transition t = step(held, event(EventKind::release, "ok"), now);
    CHECK(name(t.next.state) == name(from));
    CHECK_FALSE(t.next.held_from);
    CHECK(t.next.state_reason.empty());
    CHECK(t.next.attempts == 0);
    CHECK(text(t.next.due_at) == text(now));
    CHECK(t.journal_kind == "support");
    if (from == State::retry_wait) CHECK(name(t.next.retry_step) == "QUEUED");
  }
}

TEST_CASE("release into GRACE or PURGE_DUE keeps a future grace end", "[lifecycle]") {
  Instant now = local("2027-02-01T09:00:00");
  for (State from : {State::grace, State::purge_due}) {
    INFO(name(from));
    Account held = rich_account(State::held);
    held.held_from = from;
    Transition t = step(held, event(EventKind::release), now);
    CHECK(name(t.next.state) == "GRACE");
    // The journal (and so the desk) says where the account goes.
    CHECK(t.journal_detail.starts_with("HELD -> GRACE: "));
    CHECK(local_text(t.next.grace_end) == "2027-02-15T00:00:00");
    // Timers re-evaluated at now: reminders and the end follow from there.
    CHECK(text(t.next.due_at) == text(now));
  }
}

TEST_CASE("release into GRACE or PURGE_DUE after grace end: now + 7 days in GRACE", "[lifecycle]") {
  Instant now = local("2027-03-02T09:00:00");
  for (State from : {State::grace, State::purge_due}) {
    INFO(name(from));
    Account held = rich_account(State::held);
    held.held_from = from;
    Transition t = step(held, event(EventKind::release), now);
    CHECK(name(t.next.state) == "GRACE");
    CHECK(text(t.next.grace_end) == text(now + std::chrono::days(7)));
    // Due now: the GRACE timer tells the person the new date.
    CHECK(text(t.next.due_at) == text(now));
    CHECK(deletion_date_untold(t.next, policy()));
  }
}

TEST_CASE("release after the date last told has passed: a new date 7 days on, told, even when a postpone "
          "nobody was told of keeps the grace end ahead", "[lifecycle]") {
  // Safety seed 9192: told the 13th, postponed to the 15th (no mail), held;
  // released on the 14th and deleted the next night, the person never told.
  Instant now = local("2027-02-16T09:00:00");
  Account held = rich_account(State::held);
  held.held_from = State::grace;
  held.told_deletion_date = date::year_month_day{date::year{2027}, date::month{2}, date::day{14}};
  held.grace_end = local("2027-02-17T00:00:00");  // postponed, never told
  Transition t = step(held, event(EventKind::release), now);
  CHECK(name(t.next.state) == "GRACE");
  CHECK(text(t.next.grace_end) == text(now + std::chrono::days(7)));
  CHECK(deletion_date_untold(t.next, policy()));
  // A date still ahead as told is kept.
  held.told_deletion_date = date::year_month_day{date::year{2027}, date::month{2}, date::day{16}};
  t = step(held, event(EventKind::release), now);
  CHECK(local_text(t.next.grace_end) == "2027-02-17T00:00:00");
}

TEST_CASE("release is refused unless HELD with a remembered state", "[lifecycle]") {
  for (State state : k_states) {
    if (state == State::held) continue;
    INFO(name(state));
    CHECK(refused(rich_account(state), event(EventKind::release), now_default()));
  }
  Account lost = rich_account(State::held);
  lost.held_from.reset();
  CHECK(refused(lost, event(EventKind::release), now_default()));
}

TEST_CASE("retry only from FAILED, back to QUEUED now", "[lifecycle]") {
  Instant now = now_default();
  for (State state : k_states) {
    INFO(name(state));
    Account account = rich_account(state);
    account.attempts = 8;
    account.state_reason = "503";
    if (state != State::failed) {
      CHECK(refused(account, event(EventKind::retry), now));
      continue;
    }
    Transition t = step(account, event(EventKind::retry, "fixed"), now);
    CHECK(name(t.next.state) == "QUEUED");
    CHECK(t.next.attempts == 0);
    CHECK(t.next.state_reason.empty());
    CHECK(text(t.next.due_at) == text(now));
    CHECK(t.journal_kind == "support");
  }
}

TEST_CASE("retry keeps the 24-hour rule", "[lifecycle]") {
  Instant now = now_default();
  Account failed = account_in(State::failed);
  failed.last_export_request = now - 2h;
  Account queued = step(failed, event(EventKind::retry), now).next;
  Transition t = step(queued, event(EventKind::lookup_ok), now);
  CHECK(name(t.next.state) == "RETRY_WAIT");
  CHECK(text(t.next.due_at) == text(now + 22h));
}

TEST_CASE("cancel from every non-final state, refused on final states", "[lifecycle]") {
  for (State state : k_states) {
    INFO(name(state));
    Account account = rich_account(state);
    if (is_final(state)) {
      CHECK(refused(account, event(EventKind::cancel, "list corrected"), now_default()));
      continue;
    }
    Transition t = step(account, event(EventKind::cancel, "list corrected"), now_default());
    CHECK(name(t.next.state) == "CANCELLED");
    CHECK(t.next.state_reason == "list corrected");
    CHECK_FALSE(t.next.due_at);
    CHECK(t.journal_kind == "support");
  }
}

TEST_CASE("postpone only later, at most max_postpone beyond the told date", "[lifecycle]") {
  Instant now = local("2027-02-01T09:00:00");
  // told 2027-02-15: the cap is 2027-04-16 00:00 local (60 days).
  Instant cap = local("2027-04-16T00:00:00");
  for (State state : {State::verified, State::notified, State::grace, State::purge_due}) {
    INFO(name(state));
    Account account = rich_account(state);
    account.due_at = state == State::grace ? account.grace_end : std::optional<Instant>{};

    Transition t = step(account, at_event(EventKind::postpone, cap), now);
    CHECK(text(t.next.grace_end) == text(cap));
    // Not told yet: the GRACE timer tells the new date.
    CHECK(deletion_date_untold(t.next, policy()));
    CHECK_FALSE(t.next.reminded);
    CHECK(t.journal_kind == "support");
    if (state == State::grace || state == State::purge_due) {
      CHECK(name(t.next.state) == "GRACE");
      CHECK(text(t.next.due_at) == text(now));
    } else {
      CHECK(name(t.next.state) == name(state));
    }

    // The cap is a date: later that day is allowed, the next day is not.
    CHECK_FALSE(refused(account, at_event(EventKind::postpone, cap + 23h), now));
    std::string too_far = refusal_reason(account, at_event(EventKind::postpone, cap + 24h), now);
    CHECK(too_far.find("60 days") != std::string::npos);
    CHECK(refused(account, at_event(EventKind::postpone, *account.grace_end), now));
    CHECK(refused(account, at_event(EventKind::postpone, *account.grace_end - 24h), now));
    CHECK(refused(account, event(EventKind::postpone), now));
  }
}

TEST_CASE("postpone to a date already past is refused: the person would be sent a date gone by",
          "[lifecycle]") {
  // The purge was stopped (breaker) for weeks: grace ended 1 January.
  Instant now = local("2027-02-01T09:00:00");
  for (State state : {State::grace, State::purge_due}) {
    INFO(name(state));
    Account account = rich_account(state);
    account.grace_end = local("2027-01-01T00:00:00");
    account.told_deletion_date = date::year{2027} / 1 / 1;
    std::string why = refusal_reason(account, at_event(EventKind::postpone, local("2027-01-11T00:00:00")), now);
    CHECK(why.find("2027-01-11 is already past") != std::string::npos);
    CHECK_FALSE(refused(account, at_event(EventKind::postpone, local("2027-02-05T00:00:00")), now));
  }
}

TEST_CASE("postpone of a held account keeps it held", "[lifecycle]") {
  Account held = rich_account(State::held);  // held from GRACE
  Transition t = step(held, at_event(EventKind::postpone, local("2027-03-01T00:00:00")),
                      now_default());
  CHECK(name(t.next.state) == "HELD");
  CHECK(local_text(t.next.grace_end) == "2027-03-01T00:00:00");
  CHECK_FALSE(t.next.due_at);
}

TEST_CASE("postpone is refused where no deletion is scheduled", "[lifecycle]") {
  Instant wanted = local("2027-03-01T00:00:00");
  for (State state : {State::queued, State::exporting, State::verifying, State::moving,
                      State::invited, State::purged, State::retry_wait, State::failed,
                      State::cancelled, State::no_space}) {
    INFO(name(state));
    CHECK(refused(rich_account(state), at_event(EventKind::postpone, wanted), now_default()));
  }
}

// --- deletion reminders ----------------------------------------------------------

TEST_CASE("GRACE reminders: 7 days then 1 day before the end, only the latest when late",
          "[lifecycle]") {
  Account account = grace_account();
  account.told_deletion_date = date::year_month_day{date::year{2027} / 2 / 15};
  SECTION("the 7-day reminder") {
    Instant at = local("2027-02-08T00:00:00");
    Transition due = step(account, event(EventKind::due), at);
    CHECK(effects(due.effects) == Names{"send_reminder"});
    Transition sent = step(due.next, event(EventKind::notice_sent), at);
    REQUIRE(sent.next.reminded);
    CHECK(to_string(*sent.next.reminded) == "7 days");
    CHECK(local_text(sent.next.due_at) == "2027-02-14T00:00:00");
    Transition one_day = step(sent.next, event(EventKind::due), local("2027-02-14T00:00:00"));
    CHECK(effects(one_day.effects) == Names{"send_reminder"});
    Transition last = step(one_day.next, event(EventKind::notice_sent), local("2027-02-14T00:00:00"));
    CHECK(to_string(*last.next.reminded) == "1 day");
    CHECK(local_text(last.next.due_at) == "2027-02-15T00:00:00");
  }
  SECTION("both due at once: only the 1-day one") {
    Instant late = local("2027-02-14T12:00:00");
    REQUIRE(due_reminder(account, late, policy()));
    CHECK(to_string(*due_reminder(account, late, policy())) == "1 day");
    Transition sent = step(account, event(EventKind::notice_sent), late);
    CHECK(to_string(*sent.next.reminded) == "1 day");
    CHECK_FALSE(due_reminder(sent.next, late, policy()));
    CHECK(local_text(sent.next.due_at) == "2027-02-15T00:00:00");
  }
  SECTION("none after the end") {
    CHECK_FALSE(due_reminder(account, local("2027-02-15T00:00:00"), policy()));
  }
}

TEST_CASE("GRACE with a deletion date not yet told tells it first", "[lifecycle]") {
  Account account = grace_account();
  account.told_deletion_date = date::year_month_day{date::year{2027} / 2 / 10};
  Transition due = step(account, event(EventKind::due), local("2027-02-01T00:00:00"));
  CHECK(effects(due.effects) == Names{"send_reminder"});
  Transition sent = step(due.next, event(EventKind::notice_sent), local("2027-02-01T00:00:00"));
  REQUIRE(sent.next.told_deletion_date);
  CHECK(format_date(*sent.next.told_deletion_date) == "2027-02-15");
  CHECK_FALSE(sent.next.reminded);
}

TEST_CASE("GRACE reminder refused for good: FAILED notice_refused, retried otherwise",
          "[lifecycle]") {
  Account account = grace_account();
  Instant now = local("2027-02-08T00:00:00");
  Event refused_event = event(EventKind::failure);
  refused_event.failure = FailureKind::permanent;
  Transition refused = step(account, refused_event, now);
  CHECK(name(refused.next.state) == "FAILED");
  CHECK(refused.next.state_reason == "notice_refused");
  refused_event.detail = "no_public_url";  // an archive reminder without a link
  Transition no_link = step(account, refused_event, now);
  CHECK(name(no_link.next.state) == "FAILED");
  CHECK(no_link.next.state_reason == "no_public_url");
  Event later = event(EventKind::failure);
  later.failure = FailureKind::retryable;
  Transition retried = step(account, later, now);
  CHECK(name(retried.next.state) == "GRACE");
  CHECK(retried.next.attempts == 1);
  REQUIRE(retried.next.due_at);
  CHECK(*retried.next.due_at >= now);
}

TEST_CASE("INVITED move reminders 7 and 2 days before the deadline, each after a look that found no move",
          "[lifecycle]") {
  Account account = invited_account();  // deadline 2027-01-08 local midnight
  Instant first = local("2027-01-01T00:00:00");
  // The move is looked at first: a person who moved gets no reminder.
  Transition due = step(account, event(EventKind::due), first);
  CHECK(effects(due.effects) == Names{"poll_move"});
  Transition moved = step(due.next, event(EventKind::lookup_moved), first);
  CHECK(effects(moved.effects) != Names{"send_move_reminder"});
  // Not moved: the due reminder.
  Transition not_moved = step(due.next, event(EventKind::lookup_ok), first);
  CHECK(effects(not_moved.effects) == Names{"send_move_reminder"});
  Transition sent = step(not_moved.next, event(EventKind::notice_sent), first);
  REQUIRE(sent.next.reminded);
  CHECK(to_string(*sent.next.reminded) == "7 days");
  CHECK(text(sent.next.due_at) == text(first + policy().poll_interval));
  // The same day again: no second reminder, the source is polled.
  Transition polled = step(sent.next, event(EventKind::due), first + 1h);
  CHECK(effects(polled.effects) == Names{"poll_move"});
  Transition again = step(polled.next, event(EventKind::lookup_ok), first + 1h);
  CHECK(again.effects.empty());
  const Instant later = local("2027-01-06T00:00:00");
  Transition second = step(step(sent.next, event(EventKind::due), later).next, event(EventKind::lookup_ok), later);
  CHECK(effects(second.effects) == Names{"send_move_reminder"});
  CHECK(to_string(*due_move_reminder(sent.next, later, policy())) == "2 days");
  // A look that failed sends no reminder: the move may be done.
  Event failed = event(EventKind::failure);
  failed.failure = FailureKind::retryable;
  Transition unknown = step(step(sent.next, event(EventKind::due), later).next, failed, later);
  CHECK(unknown.effects.empty());
  CHECK(name(unknown.next.state) == "INVITED");
}

TEST_CASE("release into QUEUED before the account's start keeps its start", "[lifecycle]") {
  Instant early = local("2026-12-01T09:00:00");
  Account held = step(rich_account(State::queued), event(EventKind::hold, "check"), early - 1h).next;
  Transition t = step(held, event(EventKind::release, "ok"), early);
  CHECK(name(t.next.state) == "QUEUED");
  // departure 2027-01-15 minus the 21-day lead, local midnight.
  CHECK(local_text(t.next.due_at) == "2026-12-25T00:00:00");
}

TEST_CASE("an admin-driven move waits for the 24-hour rule like an export", "[lifecycle]") {
  Instant now = now_default();
  Account account = account_in(State::queued, Action::move);
  account.admin_move = true;
  account.last_export_request = now - 2h;
  Transition waiting = step(account, event(EventKind::lookup_ok), now);
  CHECK(name(waiting.next.state) == "RETRY_WAIT");
  CHECK(text(waiting.next.due_at) == text(now + 22h));
  account.last_export_request = now - 25h;
  Transition moving = step(account, event(EventKind::lookup_ok), now);
  CHECK(name(moving.next.state) == "MOVING");
  CHECK(effects(moving.effects) == Names{"start_move"});
}

TEST_CASE("A list correction never shortens a support postpone nor a told date, and waits for a DELETE under way",
          "[lifecycle][correction]") {
  Account account = grace_account();
  const Instant postponed = *account.grace_end + std::chrono::days(60);
  account.grace_end = postponed;  // support postponed it two months
  account.told_deletion_date = local_date(postponed, policy().zone);
  Event corrected(EventKind::list_corrected);
  ListCorrection row{date::year{2027} / 1 / 20, account.email, account.action, account.target,
                     account.target_host, account.admin_move};
  corrected.correction = row;
  // A departure a few days later: its grace end is before the postponed one.
  Transition later = step(account, corrected, now_default());
  CHECK(text(later.next.grace_end) == text(postponed));
  // An earlier departure: never earlier either.
  corrected.correction->departure_date = date::year{2026} / 9 / 1;
  CHECK(text(step(account, corrected, now_default()).next.grace_end) == text(postponed));
  // A DELETE already sent: nothing is corrected.
  account.delete_in_flight = true;
  CHECK(std::holds_alternative<Refusal>(apply(account, corrected, now_default(), policy())));
}

TEST_CASE("reexport: an exported account waiting for its deletion is exported again, never deleted sooner",
          "[lifecycle][reexport]") {
  const Instant now = local("2027-02-01T09:00:00");
  for (State state : {State::verified, State::notified, State::grace, State::purge_due}) {
    INFO(name(state));
    Account account = rich_account(state);
    account.delivery = "space";
    Transition t = step(account, event(EventKind::reexport, "link expired, ticket 42"), now);
    CHECK(name(t.next.state) == "QUEUED");
    CHECK(t.next.delivery == "archive");
    CHECK(t.next.reexports == 1);
    CHECK(t.next.reexport_requested_by == "support");
    CHECK(text(t.next.due_at) == text(now));
    CHECK(t.next.attempts == 0);
    // The date set stays until a new verification, which only keeps it or
    // moves it later.
    CHECK(text(t.next.grace_end) == text(account.grace_end));
    CHECK(t.journal_kind == "support");
    CHECK(t.journal_detail.find("link expired, ticket 42") != std::string::npos);
  }
}

TEST_CASE("reexport refused: not exported yet, final, held, moved, or a DELETE under way", "[lifecycle][reexport]") {
  const Instant now = local("2027-02-01T09:00:00");
  for (State state : k_states) {
    if (state == State::verified || state == State::notified || state == State::grace || state == State::purge_due)
      continue;
    INFO(name(state));
    CHECK(refused(rich_account(state), event(EventKind::reexport, "ticket"), now));
  }
  Account moved = rich_account(State::notified);
  moved.action = Action::move;
  moved.target = "https://alice.elsewhere.example";
  moved.evidence.kind = "moved";
  CHECK(refusal_reason(moved, event(EventKind::reexport, "ticket"), now).find("moved") != std::string::npos);
  Account deleting = rich_account(State::purge_due);
  deleting.delete_in_flight = true;
  CHECK(refusal_reason(deleting, event(EventKind::reexport, "ticket"), now).find("under way") != std::string::npos);
}

// The purge held it because a verified part is no longer whole in the
// archive, or the space changed after its last export allowed: exporting
// again is the remedy, without a release that would first tell the person
// a new date and point them at an archive that does not hold their space.
TEST_CASE("reexport: an account held only because its archive no longer holds the space is exported again from HELD",
          "[lifecycle][reexport]") {
  const Instant now = local("2027-02-20T09:00:00");
  Account account = rich_account(State::held);
  account.held_from = State::purge_due;
  account.hold_reasons = {"evidence_missing"};
  account.state_reason = "evidence_missing";
  Transition t = step(account, event(EventKind::reexport, "part lost, ticket 9"), now);
  CHECK(name(t.next.state) == "QUEUED");
  CHECK_FALSE(t.next.held_from);
  CHECK(t.next.hold_reasons.empty());
  CHECK(t.next.state_reason.empty());
  CHECK(t.next.delivery == "archive");
  CHECK(t.next.reexport_requested_by == "support");
  CHECK(text(t.next.due_at) == text(now));
  // The date gone by stays until the new verification moves it later.
  CHECK(text(t.next.grace_end) == text(account.grace_end));
  CHECK(t.journal_detail.find("HELD -> QUEUED") != std::string::npos);
  // Another reason to hold is somebody's decision: released first.
  Account also = account;
  also.hold_reasons.push_back("person asked to wait, ticket 8");
  CHECK(refusal_reason(also, event(EventKind::reexport, "ticket"), now).find("ticket 8") != std::string::npos);
  for (const char* stale : {"activity_after_export", "files_changed_after_export"}) {
    Account changed = account;
    changed.hold_reasons = {stale};
    CHECK(name(step(changed, event(EventKind::reexport, "ticket"), now).next.state) == "QUEUED");
  }
  // Held for something else only: refused as before.
  for (const char* reason : {"directory_active", "dropped_from_list", "person asked"}) {
    Account other = account;
    other.hold_reasons = {reason};
    INFO(reason);
    CHECK(refused(other, event(EventKind::reexport, "ticket"), now));
  }
  // A DELETE without outcome: neither exported again nor released.
  Account deleting = account;
  deleting.delete_in_flight = true;
  CHECK(refusal_reason(deleting, event(EventKind::reexport, "ticket"), now).find("under way") != std::string::npos);
  CHECK(refusal_reason(deleting, event(EventKind::release, "ticket"), now).find("under way") != std::string::npos);
  // Held before anything was verified: nothing was exported.
  Account early = account;
  early.held_from = State::queued;
  CHECK(refused(early, event(EventKind::reexport, "ticket"), now));
}

TEST_CASE("a new verification after a support reexport keeps or delays the deletion date", "[lifecycle][reexport]") {
  // Verified again after the departure: one grace period from then, never
  // the earlier date the person was told.
  const Instant now = local("2027-02-01T09:00:00");
  Account account = rich_account(State::grace);
  Transition again = step(account, event(EventKind::reexport, "link expired"), now);
  Account verifying = again.next;
  verifying.state = State::verifying;
  Event ok(EventKind::evidence_ok);
  ok.evidence = export_evidence();
  Transition verified = step(verifying, ok, now + 2h);
  REQUIRE(verified.next.grace_end);
  CHECK(*verified.next.grace_end > *account.grace_end);
  CHECK(verified.next.reexport_requested_by == "support");
  // Activity after this export brings another export, its notice then says so.
  Account notified = verified.next;
  notified.state = State::notified;
  Policy two = policy();
  two.max_reexports = 2;
  Transition stale = step(notified, event(EventKind::activity_stale), now + 48h, two);
  CHECK(name(stale.next.state) == "QUEUED");
  CHECK(stale.next.reexport_requested_by.empty());
}

TEST_CASE("an export support asked for spends none of the activity budget", "[lifecycle][reexport]") {
  const Instant now = local("2027-02-01T09:00:00");
  Policy one = policy();
  one.max_reexports = 1;
  Account account = rich_account(State::notified);
  account.reexports = 1;  // one export again after activity already
  CHECK(name(step(account, event(EventKind::activity_stale), now, one).next.state) == "HELD");
  // Support asked for the latest one: activity after it is exported again,
  // once; activity after that export is held as before.
  account.reexport_requested_by = "support";
  account.reexports = 2;
  Transition again = step(account, event(EventKind::activity_stale), now, one);
  CHECK(name(again.next.state) == "QUEUED");
  Account after = again.next;
  after.state = State::notified;
  CHECK(name(step(after, event(EventKind::activity_stale), now + 48h, one).next.state) == "HELD");
}
