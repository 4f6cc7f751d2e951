#include "engine/support/action_words.hpp"

#include <array>

#include "engine/notices/notices.hpp"
#include "engine/support/say.hpp"
#include "plugins/reporters/html_words.hpp"

namespace passage {

namespace {

// The text after `prefix` up to `end` (or the end of `text`), if `text`
// starts with `prefix`.
std::optional<std::string> value_after(const std::string& text, std::string_view prefix, std::string_view end = {}) {
  if (!text.starts_with(prefix)) return std::nullopt;
  const std::size_t stop = end.empty() ? std::string::npos : text.find(end, prefix.size());
  return text.substr(prefix.size(), stop == std::string::npos ? std::string::npos : stop - prefix.size());
}

// "2026-12-25" → "25 décembre 2026"; anything else as it is.
std::string date_words(const std::string& iso, std::string_view lang) {
  auto day = parse_iso_date(iso);
  return day ? format_long_date(*day, lang) : iso;
}

std::string state_name_words(const std::string& name, std::string_view lang) {
  auto state = state_from_string(name);
  return state ? std::string(state_words(*state, lang)) : name;
}

// The refusals whose words are fixed.
struct FixedRefusal {
  std::string_view english;
  std::string_view french;
};

constexpr std::array k_fixed = {
    FixedRefusal{"only a HELD account can be released", "seul un compte suspendu peut être repris"},
    FixedRefusal{"only a FAILED account can be retried", "seul un compte en échec peut être relancé"},
    FixedRefusal{"no deletion is scheduled for this account", "aucune suppression n'est prévue pour ce compte"},
    FixedRefusal{"the account no longer exists", "le compte n'existe plus"},
    FixedRefusal{"the account kept changing meanwhile: try again",
                 "le compte n'a pas cessé de changer pendant ce temps : réessayez"},
    FixedRefusal{"it was dropped from the campaign's list: only `passage campaign update` with a list that "
                 "includes it again lifts that (or cancel it)",
                 "il a été retiré de la liste de la campagne : seule une `passage campaign update` avec une liste "
                 "qui le contient de nouveau lève ce blocage (ou bien annulez-le)"},
};

std::optional<std::string> refusal_with_values(const std::string& reason, std::string_view lang) {
  if (auto state = value_after(reason, "cannot hold an account in state "))
    return "impossible de suspendre un compte dans l'état " + state_name_words(*state, lang);
  if (auto state = value_after(reason, "cannot cancel an account in state "))
    return "impossible d'annuler un compte dans l'état " + state_name_words(*state, lang);
  if (auto domain = value_after(reason, "a deletion of ", " is under way"))
    return "une suppression de " + *domain + " est en cours ; elle ne peut plus être arrêtée";
  if (auto now = value_after(reason, "postpone only moves the deletion date later (now ", ")"))
    return "un report ne fait que retarder la date de suppression (actuellement le " + date_words(*now, lang) + ")";
  if (auto day = value_after(reason, "the new deletion date ", " is already past"))
    return "la nouvelle date de suppression, le " + date_words(*day, lang) + ", est déjà passée : donnez une date à venir";
  if (auto cap = value_after(reason, "support.max_postpone is ", " beyond")) {
    const auto open = reason.rfind('(');
    const std::string told = open == std::string::npos ? "" : reason.substr(open + 1, reason.size() - open - 2);
    return "support.max_postpone est de " + span_in_words(*cap, lang) +
           " après la date annoncée à la personne (" + date_words(told, lang) + ")";
  }
  if (auto state = value_after(reason, "only an exported account waiting for its deletion (VERIFIED, NOTIFIED, "
                                       "GRACE, PURGE_DUE) can be exported again; it is "))
    return "seul un compte exporté en attente de sa suppression peut être exporté de nouveau ; il est " +
           state_name_words(*state, lang);
  if (auto target = value_after(reason, "the space was moved to ", ": its data is there"))
    return "l'espace a été déménagé vers " + *target + " : ses données y sont, rien à exporter de nouveau";
  return std::nullopt;
}

}  // namespace

std::string span_in_words(std::string_view span, std::string_view lang) {
  if (lang == "en") return std::string(span);
  const auto space = span.find(' ');
  if (space == std::string_view::npos) return std::string(span);
  const std::string count(span.substr(0, space));
  std::string_view unit = span.substr(space + 1);
  if (unit.ends_with('s')) unit.remove_suffix(1);
  const bool one = count == "1";
  if (unit == "day") return count + (one ? " jour" : " jours");
  if (unit == "week") return count + (one ? " semaine" : " semaines");
  if (unit == "month") return count + " mois";
  if (unit == "hour") return count + (one ? " heure" : " heures");
  if (unit == "minute") return count + (one ? " minute" : " minutes");
  if (unit == "second") return count + (one ? " seconde" : " secondes");
  return std::string(span);
}

std::string refusal_in_words(const std::string& reason, std::string_view lang) {
  if (lang == "en") return reason;
  for (const FixedRefusal& fixed : k_fixed)
    if (reason == fixed.english) return std::string(fixed.french);
  if (auto words = refusal_with_values(reason, lang)) return *words;
  // "<verb> is not allowed in state <STATE>" (lifecycle.cpp).
  const auto in_state = reason.find(" is not allowed in state ");
  if (in_state != std::string::npos)
    return "« " + reason.substr(0, in_state) + " » n'est pas possible dans l'état " +
           state_name_words(reason.substr(in_state + 25), lang);
  return reason;
}

std::string done_in_words(std::string_view verb, const std::string& journal_detail, std::string_view lang) {
  if (lang == "en") return journal_detail;
  if (auto day = value_after(journal_detail, "deletion postponed to ", ": "))
    return "suppression reportée au " + date_words(*day, lang) + " : " +
           journal_detail.substr(journal_detail.find(": ") + 2);
  if (auto also = value_after(journal_detail, "held also: ")) return "suspendu aussi : " + *also;
  const auto arrow = journal_detail.find(" -> ");
  const auto colon = journal_detail.find(": ");
  if (arrow == std::string::npos || colon == std::string::npos || colon < arrow) return journal_detail;
  std::string why = journal_detail.substr(colon + 2);
  if (verb == "reexport" && why.starts_with("export again: ")) why = "nouvel export : " + why.substr(14);
  return state_name_words(journal_detail.substr(0, arrow), lang) + " → " +
         state_name_words(journal_detail.substr(arrow + 4, colon - arrow - 4), lang) + " : " + why;
}

}  // namespace passage
