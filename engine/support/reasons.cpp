#include "engine/support/reasons.hpp"

namespace passage {

namespace {

// Codes from the lifecycle (engine/lifecycle), the runner and the admin
// move (engine/sched), the purge's interlocks (engine/sched/purge.cpp) and
// the backends' failure kinds (engine/lifecycle/failure.hpp).
constexpr ReasonCode k_reasons[] = {
    // Lookup before the first action and before every export.
    {"blocked", "The stack blocks this space for a reason Passage did not set; a person must find out why "
                "before anything is exported or deleted."},
    {"domain_alias", "The listed domain is an alias of another space: acting on it would touch that other "
                     "space, so Passage stopped."},
    {"lookup_404_storm", "Too many spaces of one run were reported missing at once: Passage does not believe "
                         "those answers and holds the account until a person checks the stack."},
    {"no_instances_counted", "The stack answered 'not found' while counting no space at all (its database "
                             "may be missing): the answer is not believed."},
    // Exports and their evidence.
    {"24-hour rule", "A previous export request for this space may still be running: the stack allows one "
                     "export a day, so the next one waits 24 hours."},
    {"export_deadline", "No export event arrived before the stack's export_deadline: the export is asked "
                        "again once the 24-hour rule allows it."},
    {"evidence_incomplete", "The export lacked files its metadata announced (the stack could not read "
                            "them): exported again; still missing twice in a row, a person decides."},
    {"export_error", "The stack ran the export and it ended in error: it is asked again later."},
    // Hostile or broken answers (issue 12): refused, never believed.
    {"answer_too_large", "The stack sent an answer far larger than such an answer can be: it was refused "
                         "unread and the call is tried again later."},
    {"answer_wrong_type", "The stack answered with something other than what was asked (a web page instead "
                          "of data: a proxy or a login page in the way?): refused, tried again later."},
    {"answer_unreadable", "The stack's answer could not be read (invalid or unexpected JSON): tried again "
                          "later."},
    {"redirect_refused", "The stack answered with a redirect, which Passage never follows for admin calls: "
                         "check the stack's url in the configuration."},
    {"part_too_large", "An export part was larger than the whole space can be: the download was stopped "
                       "before it filled the disk, and a person must look at the stack."},
    {"zip_unsafe_entry", "An export part holds an entry that would be written outside its folder (`..`, an "
                         "absolute path) or a link: the part is not accepted as evidence."},
    {"zip_bomb", "An export part expands to more than the whole space can hold: it is not accepted as "
                 "evidence, and a person must look at the stack."},
    // Moves.
    {"target_missing", "The target Cozy of the move does not exist: a person must check the address."},
    {"target_blocked", "The target Cozy of the move is blocked: nothing was touched."},
    {"target_quota", "The target Cozy's quota is smaller than the space to move: nothing was touched."},
    {"target_holds_data", "The target Cozy already holds data and move.overwrite is off: nothing was "
                          "touched."},
    {"target_size_mismatch", "After the import the target does not hold the bytes that were verified: the "
                             "move is tried again."},
    {"import_deadline", "The target did not finish its import before the import deadline: the source was "
                        "unblocked and the move is tried again."},
    {"import_stalled", "The target fetched nothing and changed nothing for move.stall_timeout: the source "
                       "was unblocked and the move is tried again."},
    {"import_failed", "The target ended its import without fetching every part: the move is tried again."},
    {"activity_after_move", "The person used the old space after the move's snapshot: a person decides "
                            "whether to move or export again."},
    // Notices.
    {"notice_refused", "The mail server refused the notice for good (a wrong address?): the space is never "
                       "deleted until a person acts."},
    {"no_public_url", "The notice needs a personal download link, but serve.public_url is not configured: "
                      "the space is never deleted until a person acts."},
    // The purge's interlocks and deletions.
    {"evidence_missing", "At the purge the verified evidence of the export was missing or damaged: the "
                         "space was not deleted."},
    {"directory_active", "The directory says the person is active again (back at the academy?): the space "
                         "was not deleted."},
    {"directory_unknown", "The directory does not know this login: the space was not deleted."},
    {"directory_failed", "The directory could not be read at the purge: the space was not deleted."},
    {"blocked_by_other", "At the purge the space was blocked by someone other than Passage: it was not "
                         "deleted."},
    {"delete_stuck", "The stack's deletion stayed stuck (its 'deleting' flag) after one repair: a person "
                     "must check the space on the stack."},
    {"delete_failed", "The stack refused or failed the deletion: the account is held for a person."},
    {"activity_after_export", "The person kept using the space after its re-export (a desktop client still "
                              "syncing?): a person decides."},
    // Lists.
    {"dropped_from_list", "A corrected campaign list no longer includes this person: only a list that "
                          "includes them again, or a cancel, lifts this."},
    // Failure kinds, when a backend gave no more detail.
    {"retryable", "A temporary failure: tried again after a pause."},
    {"rate_limited", "The stack asked Passage to slow down: tried again after the delay it asked for."},
    {"permanent", "The stack refused the request for good: a person must act."},
    {"not_found", "The stack did not find what the request named."},
    {"unknown_outcome", "The request may or may not have reached the stack: Passage waits before asking "
                        "again."},
};

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::span<const ReasonCode> reason_codes() { return k_reasons; }

std::string_view reason_code_of(std::string_view reason) {
  return trimmed(reason.substr(0, reason.find(':')));
}

std::optional<std::string_view> reason_sentence(std::string_view reason) {
  std::string_view code = reason_code_of(reason);
  for (const ReasonCode& known : k_reasons)
    if (known.code == code) return known.sentence;
  return std::nullopt;
}

std::string explain_reasons(std::string_view reasons) {
  std::string text;
  while (!reasons.empty()) {
    std::size_t end = reasons.find("; ");
    std::string_view one = trimmed(reasons.substr(0, end));
    if (!text.empty()) text += "; ";
    text += one;
    if (auto sentence = reason_sentence(one)) text += " (" + std::string(*sentence) + ")";
    if (end == std::string_view::npos) break;
    reasons.remove_prefix(end + 2);
  }
  return text;
}

bool reasons_include(std::string_view reasons, std::string_view code) {
  while (!reasons.empty()) {
    std::size_t end = reasons.find("; ");
    if (reason_code_of(reasons.substr(0, end)) == code) return true;
    if (end == std::string_view::npos) break;
    reasons.remove_prefix(end + 2);
  }
  return false;
}

}  // namespace passage
