#pragma once
// One person's case as the support desk reads it (issue 13): every event
// of the account in order, in words, and what happens next. Pure functions
// of what the store holds, so `passage account show` and the desk page
// (`passage serve`) print the same case.

#include <optional>
#include <string>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/store/case_reads.hpp"
#include "engine/store/journal.hpp"

namespace passage {

// Everything the store holds about one case.
struct CaseRecord {
  Account account;
  std::string campaign;  // the campaign's name
  std::vector<JournalEntry> journal;  // the account's entries, oldest first
  std::vector<NoticeRecord> notices;  // its notice intents, oldest first
  std::optional<Instant> download_link_expiry;  // archive delivery's newest link
};

struct TimelineEntry {
  Instant at;
  // imported, state, support, attempt, notice, evidence, link_expiry,
  // move_deadline, deletion, other
  std::string kind;
  std::string text;    // in words: "notice export_ready to x@example.org: sent"
  std::string actor;   // who: nightly, runner, support:jane, admin:root; empty for dates
  std::string reason;  // the reason recorded, if any: a code or an agent's words
  std::string reason_sentence;  // the code's sentence (engine/support/reasons)
  bool planned = false;  // a date still ahead (deletion, deadline, link expiry)
  std::string detail;    // the journal's own words, whatever the language of `text`
};

// Every event of the case, oldest first (entries at the same instant keep
// the journal's order): the journal's entries, each notice with its
// outcome, the evidence, the link expiry, the move deadline and the
// deletion (done, or planned while the account can still be deleted);
// dates after `now` are marked planned. Texts and sentences in `lang`:
// "en" (the command line's), French otherwise (engine/support/say.hpp).
std::vector<TimelineEntry> case_timeline(const CaseRecord& record, const date::time_zone* zone,
                                         Instant now, std::string_view lang = "en");

// A notice's kind from its Message-ID ("deletion_reminder-168h.x.y.z.20270115@passage"
// → "deletion_reminder, 7 days before"; "…, 7 jours avant" in French).
std::string notice_kind_in_words(const std::string& message_id, std::string_view lang = "en");

}  // namespace passage
