#pragma once
// A support action's outcome in the desk page's language (French unless
// "en"): the lifecycle's refusals and the actions' results are written in
// English for the journal and the command line; this is their one French
// wording, read from the English text and its values. Pure.

#include <string>
#include <string_view>

#include "engine/env/time.hpp"
#include "engine/lifecycle/state.hpp"

namespace passage {

// "60 days" → "60 jours" (a CalendarSpan as the config writes it).
std::string span_in_words(std::string_view span, std::string_view lang);

// A refusal of the lifecycle or of apply_and_commit ("support.max_postpone
// is 60 days beyond the date the person was told (2026-12-25)") in `lang`;
// a text it does not know stays as it is.
std::string refusal_in_words(const std::string& reason, std::string_view lang);

// What a done action did, from its journal detail: "suppression reportée
// au 4 janvier 2027", "Délai de grâce → Suspendu : ticket 42".
std::string done_in_words(std::string_view verb, const std::string& journal_detail, std::string_view lang);

}  // namespace passage
