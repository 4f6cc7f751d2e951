#pragma once
// The words of the HTML report in the academy's language
// (config.notify.language, as the notices): "fr" by default, "en" else.

#include <string>
#include <string_view>

#include "engine/env/time.hpp"
#include "engine/lifecycle/state.hpp"

namespace passage {

// The language the report is written in: "en" when notify.language says
// so, "fr" for anything else.
std::string_view report_language(std::string_view notify_language);

// One fixed text of the page (a heading, a column name) by key, e.g.
// "accounts_heading"; the key itself when unknown (a bug a test sees).
std::string_view page_word(std::string_view key, std::string_view lang);

// "Exporté, en grâce", "Failed": a state in words.
std::string_view state_words(State state, std::string_view lang);
// An evidence kind ("export", "moved", "" for none) in words.
std::string evidence_words(const std::string& kind, std::string_view lang);
// "export" or "move" in words.
std::string_view action_words(std::string_view action, std::string_view lang);
// "deleted" or "already_gone" in words.
std::string purge_kind_words(const std::string& kind, std::string_view lang);
// A recorded reason as the page shows it: `words` in the page's language,
// and the stack's, relay's or libcurl's own text (English, as they wrote
// it) apart, to be shown only as a marked detail.
struct ReasonParts {
  std::string words;
  std::string stack_words;  // empty when there is none
};

// `reason` (of an account in `state`) in words: each "; "-separated reason
// whose code Passage knows is worded, its detail kept after the words; a
// failure in the stack's words ("Couldn't connect to server", "http 502")
// is worded by its kind and its text moved to stack_words; other free
// text is a person's own words on a HELD account (kept as written) and an
// unrecognised failure on a FAILED or RETRY_WAIT one.
ReasonParts reason_parts(const std::string& reason, State state, std::string_view lang);

// A state reason in words: each "; "-separated reason whose code Passage
// knows ("directory_active", "delete_failed: HTTP 500") is worded, its
// detail kept after the words; free text (a support agent's) stays as is.
std::string reason_words(const std::string& reason, std::string_view lang);
// "1 partie", "3 parties" / "1 part", "3 parts".
std::string count_words(long count, std::string_view one, std::string_view many);

// "25 novembre 2026 à 10:30" / "25 November 2026 at 10:30", local in `zone`.
std::string local_moment(Instant at, const date::time_zone* zone, std::string_view lang);
// "1 octobre 2026" / "1 October 2026".
std::string long_date(date::year_month_day day, std::string_view lang);

}  // namespace passage
