#include "plugins/reporters/html_words.hpp"

#include <cstdio>

#include "engine/notices/notices.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

struct Words {
  std::string_view key;
  std::string_view fr;
  std::string_view en;
};

std::string_view pick(const Words& words, std::string_view lang) { return lang == "en" ? words.en : words.fr; }

constexpr Words k_page[] = {
    {"title", "Passage — campagne", "Passage — campaign"},
    {"campaign", "Campagne", "Campaign"},
    {"generated", "Rapport généré le", "Report generated on"},
    {"account_one", "compte", "account"},
    {"account_many", "comptes", "accounts"},
    {"summary", "Synthèse", "Summary"},
    {"by_state", "Comptes par état", "Accounts by state"},
    {"state", "État", "State"},
    {"accounts", "Comptes", "Accounts"},
    {"evidence", "Preuves", "Evidence"},
    {"kind", "Nature", "Kind"},
    {"charts", "Évolution", "Over time"},
    {"states_over_time", "États des comptes par jour", "Account states per day"},
    {"failures_by_reason", "Échecs et blocages par motif", "Failures and holds by reason"},
    {"no_failures", "Aucun échec ni blocage", "No failure and no hold"},
    {"login", "Identifiant", "Login"},
    {"domain", "Domaine", "Domain"},
    {"action", "Action", "Action"},
    {"reason", "Motif", "Reason"},
    {"departure", "Départ", "Departure"},
    {"verified", "Vérifié le", "Verified on"},
    {"deletion", "Suppression à partir du", "Deletion from"},
    {"purged", "Purgé le", "Purged on"},
    {"proof", "Preuve", "Evidence"},
    {"none", "aucune", "none"},
    {"part_one", "partie", "part"},
    {"part_many", "parties", "parts"},
    {"bytes", "octets", "bytes"},
    {"entries", "entrées", "entries"},
    {"stack_words", "texte d'origine du serveur : ", "the server's own words: "},
};

constexpr Words k_states[] = {
    {"QUEUED", "En attente", "Queued"},
    {"EXPORTING", "Export en cours", "Exporting"},
    {"VERIFYING", "Vérification", "Verifying"},
    {"MOVING", "Déménagement en cours", "Moving"},
    {"INVITED", "Invité à déménager", "Invited to move"},
    {"VERIFIED", "Vérifié", "Verified"},
    {"NOTIFIED", "Prévenu", "Notified"},
    {"GRACE", "Délai de grâce", "Grace period"},
    {"PURGE_DUE", "Suppression due", "Due for deletion"},
    {"PURGED", "Supprimé", "Deleted"},
    {"HELD", "Suspendu", "Held"},
    {"RETRY_WAIT", "Nouvel essai prévu", "Waiting to retry"},
    {"FAILED", "En échec", "Failed"},
    {"CANCELLED", "Annulé", "Cancelled"},
    {"NO_SPACE", "Pas d'espace", "No space"},
};

constexpr Words k_kinds[] = {
    {"export", "export vérifié", "verified export"},
    {"moved", "déménagement terminé", "move completed"},
    {"", "aucune preuve", "no evidence"},
    {"move", "déménagement", "move"},
    {"deleted", "supprimé", "deleted"},
    {"already_gone", "déjà disparu", "already gone"},
};

// Reason codes Passage writes (lifecycle, purge interlocks, support).
constexpr Words k_reasons[] = {
    {"evidence_missing", "preuve absente ou abîmée", "evidence missing or damaged"},
    {"evidence_incomplete", "export incomplet", "incomplete export"},
    {"directory_active", "l'annuaire indique la personne présente", "the directory shows the person active"},
    {"directory_unknown", "personne absente de l'annuaire", "person not in the directory"},
    {"directory_failed", "annuaire illisible", "directory unreadable"},
    {"blocked_by_other", "espace bloqué par un tiers", "space blocked by someone else"},
    {"blocked", "espace bloqué", "space blocked"},
    {"domain_alias", "le domaine est un alias", "the domain is an alias"},
    {"delete_stuck", "suppression bloquée", "deletion stuck"},
    {"delete_failed", "suppression refusée", "deletion refused"},
    {"notice_refused", "message refusé par le serveur de courrier", "notice refused by the mail server"},
    {"dropped_from_list", "retiré de la liste", "dropped from the list"},
    {"lookup_404_storm", "trop de réponses 404 du serveur", "too many 404 answers from the stack"},
    {"target_missing", "Cozy cible introuvable", "target Cozy missing"},
    {"target_quota", "quota de la cible insuffisant", "target quota too small"},
    {"target_holds_data", "la cible contient déjà des données", "the target already holds data"},
    {"target_written_after_import", "la cible a été modifiée après l'import",
     "the target was written after the import"},
    {"target_blocked", "cible bloquée", "target blocked"},
    {"import_deadline", "import trop long", "import took too long"},
    {"activity_after_export", "activité après l'export", "activity after the export"},
    {"activity_after_move", "activité après le déménagement", "activity after the move"},
    {"answer_too_large", "réponse du serveur trop grande", "answer from the stack too large"},
    {"answer_wrong_type", "réponse du serveur d'un type inattendu", "answer from the stack of an unexpected type"},
    {"answer_unreadable", "réponse du serveur illisible", "answer from the stack unreadable"},
    {"redirect_refused", "redirection refusée", "redirect refused"},
    {"part_too_large", "partie d'export trop grande", "export part too large"},
    {"zip_unsafe_entry", "partie d'export avec un chemin dangereux", "export part with an unsafe path"},
    {"zip_bomb", "partie d'export qui se décompresse démesurément", "export part that expands absurdly"},
    {"no_public_url", "serve.public_url non configuré", "serve.public_url not configured"},
    // Failures recorded in the stack's, the relay's or libcurl's own words
    // (engine/support/reasons.hpp failure_code_of_text).
    {"stack_unreachable", "serveur injoignable", "stack unreachable"},
    {"stack_error", "erreur du serveur", "stack error"},
    {"unknown_outcome", "issue inconnue (la demande est peut-être parvenue)", "outcome unknown (the request may have arrived)"},
    {"relay_unavailable", "serveur de courrier indisponible", "mail relay unavailable"},
    {"other_failure", "échec non reconnu", "unrecognised failure"},
};

template <std::size_t N>
const Words* find(const Words (&table)[N], std::string_view key) {
  for (const Words& words : table)
    if (words.key == key) return &words;
  return nullptr;
}

std::string_view trimmed_view(std::string_view text) {
  while (text.starts_with(' ')) text.remove_prefix(1);
  while (text.ends_with(' ')) text.remove_suffix(1);
  return text;
}

// A failure in the stack's words, worded: "erreur du serveur (HTTP 502)".
std::string failure_words(std::string_view code, std::string_view raw, std::string_view lang) {
  std::string text(pick(*find(k_reasons, code), lang));
  if (code == "stack_error") text += " (HTTP " + std::string(trimmed_view(raw).substr(5, 3)) + ")";
  return text;
}

void add_stack_words(ReasonParts& parts, std::string_view raw) {
  if (!parts.stack_words.empty()) parts.stack_words += "; ";
  parts.stack_words += raw;
}

// One recorded reason into `parts`. `system` is true when Passage recorded
// it (FAILED, RETRY_WAIT): free text there is a stack's words; a HELD
// account's free text is a person's own words and stays as written.
std::string one_reason(std::string_view reason, bool system, std::string_view lang, ReasonParts& parts) {
  reason = trimmed_view(reason);
  const auto colon = reason.find(':');
  const Words* words = find(k_reasons, reason.substr(0, colon));
  if (!words) {
    if (auto code = failure_code_of_text(reason)) {
      add_stack_words(parts, reason);
      return failure_words(*code, reason, lang);
    }
    if (!system) return std::string(reason);
    add_stack_words(parts, reason);
    return std::string(pick(*find(k_reasons, "other_failure"), lang));
  }
  std::string text(pick(*words, lang));
  if (colon == std::string_view::npos) return text;
  const std::string_view detail = trimmed_view(reason.substr(colon + 1));
  if (detail.empty()) return text;
  const std::string separator = lang == "en" ? ": " : " : ";
  if (auto code = failure_code_of_text(detail)) {
    add_stack_words(parts, detail);
    return text + separator + failure_words(*code, detail, lang);
  }
  return text + separator + std::string(detail);
}

}  // namespace

std::string_view report_language(std::string_view notify_language) {
  return notify_language == "en" ? "en" : "fr";
}

std::string_view page_word(std::string_view key, std::string_view lang) {
  const Words* words = find(k_page, key);
  return words ? pick(*words, lang) : key;
}

std::string_view state_words(State state, std::string_view lang) {
  const Words* words = find(k_states, to_string(state));
  return words ? pick(*words, lang) : to_string(state);
}

std::string evidence_words(const std::string& kind, std::string_view lang) {
  const Words* words = find(k_kinds, kind);
  return words ? std::string(pick(*words, lang)) : kind;
}

std::string_view action_words(std::string_view action, std::string_view lang) {
  if (action == "move") return pick(*find(k_kinds, "move"), lang);
  return "export";
}

std::string purge_kind_words(const std::string& kind, std::string_view lang) {
  const Words* words = kind.empty() ? nullptr : find(k_kinds, kind);
  return words ? std::string(pick(*words, lang)) : kind;
}

ReasonParts reason_parts(const std::string& reason, State state, std::string_view lang) {
  ReasonParts parts;
  const bool system = state == State::failed || state == State::retry_wait;
  std::string_view rest = reason;
  while (!rest.empty()) {
    const auto end = rest.find("; ");
    if (!parts.words.empty()) parts.words += "; ";
    parts.words += one_reason(rest.substr(0, end), system, lang, parts);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 2);
  }
  return parts;
}

std::string reason_words(const std::string& reason, std::string_view lang) {
  return reason_parts(reason, State::held, lang).words;
}

std::string count_words(long count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

std::string local_moment(Instant at, const date::time_zone* zone, std::string_view lang) {
  const auto local = to_local_time(at, zone);
  const auto day = date::floor<date::days>(local);
  const auto minutes = date::floor<std::chrono::minutes>(local - day).count();
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return format_long_date(date::year_month_day{day}, lang) + (lang == "en" ? " at " : " à ") + time;
}

std::string long_date(date::year_month_day day, std::string_view lang) { return format_long_date(day, lang); }

}  // namespace passage
