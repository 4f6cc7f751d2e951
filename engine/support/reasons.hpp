#pragma once
// The reason codes Passage records on an account (why it is HELD, FAILED or
// waiting in RETRY_WAIT) and one sentence each for the support desk. One
// table for every code the engine emits; pure.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace passage {

struct ReasonCode {
  std::string_view code;      // "delete_stuck", "blocked", "24-hour rule"
  std::string_view sentence;  // what it means and what happens next, in words
  std::string_view french;    // the same sentence in French (the desk page's language by default)
};

// Every reason code, in no particular order.
std::span<const ReasonCode> reason_codes();

// The code a recorded reason starts with: the text before its first ':'
// ("blocked: MAINTENANCE" → "blocked"), or the whole text.
std::string_view reason_code_of(std::string_view reason);

// The code of a failure recorded in the words of the stack, the relay or
// libcurl ("Couldn't connect to server", "http 502", "timeout after the
// request was sent", "smtp host:25: deferred 451"): stack_unreachable,
// stack_error, unknown_outcome or relay_unavailable; nullopt for anything
// else (a support agent's own words, an unknown text).
std::optional<std::string_view> failure_code_of_text(std::string_view text);

// The known code of one recorded reason: its own code when the table has
// it, else failure_code_of_text's; nullopt for free text.
std::optional<std::string_view> known_reason_code(std::string_view reason);

// The sentence of the code `reason` starts with (a failure in the stack's
// words included, through failure_code_of_text); nullopt for free text (a
// support agent's own words) and unknown codes.
// `lang` "en" (the command line's) or else French.
std::optional<std::string_view> reason_sentence(std::string_view reason, std::string_view lang = "en");

// `reason` followed by the sentence of each code it holds; a HELD account's
// reasons are joined by "; " and each is explained ("delete_stuck — The
// stack ..."). Free text is returned as it is.
std::string explain_reasons(std::string_view reasons, std::string_view lang = "en");

// True when one of `reasons` (joined by "; ") has the code `code`
// ("blocked: X; delete_stuck" holds "blocked" and "delete_stuck").
bool reasons_include(std::string_view reasons, std::string_view code);

}  // namespace passage
