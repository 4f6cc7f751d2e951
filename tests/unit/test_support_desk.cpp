// The support desk's pure functions (issue 13): reason codes and their
// sentences, local times, the case timeline, the next steps in words, the
// ID lookup, and the deletion date told after a postpone.

#include <catch2/catch.hpp>

#include <algorithm>

#include <string>
#include <vector>

#include "engine/lifecycle/reminders.hpp"
#include "engine/support/access.hpp"
#include "engine/support/action_words.hpp"
#include "engine/support/local_time.hpp"
#include "engine/support/lookup.hpp"
#include "engine/support/next_steps.hpp"
#include "engine/support/reasons.hpp"
#include "engine/support/timeline.hpp"

using namespace passage;

namespace {

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Instant utc(const std::string& text) { return *parse_iso_instant(text, nullptr); }

Policy paris_policy() {
  Policy policy;
  policy.zone = paris();
  return policy;
}

JournalEntry journal(const std::string& at, const std::string& actor, const std::string& kind,
                     const std::string& detail) {
  JournalEntry entry;
  entry.at = format_utc(utc(at));
  entry.actor = actor;
  entry.kind = kind;
  entry.detail = detail;
  return entry;
}

Account hakim() {
  Account account;
  account.id = 1;
  account.login = "hakim";
  account.domain = "hakim.mytoutatice.cloud";
  account.email = "Hakim.BenAli@Laposte.net";
  account.departure_date = date::year{2026} / 10 / 1;
  return account;
}

std::size_t position(const std::vector<TimelineEntry>& timeline, const std::string& text) {
  for (std::size_t i = 0; i < timeline.size(); ++i)
    if (timeline[i].text.find(text) != std::string::npos) return i;
  FAIL("no timeline entry holds '" << text << "'");
  return 0;
}

}  // namespace

TEST_CASE("every reason code the engine records has a sentence, free text has none", "[support][reasons]") {
  for (const char* code : {"delete_stuck", "directory_active", "directory_unknown", "directory_failed",
                           "lookup_404_storm", "blocked", "blocked_by_other", "domain_alias", "notice_refused",
                           "no_public_url", "evidence_incomplete", "evidence_missing", "delete_failed",
                           "dropped_from_list", "activity_after_export", "activity_after_move", "target_missing",
                           "target_blocked", "target_quota", "target_holds_data", "export_deadline",
                           "import_deadline", "import_stalled", "target_written_after_import", "24-hour rule"}) {
    INFO(code);
    CHECK(reason_sentence(code).has_value());
  }
  CHECK(reason_code_of("blocked: MAINTENANCE") == "blocked");
  CHECK(reason_sentence("blocked: MAINTENANCE") == reason_sentence("blocked"));
  CHECK_FALSE(reason_sentence("the person asked for a week").has_value());
  // A failure in libcurl's or the stack's words is explained by its kind,
  // in the desk's language.
  CHECK(reason_sentence("Couldn't connect to server", "fr") == reason_sentence("stack_unreachable", "fr"));
  CHECK(reason_sentence("Couldn't connect to server", "fr")->starts_with("Le serveur n'a pas pu"));
  CHECK(reason_sentence("http 502", "fr") == reason_sentence("stack_error", "fr"));
  CHECK(reason_sentence("smtp 127.0.0.1:25: Couldn't connect to server", "fr") ==
        reason_sentence("relay_unavailable", "fr"));
  const std::string explained = explain_reasons("delete_stuck; ticket 42");
  CHECK(explained.starts_with("delete_stuck ("));
  CHECK(explained.ends_with("; ticket 42"));
  CHECK(reasons_include("blocked: X; delete_stuck", "delete_stuck"));
  CHECK(reasons_include("blocked: X; delete_stuck", "blocked"));
  CHECK_FALSE(reasons_include("directory_active", "directory"));
  // One sentence per code: no code listed twice.
  for (std::size_t i = 0; i < reason_codes().size(); ++i)
    for (std::size_t j = i + 1; j < reason_codes().size(); ++j) CHECK(reason_codes()[i].code != reason_codes()[j].code);
}

TEST_CASE("support times are local minutes, and ISO 8601 with the zone's offset of that day", "[support][time]") {
  CHECK(format_local_minute(utc("2027-01-14T23:00:00Z"), paris()) == "2027-01-15 00:00");
  CHECK(format_local_iso(utc("2027-01-14T23:00:00Z"), paris()) == "2027-01-15T00:00:00+01:00");
  CHECK(format_local_iso(utc("2026-07-01T10:30:00Z"), paris()) == "2026-07-01T12:30:00+02:00");
  CHECK(zone_name(paris()) == "Europe/Paris");
}

namespace {

// Exported (after a failed attempt), notified, postponed by support:jane,
// reminded and deleted.
CaseRecord exported_postponed_deleted() {
  CaseRecord record;
  record.account = hakim();
  record.campaign = "c1";
  record.account.state = State::purged;
  record.account.purge_kind = "deleted";
  record.account.purged_at = utc("2027-01-05T02:00:00Z");
  record.account.verified_at = utc("2026-11-25T09:01:00Z");
  record.account.evidence.kind = "export";
  record.account.evidence.export_id = "e1";
  record.account.evidence.parts = {PartEvidence{0, 1000, 10, "ab", {}}, PartEvidence{1, 500, 5, "cd", {}}};
  record.account.evidence.content.files = 14;
  record.account.evidence.content.file_bytes = 1200;
  record.journal = {
      journal("2026-11-25T09:00:00Z", "admin:root", "imported", "c1: hakim hakim.mytoutatice.cloud export, due x; from accounts.csv line 2"),
      journal("2026-11-25T09:00:01Z", "runner", "state", "QUEUED -> EXPORTING: export requested"),
      journal("2026-11-25T09:00:01Z", "runner", "intent", "export export:hakim.mytoutatice.cloud:1:1"),
      journal("2026-11-25T09:00:30Z", "runner", "state", "EXPORTING -> RETRY_WAIT: export_deadline"),
      journal("2026-11-25T09:01:00Z", "runner", "state", "VERIFYING -> VERIFIED: evidence export"),
      journal("2026-11-26T08:00:00Z", "support:jane", "support", "deletion postponed to 2027-01-04: one more week"),
      journal("2027-01-05T02:00:00Z", "nightly", "state", "PURGE_DUE -> PURGED: deleted"),
  };
  record.notices = {
      NoticeRecord{"export_ready.hakim.mytoutatice.cloud.20261225@passage", utc("2026-11-25T09:02:00Z"),
                   utc("2026-11-25T09:02:00Z"), "sent"},
      NoticeRecord{"deletion_date_changed.hakim.mytoutatice.cloud.20270104@passage", utc("2026-11-26T08:00:00Z"),
                   utc("2026-11-26T08:00:01Z"), "sent"},
      NoticeRecord{"deletion_reminder-168h.hakim.mytoutatice.cloud.20270104@passage", utc("2026-12-29T08:00:00Z"),
                   utc("2026-12-29T08:00:00Z"), "sent"},
  };
  return record;
}

}  // namespace

TEST_CASE("the timeline of an exported, notified, postponed, reminded and deleted account shows each in order",
          "[support][timeline]") {
  const CaseRecord record = exported_postponed_deleted();
  const auto timeline = case_timeline(record, paris(), utc("2027-01-06T00:00:00Z"));
  const std::vector<std::string> in_order = {
      "imported into campaign c1 (from accounts.csv line 2)", "export requested (request 1)",
      "attempt failed: EXPORTING -> RETRY_WAIT: export_deadline", "VERIFYING -> VERIFIED",
      "evidence: export e1, 2 parts, 1500 bytes, 14 files checked",
      "notice export_ready to Hakim.BenAli@Laposte.net: sent",
      "deletion postponed to 2027-01-04 by support:jane",
      "notice deletion_date_changed to Hakim.BenAli@Laposte.net: sent",
      "notice deletion_reminder, 7 days before to Hakim.BenAli@Laposte.net: sent", "the space was deleted"};
  for (std::size_t i = 1; i < in_order.size(); ++i) {
    INFO(in_order[i - 1] << " before " << in_order[i]);
    CHECK(position(timeline, in_order[i - 1]) < position(timeline, in_order[i]));
  }
  const TimelineEntry& failed = timeline[position(timeline, "attempt failed")];
  CHECK(failed.kind == "attempt");
  CHECK(failed.reason == "export_deadline");
  CHECK_FALSE(failed.reason_sentence.empty());
  const TimelineEntry& postponed = timeline[position(timeline, "deletion postponed")];
  CHECK(postponed.actor == "support:jane");
  CHECK(postponed.reason == "one more week");
  CHECK(format_local_minute(timeline[position(timeline, "deleted")].at, paris()) == "2027-01-05 03:00");
  CHECK(format_local_minute(timeline.front().at, paris()) == "2026-11-25 10:00");
}

TEST_CASE("the same timeline and next steps in French, the desk page's language, dates in French words",
          "[support][timeline][french]") {
  const auto timeline = case_timeline(exported_postponed_deleted(), paris(), utc("2027-01-06T00:00:00Z"), "fr");
  const std::vector<std::string> in_order = {
      "importé dans la campagne c1 (depuis accounts.csv, ligne 2)", "export demandé (demande 1)",
      "tentative échouée : Export en cours → Nouvel essai prévu : export_deadline", "Vérification → Vérifié",
      "preuve : export e1, 2 parties, 1500 octets, 14 fichiers vérifiés",
      "message export_ready à Hakim.BenAli@Laposte.net : envoyé",
      "suppression reportée au 4 janvier 2027 par support:jane",
      "message deletion_reminder, 7 jours avant à Hakim.BenAli@Laposte.net : envoyé", "l'espace a été supprimé"};
  for (std::size_t i = 1; i < in_order.size(); ++i) {
    INFO(in_order[i - 1] << " before " << in_order[i]);
    CHECK(position(timeline, in_order[i - 1]) < position(timeline, in_order[i]));
  }
  const TimelineEntry& failed = timeline[position(timeline, "tentative échouée")];
  CHECK(failed.reason_sentence == *reason_sentence("export_deadline", "fr"));
  CHECK(failed.reason_sentence.starts_with("Aucun événement d'export"));

  Account account = hakim();
  account.state = State::grace;
  account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  account.told_deletion_date = date::year{2027} / 1 / 15;
  CHECK(next_steps_in_words(next_steps(account, paris_policy(), utc("2026-12-20T10:00:00Z"), "fr")) ==
        "rappel le 8 janvier 2027; rappel le 14 janvier 2027; suppression dans la nuit du 15 janvier 2027");
}

TEST_CASE("every reason code has its French sentence beside the English one", "[support][reasons][french]") {
  for (const ReasonCode& code : reason_codes()) {
    INFO(code.code);
    CHECK_FALSE(code.french.empty());
    CHECK(code.french != code.sentence);
    CHECK(reason_sentence(code.code, "fr") == code.french);
    CHECK(reason_sentence(code.code) == code.sentence);
  }
  CHECK(explain_reasons("delete_stuck; ticket 42", "fr").starts_with("delete_stuck (La suppression est restée"));
}

TEST_CASE("a support action's refusal and outcome in French, the cap named", "[support][french]") {
  CHECK(refusal_in_words("support.max_postpone is 60 days beyond the date the person was told (2026-12-25)", "fr") ==
        "support.max_postpone est de 60 jours après la date annoncée à la personne (25 décembre 2026)");
  CHECK(refusal_in_words("only a HELD account can be released", "fr") == "seul un compte suspendu peut être repris");
  CHECK(refusal_in_words("cannot hold an account in state PURGED", "fr") ==
        "impossible de suspendre un compte dans l'état Supprimé");
  CHECK(refusal_in_words("retry is not allowed in state GRACE", "fr") ==
        "« retry » n'est pas possible dans l'état Délai de grâce");
  CHECK(refusal_in_words("something new", "fr") == "something new");
  CHECK(refusal_in_words("only a HELD account can be released", "en") == "only a HELD account can be released");
  CHECK(done_in_words("postpone", "deletion postponed to 2027-01-04: ticket 4711", "fr") ==
        "suppression reportée au 4 janvier 2027 : ticket 4711");
  CHECK(done_in_words("hold", "GRACE -> HELD: ticket 9", "fr") == "Délai de grâce → Suspendu : ticket 9");
  CHECK(done_in_words("reexport", "GRACE -> QUEUED: export again: link", "fr") ==
        "Délai de grâce → En attente : nouvel export : link");
  CHECK(span_in_words("60 days", "fr") == "60 jours");
  CHECK(span_in_words("1 month", "fr") == "1 mois");
}

TEST_CASE("the evidence line counts in the right number: one part, one file", "[support][timeline]") {
  CaseRecord record = exported_postponed_deleted();
  record.account.evidence.parts = {PartEvidence{0, 1, 1, "ab", {}}};
  record.account.evidence.content.files = 1;
  record.account.evidence.content.file_bytes = 1;
  const auto has = [](const std::vector<TimelineEntry>& timeline, const std::string& text) {
    return std::any_of(timeline.begin(), timeline.end(),
                       [&](const TimelineEntry& entry) { return entry.text.find(text) != std::string::npos; });
  };
  const auto english = case_timeline(record, paris(), utc("2027-01-06T00:00:00Z"));
  CHECK(has(english, "evidence: export e1, 1 part, 1 byte, 1 file checked (1 byte of file contents)"));
  const auto french = case_timeline(record, paris(), utc("2027-01-06T00:00:00Z"), "fr");
  CHECK(has(french, "preuve : export e1, 1 partie, 1 octet, 1 fichier vérifié (1 octet de contenu de fichiers)"));
}

TEST_CASE("the evidence follows the verification it belongs to, whatever instant the store gave each",
          "[support][timeline]") {
  // In a real run the notice's outcome may be stored a millisecond before
  // the account's verified_at: the evidence still reads before the notice.
  CaseRecord record;
  record.account = hakim();
  record.account.state = State::notified;
  record.account.verified_at = utc("2026-11-25T09:01:00.005Z");
  record.account.evidence.kind = "export";
  record.account.evidence.export_id = "e1";
  record.journal = {
      journal("2026-11-25T09:01:00.001Z", "runner", "state", "VERIFYING -> VERIFIED: evidence export"),
      journal("2026-11-25T09:01:00.004Z", "runner", "state", "VERIFIED -> NOTIFIED: notice sent"),
  };
  record.notices = {NoticeRecord{"export_ready.h.x.20261225@passage", utc("2026-11-25T09:01:00.002Z"),
                                 utc("2026-11-25T09:01:00.003Z"), "sent"}};
  const auto timeline = case_timeline(record, paris(), utc("2026-11-26T00:00:00Z"));
  CHECK(position(timeline, "-> VERIFIED") + 1 == position(timeline, "evidence: export e1"));
  CHECK(position(timeline, "evidence: export e1") < position(timeline, "notice export_ready"));
  CHECK(position(timeline, "notice export_ready") < position(timeline, "VERIFIED -> NOTIFIED"));
}

TEST_CASE("a refused or queued notice says so, a planned deletion is marked planned", "[support][timeline]") {
  CaseRecord record;
  record.account = hakim();
  record.account.state = State::grace;
  record.account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  record.notices = {NoticeRecord{"deletion_date_changed.h.x.20270115@passage", utc("2026-12-01T10:00:00Z"),
                                 std::nullopt, ""},
                    NoticeRecord{"export_ready.h.x.20270115@passage", utc("2026-11-01T10:00:00Z"),
                                 utc("2026-11-01T10:00:00Z"), "refused: 550 no such user"}};
  const auto timeline = case_timeline(record, paris(), utc("2026-12-02T00:00:00Z"));
  CHECK(timeline[position(timeline, "deletion_date_changed")].text.ends_with("queued, not sent yet"));
  const TimelineEntry& refused = timeline[position(timeline, "export_ready")];
  CHECK(refused.text.ends_with("refused: 550 no such user"));
  CHECK(refused.reason == "notice_refused");
  const TimelineEntry& deletion = timeline.back();
  CHECK(deletion.kind == "deletion");
  CHECK(deletion.planned);
  CHECK(deletion.text == "deletion due from 15 January 2027");
}

TEST_CASE("next steps of a GRACE account: the reminders not sent and the deletion night, in words",
          "[support][next]") {
  Account account = hakim();
  account.state = State::grace;
  account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  const Policy policy = paris_policy();
  CHECK(next_steps_in_words(next_steps(account, policy, utc("2026-12-20T10:00:00Z"))) ==
        "reminder on 8 January 2027; reminder on 14 January 2027; deletion in the night of 15 January 2027");
  account.reminded = CalendarSpan{7, SpanUnit::day};
  CHECK(next_steps_in_words(next_steps(account, policy, utc("2027-01-09T10:00:00Z"))) ==
        "reminder on 14 January 2027; deletion in the night of 15 January 2027");
  account.state = State::held;
  account.held_from = State::grace;
  account.state_reason = "delete_stuck";
  const std::string held = next_steps_in_words(next_steps(account, policy, utc("2027-01-09T10:00:00Z")));
  CHECK(held.starts_with("nothing happens until the hold is lifted (delete_stuck ("));
  CHECK(held.find("deletion not before 15 January 2027") != std::string::npos);
}

TEST_CASE("next steps of a PURGE_DUE account whose DELETE has no answer: read back, never promised for tonight",
          "[support][next]") {
  Account account = hakim();
  account.state = State::purge_due;
  account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  const Policy policy = paris_policy();
  const Instant now = utc("2027-01-16T10:00:00Z");
  CHECK(next_steps_in_words(next_steps(account, policy, now)).starts_with("deletion at the next nightly purge"));
  account.delete_in_flight = true;
  CHECK(next_steps_in_words(next_steps(account, policy, now)) ==
        "deletion sent to the stack, no answer: the next nightly purge reads back whether it happened");
  account.hold_reasons = {"hold: ticket 7"};
  CHECK(next_steps_in_words(next_steps(account, policy, now, "fr")) ==
        "suppression envoyée au serveur, sans réponse : la purge de nuit suivante vérifie si elle a eu lieu ; "
        "si elle n'a pas eu lieu, le compte est suspendu (hold: ticket 7)");
}

TEST_CASE("next steps say what the runner and the purge will really do in each state", "[support][next]") {
  const Policy policy = paris_policy();
  Account account = hakim();
  account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  account.told_deletion_date = date::year{2027} / 1 / 15;

  SECTION("GRACE past its end: the next nightly purge, not a night already gone") {
    account.state = State::grace;
    account.reminded = CalendarSpan{1, SpanUnit::day};
    CHECK(next_steps_in_words(next_steps(account, policy, utc("2027-01-16T10:00:00Z"))) ==
          "deletion at the next nightly purge (the grace period ended on 15 January 2027)");
  }
  SECTION("GRACE with a reminder due and not sent: it goes at the next run") {
    account.state = State::grace;
    CHECK(next_steps_in_words(next_steps(account, policy, utc("2027-01-09T10:00:00Z"))) ==
          "reminder at the next run; reminder on 14 January 2027; deletion in the night of 15 January 2027");
  }
  SECTION("GRACE with a new date not told yet: it is told at the next run, and covers the due reminders") {
    account.state = State::grace;
    account.told_deletion_date = date::year{2027} / 1 / 10;
    CHECK(next_steps_in_words(next_steps(account, policy, utc("2027-01-09T10:00:00Z"))) ==
          "the new deletion date (15 January 2027) sent to the person at the next run; "
          "reminder on 14 January 2027; deletion in the night of 15 January 2027");
  }
  SECTION("NOTIFIED: reminders before the departure are one reminder at the departure") {
    account.state = State::notified;
    account.departure_date = date::year{2027} / 1 / 12;
    CHECK(next_steps_in_words(next_steps(account, policy, utc("2026-12-20T10:00:00Z"))) ==
          "departure on 12 January 2027; reminder on 12 January 2027; reminder on 14 January 2027; "
          "deletion in the night of 15 January 2027");
  }
}

TEST_CASE("an ID names one account, else the candidates are listed and none is chosen", "[support][lookup]") {
  Account one = hakim();
  Account other = hakim();
  other.id = 2;
  other.login = "hakima";
  other.domain = "hakima.mytoutatice.cloud";
  AccountLookup exact = resolve_account("HAKIM", {one}, {one, other});
  REQUIRE(exact.account);
  CHECK(exact.account->login == "hakim");
  AccountLookup partial = resolve_account("aki", {}, {one, other});
  CHECK_FALSE(partial.account);
  CHECK(partial.candidates.size() == 2);
  CHECK(partial.problem == "no account is exactly aki; 2 contain it: name one of them");
  AccountLookup none = resolve_account("zz", {}, {});
  CHECK_FALSE(none.account);
  CHECK(none.problem == "no account with login, domain or e-mail zz");
  // Listed again in a later campaign: the unfinished one is meant.
  Account old = hakim();
  old.state = State::purged;
  Account again = hakim();
  again.id = 3;
  CHECK(resolve_account("hakim", {old, again}, {}).account->id == 3);
}

TEST_CASE("a postponed date owes deletion_date_changed until told, telling it arms the next reminder",
          "[support][notice]") {
  const Policy policy = paris_policy();
  Account account = hakim();
  account.state = State::grace;
  account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  account.told_deletion_date = date::year{2027} / 1 / 5;
  CHECK(deletion_date_changed_untold(account, policy));
  CHECK(std::string(deletion_notice_kind(account, policy)) == "deletion_date_changed");
  const Instant now = utc("2027-01-10T10:00:00Z");
  Transition told = deletion_date_told(account, now, policy);
  CHECK(told.next.told_deletion_date == date::year_month_day{date::year{2027} / 1 / 15});
  CHECK(told.next.reminded == CalendarSpan{7, SpanUnit::day});  // the 7-day one was due: told by this notice
  REQUIRE(told.next.due_at);
  CHECK(*told.next.due_at == local_midnight(date::year{2027} / 1 / 14, paris()));
  CHECK_FALSE(deletion_date_changed_untold(told.next, policy));
  CHECK(std::string(deletion_notice_kind(told.next, policy)) == "deletion_reminder");
  // Never told a date (the first notice tells it): nothing owed.
  account.told_deletion_date.reset();
  CHECK_FALSE(deletion_date_changed_untold(account, policy));
}

TEST_CASE("grant-access: only the MOVED block of Passage's own move, at most max_grant, one grant at a time",
          "[support][grant]") {
  const CalendarSpan cap{14, SpanUnit::day};
  const Instant now = utc("2026-12-01T10:00:00Z");
  Account moved = hakim();
  moved.state = State::grace;
  moved.evidence.kind = "moved";
  moved.admin_move = true;
  moved.target = "https://hakim.partner.test";
  moved.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  CHECK(check_grant(moved, 14, cap, std::nullopt, now, paris()).allowed);
  GrantCheck too_long = check_grant(moved, 15, cap, std::nullopt, now, paris());
  CHECK_FALSE(too_long.allowed);
  CHECK(too_long.problem == "grant-access: support.max_grant is 14 days (asked: 15 days)");
  AccessGrant open;
  open.until = utc("2026-12-03T10:00:00Z");
  CHECK(check_grant(moved, 3, cap, open, now, paris()).problem.ends_with("already granted until 2026-12-03 11:00 (Europe/Paris)"));

  Account by_person = moved;
  by_person.admin_move = false;
  GrantCheck closed = check_grant(by_person, 3, cap, std::nullopt, now, paris());
  CHECK_FALSE(closed.allowed);
  CHECK(closed.problem.find("the admin API cannot open it again") != std::string::npos);
  CHECK(closed.problem.find("in https://hakim.partner.test") != std::string::npos);
  CHECK(closed.problem.find("before the deletion from 15 January 2027") != std::string::npos);

  Account exported = moved;
  exported.evidence.kind = "export";
  CHECK(check_grant(exported, 3, cap, std::nullopt, now, paris()).problem.find("was not moved") != std::string::npos);
  Account purged = moved;
  purged.state = State::purged;
  CHECK_FALSE(check_grant(purged, 3, cap, std::nullopt, now, paris()).allowed);
}

TEST_CASE("next steps name the end of an access the desk granted, in its place", "[support][next][grant]") {
  const Policy policy = paris_policy();
  Account account = hakim();
  account.state = State::grace;
  account.grace_end = local_midnight(date::year{2027} / 1 / 15, paris());
  account.told_deletion_date = date::year{2027} / 1 / 15;
  const Instant now = utc("2026-12-20T10:00:00Z");
  std::vector<NextStep> steps = next_steps(account, policy, now);
  add_access_end(steps, utc("2026-12-23T10:00:00Z"), policy, now);
  CHECK(next_steps_in_words(steps) ==
        "the old space, opened by the desk, is blocked again at the first run after 23 December 2026; "
        "reminder on 8 January 2027; reminder on 14 January 2027; deletion in the night of 15 January 2027");
}
