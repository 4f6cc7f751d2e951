#include "engine/support/timeline.hpp"

#include <algorithm>

#include "engine/notices/notices.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

// The stack's export links live 7 days (COZY.md).
constexpr auto k_space_link_life = std::chrono::days(7);

std::string after_colon(const std::string& text) {
  std::size_t colon = text.find(": ");
  return colon == std::string::npos ? std::string() : text.substr(colon + 2);
}

void set_reason(TimelineEntry& entry, const std::string& reason) {
  entry.reason = reason;
  if (auto sentence = reason_sentence(reason)) entry.reason_sentence = std::string(*sentence);
}

// "c1: u1 u1.example export, due …; from accounts.csv line 3" →
// "imported into campaign c1 from accounts.csv line 3".
TimelineEntry imported_entry(const JournalEntry& entry, const std::string& campaign) {
  std::string text = "imported into campaign " + campaign;
  std::size_t from = entry.detail.find("; ");
  if (from != std::string::npos) text += " (" + entry.detail.substr(from + 2) + ")";
  return TimelineEntry{{}, "imported", text, entry.actor, {}, {}, false};
}

bool is_failure_state(const std::string& detail) {
  return detail.find("-> RETRY_WAIT") != std::string::npos || detail.find("-> FAILED") != std::string::npos;
}

// "EXPORTING -> RETRY_WAIT: export_deadline" → a failed attempt with its reason.
TimelineEntry state_entry(const JournalEntry& entry) {
  TimelineEntry out{{}, "state", entry.detail, entry.actor, {}, {}, false};
  if (is_failure_state(entry.detail)) {
    out.kind = "attempt";
    out.text = "attempt failed: " + entry.detail;
    set_reason(out, after_colon(entry.detail));
  } else if (entry.detail.find("-> HELD") != std::string::npos) {
    set_reason(out, after_colon(entry.detail));
  }
  return out;
}

// Holds, releases, postpones, retries and cancels, with who and why.
TimelineEntry support_entry(const JournalEntry& entry) {
  TimelineEntry out{{}, "support", entry.detail, entry.actor, {}, {}, false};
  const std::string why = after_colon(entry.detail);
  if (entry.detail.find("-> HELD") != std::string::npos) out.text = "held by " + entry.actor;
  else if (entry.detail.starts_with("HELD ->")) out.text = "released by " + entry.actor + ": " + entry.detail.substr(0, entry.detail.find(':'));
  else if (entry.detail.starts_with("deletion postponed")) out.text = entry.detail.substr(0, entry.detail.find(':')) + " by " + entry.actor;
  else if (entry.detail.find("-> CANCELLED") != std::string::npos) out.text = "cancelled by " + entry.actor;
  else if (entry.detail.starts_with("FAILED -> QUEUED")) out.text = "retried by " + entry.actor;
  else return out;
  set_reason(out, why);
  return out;
}

// "export export:u1.example:1:2" → "export requested (request 2)".
std::optional<TimelineEntry> intent_entry(const JournalEntry& entry) {
  const std::string kind = entry.detail.substr(0, entry.detail.find(' '));
  if (kind == "notice") return std::nullopt;  // notices come with their outcome
  const std::string number = entry.detail.substr(entry.detail.rfind(':') + 1);
  std::string text = kind == "export" ? "export requested"
                     : kind == "import" ? "move (import on the target) started"
                     : kind == "delete" ? "deletion requested from the stack"
                                        : kind + " requested";
  return TimelineEntry{{}, "attempt", text + " (request " + number + ")", entry.actor, {}, {}, false};
}

std::optional<TimelineEntry> journal_entry(const JournalEntry& entry, const std::string& campaign) {
  std::optional<TimelineEntry> out;
  if (entry.kind == "imported") out = imported_entry(entry, campaign);
  else if (entry.kind == "state") out = state_entry(entry);
  else if (entry.kind == "support") out = support_entry(entry);
  else if (entry.kind == "intent") out = intent_entry(entry);
  else out = TimelineEntry{{}, "other", entry.kind + ": " + entry.detail, entry.actor, {}, {}, false};
  if (!out) return std::nullopt;
  auto at = parse_utc(entry.at);
  if (!at) return std::nullopt;
  out->at = *at;
  return out;
}

std::string notice_outcome(const NoticeRecord& notice) {
  if (notice.outcome.empty()) return "queued, not sent yet";
  if (notice.outcome == "sent") return "sent (accepted by the mail server)";
  return notice.outcome;  // "refused: …", "failed: …"
}

TimelineEntry notice_entry(const NoticeRecord& notice, const Account& account) {
  TimelineEntry out{notice.finished_at.value_or(notice.created_at), "notice",
                    "notice " + notice_kind_in_words(notice.message_id) + " to " + account.email + ": " +
                        notice_outcome(notice),
                    {}, {}, {}, false};
  if (notice.outcome.starts_with("refused")) set_reason(out, "notice_refused");
  return out;
}

std::string bytes_in_words(std::int64_t bytes) {
  return std::to_string(bytes) + " bytes";
}

TimelineEntry evidence_entry(const Account& account) {
  const Evidence& evidence = account.evidence;
  std::string text;
  if (evidence.kind == "moved") {
    text = "evidence: the stack reports the space moved";
  } else {
    std::int64_t bytes = 0;
    for (const PartEvidence& part : evidence.parts) bytes += part.bytes;
    text = "evidence: export " + evidence.export_id + ", " + std::to_string(evidence.parts.size()) +
           " part(s), " + bytes_in_words(bytes) + ", " + std::to_string(evidence.content.files) +
           " files checked (" + bytes_in_words(evidence.content.file_bytes) + " of file contents)";
  }
  return TimelineEntry{*account.verified_at, "evidence", text, {}, {}, {}, false};
}

// The evidence right after the latest "-> VERIFIED" entry, at its instant:
// the store's verified_at and the notice that follows may be a few
// milliseconds apart either way, and the notice always came after it.
void add_evidence(const Account& account, std::vector<TimelineEntry>& entries) {
  if (account.evidence.empty() || !account.verified_at) return;
  TimelineEntry evidence = evidence_entry(account);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->text.find("-> VERIFIED") == std::string::npos) continue;
    evidence.at = it->at;
    entries.insert(it.base(), std::move(evidence));
    return;
  }
  entries.push_back(std::move(evidence));
}

// Dates the account holds: link expiry, move deadline, deletion.
void add_dates(const CaseRecord& record, const date::time_zone* zone, Instant now,
               std::vector<TimelineEntry>& out) {
  const Account& account = record.account;
  auto dated = [&](Instant at, const char* kind, std::string text) {
    out.push_back(TimelineEntry{at, kind, std::move(text), {}, {}, {}, at > now});
  };
  if (record.download_link_expiry)
    dated(*record.download_link_expiry, "link_expiry", "the personal download link expires");
  else if (account.delivery == "space" && account.export_completed_at && account.evidence.kind == "export")
    dated(*account.export_completed_at + k_space_link_life, "link_expiry",
          "the export's download link in the person's space expires");
  if (account.move_deadline && !account.admin_move)
    dated(*account.move_deadline, "move_deadline",
          "move deadline: without a move by then, the space is exported instead");
  if (account.purged_at) {
    dated(*account.purged_at, "deletion",
          account.purge_kind == "already_gone" ? "the space was already gone (nothing to delete)"
                                               : "the space was deleted");
  } else if (account.grace_end && !is_final(account.state)) {
    const std::string day = format_long_date(local_date(*account.grace_end, zone), "en");
    out.push_back(TimelineEntry{*account.grace_end, "deletion", "deletion due from " + day, {}, {}, {}, true});
  }
}

}  // namespace

std::string notice_kind_in_words(const std::string& message_id) {
  std::string key = message_id.substr(0, message_id.find('.'));
  std::size_t dash = key.find('-');
  if (dash == std::string::npos) return key;
  std::string kind = key.substr(0, dash);
  std::string offset = key.substr(dash + 1);
  if (offset.ends_with("h") && offset.size() > 1) {
    int hours = std::atoi(offset.c_str());
    if (hours % 24 == 0) return kind + ", " + std::to_string(hours / 24) + (hours == 24 ? " day" : " days") + " before";
    return kind + ", " + std::to_string(hours) + " hours before";
  }
  if (offset.find_first_not_of("0123456789") == std::string::npos) return kind + " (number " + offset + ")";
  return kind + (offset == "date" ? ", the new date" : ", " + offset);
}

std::vector<TimelineEntry> case_timeline(const CaseRecord& record, const date::time_zone* zone,
                                         Instant now) {
  std::vector<TimelineEntry> entries;
  for (const JournalEntry& entry : record.journal)
    if (auto out = journal_entry(entry, record.campaign)) entries.push_back(std::move(*out));
  add_evidence(record.account, entries);
  for (const NoticeRecord& notice : record.notices) entries.push_back(notice_entry(notice, record.account));
  add_dates(record, zone, now, entries);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });
  return entries;
}

}  // namespace passage
