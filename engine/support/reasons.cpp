#include "engine/support/reasons.hpp"

namespace passage {

namespace {

// Codes from the lifecycle (engine/lifecycle), the runner and the admin
// move (engine/sched), the purge's interlocks (engine/sched/purge.cpp) and
// the backends' failure kinds (engine/lifecycle/failure.hpp).
constexpr ReasonCode k_reasons[] = {
    // Lookup before the first action and before every export.
    {"blocked", "The stack blocks this space for a reason Passage did not set; a person must find out why "
                "before anything is exported or deleted.",
     "Le serveur bloque cet espace pour une raison que Passage n'a pas posée ; une personne doit en trouver la cause avant tout export ou suppression."},
    {"domain_alias", "The listed domain is an alias of another space: acting on it would touch that other "
                     "space, so Passage stopped.",
     "Le domaine de la liste est un alias d'un autre espace : agir dessus toucherait cet autre espace, Passage s'est donc arrêté."},
    {"lookup_404_storm", "Too many spaces of one run were reported missing at once: Passage does not believe "
                         "those answers and holds the account until a person checks the stack.",
     "Trop d'espaces d'une même exécution ont été déclarés absents d'un coup : Passage ne croit pas ces réponses et suspend le compte jusqu'à ce qu'une personne vérifie le serveur."},
    {"no_instances_counted", "The stack answered 'not found' while counting no space at all (its database "
                             "may be missing): the answer is not believed.",
     "Le serveur a répondu « introuvable » tout en ne comptant aucun espace (sa base manque peut-être) : la réponse n'est pas crue."},
    // Exports and their evidence.
    {"24-hour rule", "A previous export request for this space may still be running: the stack allows one "
                     "export a day, so the next one waits 24 hours.",
     "Une demande d'export précédente de cet espace est peut-être encore en cours : le serveur permet un export par jour, le suivant attend donc 24 heures."},
    {"export_deadline", "No export event arrived before the stack's export_deadline: the export is asked "
                        "again once the 24-hour rule allows it.",
     "Aucun événement d'export n'est arrivé avant l'export_deadline du serveur : l'export est redemandé dès que la règle des 24 heures le permet."},
    {"evidence_incomplete", "The export lacked files its metadata announced (the stack could not read "
                            "them): exported again; still missing twice in a row, a person decides.",
     "Il manquait à l'export des fichiers annoncés par ses métadonnées (le serveur n'a pas pu les lire) : exporté de nouveau ; s'ils manquent encore deux fois de suite, une personne décide."},
    {"export_error", "The stack ran the export and it ended in error: it is asked again later.",
     "Le serveur a lancé l'export et celui-ci s'est terminé en erreur : il est redemandé plus tard."},
    // Hostile or broken answers (issue 12): refused, never believed.
    {"answer_too_large", "The stack sent an answer far larger than such an answer can be: it was refused "
                         "unread and the call is tried again later.",
     "Le serveur a envoyé une réponse bien plus grande que possible : refusée sans être lue, l'appel est retenté plus tard."},
    {"answer_wrong_type", "The stack answered with something other than what was asked (a web page instead "
                          "of data: a proxy or a login page in the way?): refused, tried again later.",
     "Le serveur a répondu autre chose que ce qui était demandé (une page web au lieu de données : un proxy ou une page de connexion au milieu ?) : refusé, retenté plus tard."},
    {"answer_unreadable", "The stack's answer could not be read (invalid or unexpected JSON): tried again "
                          "later.",
     "La réponse du serveur était illisible (JSON invalide ou inattendu) : retenté plus tard."},
    {"redirect_refused", "The stack answered with a redirect, which Passage never follows for admin calls: "
                         "check the stack's url in the configuration.",
     "Le serveur a répondu par une redirection, que Passage ne suit jamais pour les appels d'administration : vérifiez l'url du serveur dans la configuration."},
    {"part_too_large", "An export part was larger than the whole space can be: the download was stopped "
                       "before it filled the disk, and a person must look at the stack.",
     "Une partie d'export était plus grande que l'espace entier ne peut l'être : le téléchargement a été arrêté avant de remplir le disque, une personne doit examiner le serveur."},
    {"zip_unsafe_entry", "An export part holds an entry that would be written outside its folder (`..`, an "
                         "absolute path) or a link: the part is not accepted as evidence.",
     "Une partie d'export contient une entrée qui s'écrirait hors de son dossier (`..`, chemin absolu) ou un lien : la partie n'est pas acceptée comme preuve."},
    {"zip_bomb", "An export part expands to more than the whole space can hold: it is not accepted as "
                 "evidence, and a person must look at the stack.",
     "Une partie d'export se décompresse en plus que l'espace entier ne peut contenir : elle n'est pas acceptée comme preuve, une personne doit examiner le serveur."},
    // Moves.
    {"target_missing", "The target Cozy of the move does not exist: a person must check the address.",
     "Le Cozy cible du déménagement n'existe pas : une personne doit vérifier l'adresse."},
    {"target_blocked", "The target Cozy of the move is blocked: nothing was touched.",
     "Le Cozy cible du déménagement est bloqué : rien n'a été touché."},
    {"target_quota", "The target Cozy's quota is smaller than the space to move: nothing was touched.",
     "Le quota du Cozy cible est plus petit que l'espace à déménager : rien n'a été touché."},
    {"target_holds_data", "The target Cozy already holds data and move.overwrite is off: nothing was "
                          "touched.",
     "Le Cozy cible contient déjà des données et move.overwrite est désactivé : rien n'a été touché."},
    {"target_written_after_import",
     "The target Cozy holds data written after Passage's earlier import of this space (files created, changed "
     "or deleted, or the person used it): importing again would wipe it, so nothing was touched and the old space "
     "was given back; a person decides (empty the target, set move.overwrite, or cancel).",
     "Le Cozy cible contient des données écrites après l'import précédent de Passage (fichiers créés, modifiés ou "
     "supprimés, ou la personne s'en est servie) : importer de nouveau les effacerait, rien n'a donc été touché et "
     "l'ancien espace a été rendu ; une personne décide (vider la cible, activer move.overwrite ou annuler)."},
    {"target_size_mismatch", "After the import the target does not hold the bytes that were verified: the "
                             "move is tried again.",
     "Après l'import, la cible ne contient pas les octets vérifiés : le déménagement est retenté."},
    {"import_deadline", "The target did not finish its import before the import deadline: the source was "
                        "unblocked and the move is tried again.",
     "La cible n'a pas terminé son import avant l'échéance : la source a été débloquée et le déménagement est retenté."},
    {"import_stalled", "The target fetched nothing and changed nothing for move.stall_timeout: the source "
                       "was unblocked and the move is tried again.",
     "La cible n'a rien récupéré ni rien changé pendant move.stall_timeout : la source a été débloquée et le déménagement est retenté."},
    {"move_interrupted", "A run ended during the move's export or download, before the target was asked to "
                         "import: nothing reached the target, Passage lifted its own MOVING block on the source "
                         "(a block someone else set stays) and the move is tried again once the 24-hour rule "
                         "allows a new export.",
     "Une exécution s'est arrêtée pendant l'export ou le téléchargement du déménagement, avant que la cible ne soit "
     "sollicitée : rien n'est parvenu à la cible, Passage a levé son propre blocage MOVING de la source (un blocage "
     "posé par quelqu'un d'autre reste) et le déménagement est retenté dès que la règle des 24 heures permet un "
     "nouvel export."},
    {"import_failed", "The target ended its import without fetching every part: the move is tried again.",
     "La cible a terminé son import sans récupérer toutes les parties : le déménagement est retenté."},
    {"files_changed_after_move", "The old space's files changed after the move's snapshot without a login "
                                 "(a konnector, a sharing, a sync client): the new space lacks them, so the old "
                                 "one was not deleted; a person decides whether to move or export again.",
     "Les fichiers de l'ancien espace ont changé après l'instantané du déménagement sans connexion (un connecteur, "
     "un partage, un client de synchronisation) : le nouvel espace ne les a pas, l'ancien n'a donc pas été "
     "supprimé ; une personne décide s'il faut déménager ou exporter de nouveau."},
    {"files_changed_after_export", "The space's files changed after its export without a login (a konnector, a "
                                   "sharing, a sync client) and the re-export allowed was spent: the space was not "
                                   "deleted; a person decides (account reexport exports it again, with no release).",
     "Les fichiers de l'espace ont changé après son export sans connexion (un connecteur, un partage, un client de "
     "synchronisation) et le nouvel export permis a déjà eu lieu : l'espace n'a pas été supprimé ; une personne "
     "décide (account reexport l'exporte de nouveau, sans le libérer)."},
    {"activity_after_move", "The person used the old space after the move's snapshot: a person decides "
                            "whether to move or export again.",
     "La personne a utilisé l'ancien espace après l'instantané du déménagement : une personne décide s'il faut déménager ou exporter de nouveau."},
    // Notices.
    {"notice_refused", "The mail server refused the notice for good (a wrong address?): the space is never "
                       "deleted until a person acts.",
     "Le serveur de courrier a refusé le message définitivement (adresse erronée ?) : l'espace n'est jamais supprimé tant qu'une personne n'agit pas."},
    {"no_public_url", "The notice needs a personal download link, but serve.public_url is not configured: "
                      "the space is never deleted until a person acts.",
     "Le message a besoin d'un lien de téléchargement personnel, mais serve.public_url n'est pas configuré : l'espace n'est jamais supprimé tant qu'une personne n'agit pas."},
    // The purge's interlocks and deletions.
    {"evidence_missing", "At the purge the verified evidence of the export was missing or damaged (with archive "
                         "delivery: a part no longer in the archive, unreadable, shorter than verified, or no "
                         "longer the zip that was verified): the space was not deleted. Export it again (account "
                         "reexport, with no release), or put the part back from a backup and release it.",
     "Au moment de la purge, la preuve vérifiée de l'export manquait ou était abîmée (livraison en archive : une "
     "partie absente de l'archive, illisible, plus courte que vérifiée, ou qui n'est plus le zip vérifié) : l'espace "
     "n'a pas été supprimé. L'exporter de nouveau (account reexport, sans le libérer), ou remettre la partie depuis "
     "une sauvegarde et le libérer."},
    {"directory_active", "The directory says the person is active again (back at the academy?): the space "
                         "was not deleted.",
     "L'annuaire indique la personne de nouveau active (revenue dans l'académie ?) : l'espace n'a pas été supprimé."},
    {"directory_unknown", "The directory does not know this login: the space was not deleted.",
     "L'annuaire ne connaît pas cet identifiant : l'espace n'a pas été supprimé."},
    {"directory_failed", "The directory could not be read at the purge: the space was not deleted.",
     "L'annuaire n'a pas pu être lu au moment de la purge : l'espace n'a pas été supprimé."},
    {"blocked_by_other", "At the purge the space was blocked by someone other than Passage: it was not "
                         "deleted.",
     "Au moment de la purge, l'espace était bloqué par quelqu'un d'autre que Passage : il n'a pas été supprimé."},
    {"delete_stuck", "The stack's deletion stayed stuck (its 'deleting' flag) after one repair: a person "
                     "must check the space on the stack.",
     "La suppression est restée bloquée sur le serveur (son indicateur « deleting ») après une réparation : une personne doit vérifier l'espace sur le serveur."},
    {"delete_failed", "The stack refused or failed the deletion: the account is held for a person.",
     "Le serveur a refusé ou raté la suppression : le compte est suspendu en attendant une personne."},
    {"activity_after_export", "The person kept using the space after its re-export (a desktop client still "
                              "syncing?): a person decides (account reexport exports it again, with no release).",
     "La personne a continué d'utiliser l'espace après son nouvel export (un client de bureau qui synchronise encore ?) : une personne décide (account reexport l'exporte de nouveau, sans le libérer)."},
    // Lists.
    {"dropped_from_list", "A corrected campaign list no longer includes this person: only a list that "
                          "includes them again, or a cancel, lifts this.",
     "Une liste de campagne corrigée ne contient plus cette personne : seule une liste qui la contient de nouveau, ou une annulation, lève ce blocage."},
    // Failure kinds, when a backend gave no more detail.
    {"retryable", "A temporary failure: tried again after a pause.",
     "Un échec passager : retenté après une pause."},
    {"rate_limited", "The stack asked Passage to slow down: tried again after the delay it asked for.",
     "Le serveur a demandé à Passage de ralentir : retenté après le délai demandé."},
    {"permanent", "The stack refused the request for good: a person must act.",
     "Le serveur a refusé la demande définitivement : une personne doit agir."},
    {"not_found", "The stack did not find what the request named.",
     "Le serveur n'a pas trouvé ce que la demande nommait."},
    {"unknown_outcome", "The request may or may not have reached the stack: Passage waits before asking "
                        "again.",
     "La demande est peut-être parvenue au serveur, peut-être pas : Passage attend avant de redemander."},
    {"stack_unreachable", "The stack could not be reached (no connection, no answer in time): tried again "
                          "after a pause; once the retries are spent a person retries the account.",
     "Le serveur n'a pas pu être joint (pas de connexion, pas de réponse à temps) : nouvel essai après une "
     "pause ; une fois les essais épuisés, une personne relance le compte."},
    {"stack_error", "The stack answered with an error: tried again after a pause.",
     "Le serveur a répondu par une erreur : nouvel essai après une pause."},
    {"relay_unavailable", "The mail relay could not take the notice: it is sent when the relay answers again.",
     "Le serveur de courrier n'a pas pu prendre le message : il est envoyé dès qu'il répond à nouveau."},
};

// libcurl's transport errors (curl_easy_strerror) start with these.
constexpr std::string_view k_transport_words[] = {
    "Couldn't", "Could not", "Failure when", "Timeout", "timeout", "Connection", "Send failure",
    "Recv failure", "Empty reply", "Server returned nothing", "SSL", "Failed to connect", "Operation timed out"};

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

std::optional<std::string_view> failure_code_of_text(std::string_view text) {
  text = trimmed(text);
  if (text.starts_with("smtp ")) return "relay_unavailable";
  if (text.find("after the request was sent") != std::string_view::npos) return "unknown_outcome";
  if ((text.starts_with("http ") || text.starts_with("HTTP ")) && text.size() > 5 && text[5] >= '1' && text[5] <= '9')
    return "stack_error";
  for (std::string_view words : k_transport_words)
    if (text.starts_with(words)) return "stack_unreachable";
  return std::nullopt;
}

std::optional<std::string_view> known_reason_code(std::string_view reason) {
  std::string_view code = reason_code_of(reason);
  for (const ReasonCode& known : k_reasons)
    if (known.code == code) return known.code;
  return failure_code_of_text(reason);
}

std::optional<std::string_view> reason_sentence(std::string_view reason, std::string_view lang) {
  auto code = known_reason_code(reason);
  if (!code) return std::nullopt;
  for (const ReasonCode& known : k_reasons)
    if (known.code == *code) return lang == "en" ? known.sentence : known.french;
  return std::nullopt;
}

std::string explain_reasons(std::string_view reasons, std::string_view lang) {
  std::string text;
  while (!reasons.empty()) {
    std::size_t end = reasons.find("; ");
    std::string_view one = trimmed(reasons.substr(0, end));
    if (!text.empty()) text += "; ";
    text += one;
    if (auto sentence = reason_sentence(one, lang)) text += " (" + std::string(*sentence) + ")";
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
