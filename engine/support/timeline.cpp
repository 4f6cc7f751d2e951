#include "engine/support/timeline.hpp"

#include <algorithm>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/notices/notices.hpp"
#include "engine/support/reasons.hpp"
#include "engine/support/say.hpp"
#include "engine/text/plural.hpp"
#include "plugins/reporters/html_words.hpp"

namespace passage {

namespace {

// The stack's export links live 7 days (COZY.md).
constexpr auto k_space_link_life = std::chrono::days(7);

TimelineEntry make_entry(Instant at, const char* kind, std::string text, std::string actor = {}) {
  TimelineEntry entry;
  entry.at = at;
  entry.kind = kind;
  entry.text = std::move(text);
  entry.actor = std::move(actor);
  return entry;
}

std::string after_colon(const std::string& text) {
  std::size_t colon = text.find(": ");
  return colon == std::string::npos ? std::string() : text.substr(colon + 2);
}

void set_reason(TimelineEntry& entry, const std::string& reason, std::string_view lang) {
  entry.reason = reason;
  if (auto sentence = reason_sentence(reason, lang)) entry.reason_sentence = std::string(*sentence);
}

// "GRACE -> HELD: why" in the page's language: "Délai de grâce → Suspendu: why"
// (the English keeps the journal's own words).
std::string state_change_words(const std::string& detail, std::string_view lang) {
  if (lang == "en") return detail;
  const auto arrow = detail.find(" -> ");
  if (arrow == std::string::npos) return detail;
  const auto colon = detail.find(": ", arrow);
  auto from = state_from_string(detail.substr(0, arrow));
  auto to = state_from_string(detail.substr(arrow + 4, colon == std::string::npos ? std::string::npos : colon - arrow - 4));
  if (!from || !to) return detail;
  std::string text = std::string(state_words(*from, lang)) + " → " + std::string(state_words(*to, lang));
  return colon == std::string::npos ? text : text + " : " + detail.substr(colon + 2);
}

// "from accounts.csv line 3" → "depuis accounts.csv, ligne 3".
std::string source_words(const std::string& source, std::string_view lang) {
  const auto line = source.rfind(" line ");
  if (lang == "en" || !source.starts_with("from ") || line == std::string::npos) return source;
  return "depuis " + source.substr(5, line - 5) + ", ligne " + source.substr(line + 6);
}

// "c1: u1 u1.example export, due …; from accounts.csv line 3" →
// "imported into campaign c1 (from accounts.csv line 3)".
TimelineEntry imported_entry(const JournalEntry& entry, const std::string& campaign, std::string_view lang) {
  std::string text = say(lang, "importé dans la campagne ", "imported into campaign ") + campaign;
  std::size_t from = entry.detail.find("; ");
  if (from != std::string::npos) text += " (" + source_words(entry.detail.substr(from + 2), lang) + ")";
  return make_entry({}, "imported", text, entry.actor);
}

bool is_failure_state(const std::string& detail) {
  return detail.find("-> RETRY_WAIT") != std::string::npos || detail.find("-> FAILED") != std::string::npos;
}

// "EXPORTING -> RETRY_WAIT: export_deadline" → a failed attempt with its reason.
TimelineEntry state_entry(const JournalEntry& entry, std::string_view lang) {
  TimelineEntry out = make_entry({}, "state", state_change_words(entry.detail, lang), entry.actor);
  if (is_failure_state(entry.detail)) {
    out.kind = "attempt";
    out.text = say(lang, "tentative échouée : ", "attempt failed: ") + out.text;
    set_reason(out, after_colon(entry.detail), lang);
  } else if (entry.detail.find("-> HELD") != std::string::npos) {
    set_reason(out, after_colon(entry.detail), lang);
  }
  return out;
}

// "deletion postponed to 2027-01-04" → "suppression reportée au 4 janvier 2027".
std::string postponed_words(const std::string& detail, std::string_view lang) {
  const std::string head = detail.substr(0, detail.find(':'));
  if (lang == "en") return head;
  auto day = parse_iso_date(head.substr(head.rfind(' ') + 1));
  return day ? "suppression reportée au " + format_long_date(*day, lang) : head;
}

// Holds, releases, postpones, retries, cancels and exports again, with who and why.
TimelineEntry support_entry(const JournalEntry& entry, std::string_view lang) {
  TimelineEntry out = make_entry({}, "support", state_change_words(entry.detail, lang), entry.actor);
  const std::string& detail = entry.detail;
  std::string why = after_colon(detail);
  const std::string by = say(lang, " par ", " by ") + entry.actor;
  if (lang != "en" && detail.find("-> QUEUED: export again") != std::string::npos) {
    out.text = say(lang, "nouvel export demandé", "export again asked") + by;
    why = after_colon(why);
  } else if (detail.find("-> HELD") != std::string::npos) out.text = say(lang, "suspendu", "held") + by;
  else if (detail.starts_with("HELD ->"))
    out.text = say(lang, "repris", "released") + by + say(lang, " : ", ": ") + state_change_words(detail.substr(0, detail.find(':')), lang);
  else if (detail.starts_with("deletion postponed")) out.text = postponed_words(detail, lang) + by;
  else if (detail.find("-> CANCELLED") != std::string::npos) out.text = say(lang, "annulé", "cancelled") + by;
  else if (detail.starts_with("FAILED -> QUEUED")) out.text = say(lang, "relancé", "retried") + by;
  else return out;
  set_reason(out, why, lang);
  return out;
}

// "export export:u1.example:1:2" → "export requested (request 2)".
std::optional<TimelineEntry> intent_entry(const JournalEntry& entry, std::string_view lang) {
  const std::string kind = entry.detail.substr(0, entry.detail.find(' '));
  if (kind == "notice") return std::nullopt;  // notices come with their outcome
  const std::string number = entry.detail.substr(entry.detail.rfind(':') + 1);
  std::string text = kind == "export"   ? say(lang, "export demandé", "export requested")
                     : kind == "import" ? say(lang, "déménagement (import sur la cible) lancé",
                                              "move (import on the target) started")
                     : kind == "import_request"
                         ? say(lang, "import demandé à la cible", "import requested from the target")
                     : kind == "delete" ? say(lang, "suppression demandée au serveur", "deletion requested from the stack")
                                        : kind + say(lang, " demandé", " requested");
  return make_entry({}, "attempt", text + say(lang, " (demande ", " (request ") + number + ")", entry.actor);
}

std::optional<TimelineEntry> journal_entry(const JournalEntry& entry, const std::string& campaign,
                                           std::string_view lang) {
  std::optional<TimelineEntry> out;
  if (entry.kind == "imported") out = imported_entry(entry, campaign, lang);
  else if (entry.kind == "state") out = state_entry(entry, lang);
  else if (entry.kind == "support") out = support_entry(entry, lang);
  else if (entry.kind == "intent") out = intent_entry(entry, lang);
  else out = make_entry({}, "other", entry.kind + ": " + entry.detail, entry.actor);
  if (!out) return std::nullopt;
  auto at = parse_utc(entry.at);
  if (!at) return std::nullopt;
  out->at = *at;
  out->detail = entry.detail;
  return out;
}

bool notice_lacked_public_url(const NoticeRecord& notice) {
  return notice.outcome == "refused: " + std::string(k_no_public_url);
}

std::string notice_outcome(const NoticeRecord& notice, std::string_view lang) {
  if (notice.outcome.empty()) return say(lang, "en file, pas encore envoyé", "queued, not sent yet");
  if (notice.outcome == "sent") return say(lang, "envoyé (accepté par le serveur de courrier)",
                                           "sent (accepted by the mail server)");
  // Never handed to the mail server: the link could not be made.
  if (notice_lacked_public_url(notice))
    return say(lang, "non envoyé : pas de lien de téléchargement (serve.public_url manque)",
               "not sent: no download link (serve.public_url is missing)");
  if (lang == "en") return notice.outcome;  // "refused: …", "failed: …"
  if (notice.outcome.starts_with("refused")) return "refusé" + notice.outcome.substr(7);
  if (notice.outcome.starts_with("failed")) return "échec" + notice.outcome.substr(6);
  return notice.outcome;
}

TimelineEntry notice_entry(const NoticeRecord& notice, const Account& account, std::string_view lang) {
  TimelineEntry out = make_entry(notice.finished_at.value_or(notice.created_at), "notice",
                                 say(lang, "message ", "notice ") + notice_kind_in_words(notice.message_id, lang) +
                                     say(lang, " à ", " to ") + account.email + say(lang, " : ", ": ") +
                                     notice_outcome(notice, lang));
  if (notice_lacked_public_url(notice)) set_reason(out, std::string(k_no_public_url), lang);
  else if (notice.outcome.starts_with("refused")) set_reason(out, "notice_refused", lang);
  return out;
}

TimelineEntry evidence_entry(const Account& account, std::string_view lang) {
  const Evidence& evidence = account.evidence;
  std::string text;
  if (evidence.kind == "moved") {
    text = say(lang, "preuve : le serveur indique l'espace déménagé", "evidence: the stack reports the space moved");
  } else {
    std::int64_t bytes = 0;
    for (const PartEvidence& part : evidence.parts) bytes += part.bytes;
    const auto count = [&](long long n, std::string_view french_one, std::string_view french_many,
                           std::string_view one, std::string_view many) {
      return plural(n, say(lang, french_one, one), say(lang, french_many, many));
    };
    text = say(lang, "preuve : export ", "evidence: export ") + evidence.export_id + ", " +
           count(static_cast<long long>(evidence.parts.size()), "partie", "parties", "part", "parts") + ", " +
           count(bytes, "octet", "octets", "byte", "bytes") + ", " +
           count(evidence.content.files, "fichier vérifié", "fichiers vérifiés", "file checked", "files checked") +
           " (" + count(evidence.content.file_bytes, "octet", "octets", "byte", "bytes") +
           say(lang, " de contenu de fichiers)", " of file contents)");
  }
  return make_entry(*account.verified_at, "evidence", text);
}

// The evidence right after the latest "-> VERIFIED" entry, at its instant:
// the store's verified_at and the notice that follows may be a few
// milliseconds apart either way, and the notice always came after it.
void add_evidence(const Account& account, std::vector<TimelineEntry>& entries, std::string_view lang) {
  if (account.evidence.empty() || !account.verified_at) return;
  TimelineEntry evidence = evidence_entry(account, lang);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->detail.find("-> VERIFIED") == std::string::npos) continue;
    evidence.at = it->at;
    entries.insert(it.base(), std::move(evidence));
    return;
  }
  entries.push_back(std::move(evidence));
}

std::string deletion_words(const Account& account, std::string_view lang) {
  if (account.purge_kind == "already_gone")
    return say(lang, "l'espace avait déjà disparu (rien à supprimer)", "the space was already gone (nothing to delete)");
  return say(lang, "l'espace a été supprimé", "the space was deleted");
}

// Dates the account holds: link expiry, move deadline, deletion.
void add_dates(const CaseRecord& record, const date::time_zone* zone, Instant now, std::string_view lang,
               std::vector<TimelineEntry>& out) {
  const Account& account = record.account;
  auto dated = [&](Instant at, const char* kind, std::string text) {
    out.push_back(make_entry(at, kind, std::move(text)));
    out.back().planned = at > now;
  };
  if (record.download_link_expiry)
    dated(*record.download_link_expiry, "link_expiry",
          say(lang, "le lien de téléchargement personnel expire", "the personal download link expires"));
  else if (account.delivery == "space" && account.export_completed_at && account.evidence.kind == "export")
    dated(*account.export_completed_at + k_space_link_life, "link_expiry",
          say(lang, "le lien de téléchargement de l'export, dans l'espace de la personne, expire",
              "the export's download link in the person's space expires"));
  if (account.move_deadline && !account.admin_move)
    dated(*account.move_deadline, "move_deadline",
          say(lang, "échéance du déménagement : sans déménagement d'ici là, l'espace est exporté à la place",
              "move deadline: without a move by then, the space is exported instead"));
  if (account.purged_at) {
    dated(*account.purged_at, "deletion", deletion_words(account, lang));
  } else if (account.grace_end && !is_final(account.state)) {
    const std::string day = format_long_date(local_date(*account.grace_end, zone), lang);
    out.push_back(make_entry(*account.grace_end, "deletion",
                             say(lang, "suppression prévue à partir du ", "deletion due from ") + day));
    out.back().planned = true;
  }
}

}  // namespace

std::string notice_kind_in_words(const std::string& message_id, std::string_view lang) {
  std::string key = message_id.substr(0, message_id.find('.'));
  std::size_t dash = key.find('-');
  if (dash == std::string::npos) return key;
  std::string kind = key.substr(0, dash);
  std::string offset = key.substr(dash + 1);
  if (offset.ends_with("h") && offset.size() > 1) {
    int hours = std::atoi(offset.c_str());
    const std::string before = say(lang, " avant", " before");
    if (hours % 24 == 0)
      return kind + ", " + std::to_string(hours / 24) +
             (hours == 24 ? say(lang, " jour", " day") : say(lang, " jours", " days")) + before;
    return kind + ", " + std::to_string(hours) + say(lang, " heures", " hours") + before;
  }
  if (offset.find_first_not_of("0123456789") == std::string::npos)
    return kind + say(lang, " (numéro ", " (number ") + offset + ")";
  return kind + (offset == "date" ? say(lang, ", la nouvelle date", ", the new date") : ", " + offset);
}

std::vector<TimelineEntry> case_timeline(const CaseRecord& record, const date::time_zone* zone, Instant now,
                                         std::string_view lang) {
  std::vector<TimelineEntry> entries;
  for (const JournalEntry& entry : record.journal)
    if (auto out = journal_entry(entry, record.campaign, lang)) entries.push_back(std::move(*out));
  add_evidence(record.account, entries, lang);
  for (const NoticeRecord& notice : record.notices) entries.push_back(notice_entry(notice, record.account, lang));
  add_dates(record, zone, now, lang, entries);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });
  return entries;
}

}  // namespace passage
