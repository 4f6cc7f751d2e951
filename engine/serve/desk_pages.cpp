#include "engine/serve/desk_pages.hpp"

#include "engine/notices/notices.hpp"
#include "engine/serve/desk_text.hpp"
#include "engine/support/action_words.hpp"
#include "engine/support/local_time.hpp"
#include "engine/support/reasons.hpp"
#include "engine/support/say.hpp"
#include "plugins/reporters/html_words.hpp"

namespace passage {

std::string desk_layout(const std::string& title, const std::string& agent, const std::string& csrf,
                        const std::string& body, std::string_view lang) {
  const std::string desk = say(lang, "Passage — assistance", "Passage support");
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"" + say(lang, "fr", "en") + "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>" +
      html_escape(title) + " — " + desk + "</title>\n<link rel=\"stylesheet\" href=\"" + k_desk_css_path +
      "\">\n</head>\n<body>\n<header><a href=\"/\">" + desk + "</a>";
  if (!agent.empty())
    html += " <span class=\"agent\">" + html_escape(agent) +
            "</span> <form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" "
            "name=\"csrf\" value=\"" +
            html_escape(csrf) + "\"><button type=\"submit\">" + say(lang, "Se déconnecter", "Log out") +
            "</button></form>";
  return html + "</header>\n<main>\n" + body + "</main>\n</body>\n</html>\n";
}

std::string state_on_page(State state, std::string_view lang) {
  return std::string(state_words(state, lang)) + " (" + std::string(to_string(state)) + ")";
}

namespace {

std::string hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + html_escape(value) + "\">";
}

std::string reason_input(std::string_view lang) {
  return "<label>" + say(lang, "Motif", "Reason") +
         " <input type=\"text\" name=\"reason\" required maxlength=\"500\"></label>";
}

// A form carries the account's version as the page showed it: a second
// submission, or an account changed meanwhile, is refused (desk_routes.cpp).
std::string action_form(const Account& account, const std::string& verb, const std::string& csrf,
                        const std::string& extra, const std::string& label, std::string_view lang) {
  return "<form class=\"action\" method=\"post\" action=\"/account/" + std::to_string(account.id) + "/" + verb +
         "\">" + hidden("csrf", csrf) + hidden("version", std::to_string(account.version)) + extra +
         reason_input(lang) + "<button type=\"submit\" name=\"do\" value=\"" + verb + "\">" + html_escape(label) +
         "</button></form>\n";
}

std::string postpone_fields(const std::string& max_postpone, std::string_view lang) {
  return "<label>" + say(lang, "Jours de plus", "Days later") +
         " <input type=\"number\" name=\"days\" min=\"1\"></label> <label>" + say(lang, "ou jusqu'au", "or until") +
         " <input type=\"date\" name=\"until\"></label> <span class=\"note\">" +
         say(lang, "au plus ", "at most ") + html_escape(span_in_words(max_postpone, lang)) +
         say(lang, " après la date annoncée à la personne", " after the date the person was told") + "</span>";
}

std::string action_forms(const Account& account, const std::string& csrf, const std::string& max_postpone,
                         std::string_view lang) {
  std::string html = "<h2>" + say(lang, "Actions", "Actions") + "</h2>\n";
  html += action_form(account, "postpone", csrf, postpone_fields(max_postpone, lang),
                      say(lang, "Reporter la suppression", "Postpone the deletion"), lang);
  html += action_form(account, "hold", csrf, "", say(lang, "Suspendre", "Hold"), lang);
  html += action_form(account, "release", csrf, "", say(lang, "Reprendre", "Release"), lang);
  html += action_form(account, "retry", csrf, "", say(lang, "Relancer (en échec)", "Retry (FAILED)"), lang);
  html += action_form(account, "cancel", csrf, "", say(lang, "Annuler", "Cancel"), lang);
  html += action_form(account, "reexport", csrf, "",
                      say(lang, "Exporter de nouveau (le lien a expiré)", "Export again (the link expired)"), lang);
  return html;
}

std::string case_header(const CaseView& view) {
  const Account& account = view.record.account;
  const std::string_view lang = view.lang;
  std::string html = "<h1>" + html_escape(account.login) + "</h1>\n<dl>\n";
  const auto row = [&](const std::string& term, const std::string& value) {
    html += "<dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  };
  row(say(lang, "Domaine", "Domain"), account.domain);
  row(say(lang, "Courriel", "E-mail"), account.email);
  row(say(lang, "Campagne", "Campaign"),
      view.record.campaign + ", " + std::string(action_words(to_string(account.action), lang)) +
          (account.target.empty() ? "" : say(lang, " vers ", " to ") + account.target));
  row(say(lang, "Départ", "Departure"), format_long_date(account.departure_date, lang));
  std::string state = state_on_page(account.state, lang);
  if (account.held_from) state += say(lang, ", depuis ", ", from ") + state_on_page(*account.held_from, lang);
  row(say(lang, "État", "State"), state);
  if (!account.state_reason.empty()) row(say(lang, "Motif", "Reason"), explain_reasons(account.state_reason, lang));
  return html + "</dl>\n";
}

std::string timeline_table(const CaseView& view) {
  const std::string_view lang = view.lang;
  std::string html = "<h2>" + say(lang, "Historique", "Timeline") + "</h2>\n<p class=\"note\">" +
                     say(lang, "Fuseau horaire : ", "Times in ") + html_escape(zone_name(view.zone)) +
                     "</p>\n<table class=\"timeline\">\n<tr><th>" + say(lang, "Quand", "When") + "</th><th>" +
                     say(lang, "Quoi", "What") + "</th><th>" + say(lang, "Qui", "Who") + "</th><th>" +
                     say(lang, "Pourquoi", "Why") + "</th></tr>\n";
  for (const TimelineEntry& entry : view.timeline) {
    std::string why = entry.reason;
    if (!entry.reason_sentence.empty()) why += (why.empty() ? "" : " — ") + entry.reason_sentence;
    html += std::string("<tr") + (entry.planned ? " class=\"planned\"" : "") + "><td>" +
            html_escape(format_local_minute(entry.at, view.zone)) + "</td><td>" + html_escape(entry.text) +
            (entry.planned ? say(lang, " (prévu)", " (planned)") : "") + "</td><td>" + html_escape(entry.actor) +
            "</td><td>" + html_escape(why) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

// Each mail the person was sent (or is queued), linking to its preview.
std::string mail_list(const CaseView& view) {
  if (view.record.notices.empty()) return "";
  const std::string_view lang = view.lang;
  std::string html = "<h2>" + say(lang, "Messages", "Mails") + "</h2>\n<ol class=\"mails\">\n";
  for (std::size_t i = 0; i < view.record.notices.size(); ++i) {
    const NoticeRecord& notice = view.record.notices[i];
    std::string outcome = notice.outcome.empty() ? say(lang, "en file", "queued")
                          : notice.outcome == "sent" ? say(lang, "envoyé", "sent")
                                                     : notice.outcome;
    html += "<li><a href=\"/account/" + std::to_string(view.record.account.id) + "/mail/" + std::to_string(i + 1) +
            "\">" + html_escape(notice_kind_in_words(notice.message_id, lang)) + "</a> " +
            html_escape(format_local_minute(notice.created_at, view.zone)) + " " + html_escape(outcome) + "</li>\n";
  }
  return html + "</ol>\n";
}

}  // namespace

const std::string& desk_stylesheet() {
  static const std::string css =
      "body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;line-height:1.45}"
      "header{background:#0b5394;color:#fff;padding:.5em 1em}header a{color:#fff;font-weight:bold}"
      ".agent{margin-left:1em}main{max-width:70em;margin:1em auto;padding:0 1em}"
      "form.inline{display:inline;margin-left:1em}form.action{margin:.5em 0;padding:.5em;border:1px solid #ccc}"
      "label{margin-right:.8em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;"
      "padding:.3em .5em;text-align:left;vertical-align:top}tr.planned{color:#555;font-style:italic}"
      ".note{color:#555;font-size:.9em}.done{background:#e6f4ea;padding:.5em}.refused{background:#fce8e6;"
      "padding:.5em}dt{font-weight:bold;float:left;width:8em}dd{margin-left:9em}"
      "pre.mail{white-space:pre-wrap;background:#f6f6f6;padding:1em;border:1px solid #ddd}";
  return css;
}

std::string render_login_page(const std::string& problem, std::string_view lang) {
  std::string body = "<h1>" + say(lang, "Connexion", "Log in") + "</h1>\n";
  if (!problem.empty()) body += "<p class=\"refused\">" + html_escape(problem) + "</p>\n";
  body += "<form method=\"post\" action=\"/login\">\n<p><label>" + say(lang, "Votre nom", "Your name") +
          " <input type=\"text\" name=\"name\" required maxlength=\"64\" autocomplete=\"username\"></label></p>\n"
          "<p><label>" + say(lang, "Jeton de l'assistance", "Desk token") +
          " <input type=\"password\" name=\"token\" required autocomplete=\"current-password\"></label></p>\n"
          "<p><button type=\"submit\">" + say(lang, "Se connecter", "Log in") + "</button></p>\n</form>\n";
  return desk_layout(say(lang, "Connexion", "Log in"), "", "", body, lang);
}

std::string render_search_page(const std::string& agent, const std::string& csrf, const std::string& query,
                               const std::vector<Account>& results, bool more, const std::vector<Campaign>& campaigns,
                               std::string_view lang) {
  std::string body = "<h1>" + say(lang, "Trouver une personne", "Find a person") +
                     "</h1>\n<form method=\"get\" action=\"/\"><label>" +
                     say(lang, "Identifiant, domaine ou courriel (en partie, majuscules ou non)",
                         "Login, domain or e-mail (part of it, any case)") +
                     " <input type=\"search\" name=\"q\" value=\"" + html_escape(query) +
                     "\" required></label> <button type=\"submit\">" + say(lang, "Chercher", "Search") +
                     "</button></form>\n";
  if (!query.empty()) {
    body += "<h2>" + say(lang, "Résultats", "Results") + "</h2>\n";
    if (results.empty()) body += "<p>" + say(lang, "Aucun compte ne correspond.", "No account matches.") + "</p>\n";
    body += "<ul class=\"results\">\n";
    for (const Account& account : results)
      body += "<li><a href=\"/account/" + std::to_string(account.id) + "\">" + html_escape(account.login) +
              "</a> " + html_escape(account.domain) + " " + html_escape(account.email) + " " +
              html_escape(state_on_page(account.state, lang)) + "</li>\n";
    body += "</ul>\n";
    if (more)
      body += "<p class=\"note\">" +
              say(lang, "D'autres comptes correspondent : précisez la recherche.",
                  "More accounts match: type more of it.") +
              "</p>\n";
  }
  if (!campaigns.empty()) {
    body += "<h2>" + say(lang, "Campagnes", "Campaigns") + "</h2>\n<ul class=\"campaigns\">\n";
    for (const Campaign& campaign : campaigns)
      body += "<li><a href=\"/campaign/" + std::to_string(campaign.id) + "\">" + html_escape(campaign.name) +
              "</a></li>\n";
    body += "</ul>\n";
  }
  return desk_layout(say(lang, "Recherche", "Search"), agent, csrf, body, lang);
}

std::string render_account_page(const std::string& agent, const std::string& csrf, const CaseView& view,
                                const std::string& outcome, bool refused) {
  const std::string_view lang = view.lang;
  std::string body;
  if (!outcome.empty())
    body += std::string("<p class=\"") + (refused ? "refused" : "done") + "\">" +
            html_escape((refused ? say(lang, "Refusé : ", "Refused: ") : say(lang, "Fait : ", "Done: ")) + outcome) +
            "</p>\n";
  body += case_header(view);
  body += "<h2>" + say(lang, "Ensuite", "Next") + "</h2>\n<p class=\"next\">" +
          html_escape(next_steps_in_words(view.next)) + "</p>\n";
  body += timeline_table(view);
  body += mail_list(view);
  body += action_forms(view.record.account, csrf, view.max_postpone, lang);
  return desk_layout(view.record.account.login, agent, csrf, body, lang);
}

std::string render_message_page(const std::string& title, const std::string& text, std::string_view lang) {
  return desk_layout(title, "", "", "<h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(text) + "</p>\n", lang);
}

}  // namespace passage
