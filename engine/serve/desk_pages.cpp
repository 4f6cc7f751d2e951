#include "engine/serve/desk_pages.hpp"

#include "engine/serve/desk_text.hpp"
#include "engine/support/local_time.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

std::string desk_layout(const std::string& title, const std::string& agent, const std::string& csrf,
                        const std::string& body) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>" +
      html_escape(title) + " — Passage support</title>\n<link rel=\"stylesheet\" href=\"" + k_desk_css_path +
      "\">\n</head>\n<body>\n<header><a href=\"/\">Passage support</a>";
  if (!agent.empty())
    html += " <span class=\"agent\">" + html_escape(agent) +
            "</span> <form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" "
            "name=\"csrf\" value=\"" +
            html_escape(csrf) + "\"><button type=\"submit\">Log out</button></form>";
  return html + "</header>\n<main>\n" + body + "</main>\n</body>\n</html>\n";
}

namespace {

std::string hidden_csrf(const std::string& csrf) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(csrf) + "\">";
}

std::string reason_input() {
  return "<label>Reason <input type=\"text\" name=\"reason\" required maxlength=\"500\"></label>";
}

std::string action_form(std::int64_t id, const std::string& verb, const std::string& csrf,
                        const std::string& extra, const std::string& label) {
  return "<form class=\"action\" method=\"post\" action=\"/account/" + std::to_string(id) + "/" + verb + "\">" +
         hidden_csrf(csrf) + extra + reason_input() + "<button type=\"submit\" name=\"do\" value=\"" + verb +
         "\">" + html_escape(label) + "</button></form>\n";
}

std::string postpone_fields(const std::string& max_postpone) {
  return "<label>Days later <input type=\"number\" name=\"days\" min=\"1\"></label> "
         "<label>or until <input type=\"date\" name=\"until\"></label> "
         "<span class=\"note\">at most " +
         html_escape(max_postpone) + " after the date the person was told</span>";
}

std::string action_forms(const Account& account, const std::string& csrf, const std::string& max_postpone) {
  std::string html = "<h2>Actions</h2>\n";
  html += action_form(account.id, "postpone", csrf, postpone_fields(max_postpone), "Postpone the deletion");
  html += action_form(account.id, "hold", csrf, "", "Hold");
  html += action_form(account.id, "release", csrf, "", "Release");
  html += action_form(account.id, "retry", csrf, "", "Retry (FAILED)");
  html += action_form(account.id, "cancel", csrf, "", "Cancel");
  html += action_form(account.id, "reexport", csrf, "", "Export again (the link expired)");
  return html;
}

std::string case_header(const CaseView& view) {
  const Account& account = view.record.account;
  std::string html = "<h1>" + html_escape(account.login) + "</h1>\n<dl>\n";
  const auto row = [&](const std::string& term, const std::string& value) {
    html += "<dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  };
  row("Domain", account.domain);
  row("E-mail", account.email);
  row("Campaign", view.record.campaign + ", " + to_string(account.action) +
                      (account.target.empty() ? "" : " to " + account.target));
  row("Departure", format_date(account.departure_date));
  std::string state(to_string(account.state));
  if (account.held_from) state += " (from " + std::string(to_string(*account.held_from)) + ")";
  row("State", state);
  if (!account.state_reason.empty()) row("Reason", explain_reasons(account.state_reason));
  return html + "</dl>\n";
}

std::string timeline_table(const CaseView& view) {
  std::string html = "<h2>Timeline</h2>\n<p class=\"note\">Times in " + html_escape(zone_name(view.zone)) +
                     "</p>\n<table class=\"timeline\">\n<tr><th>When</th><th>What</th><th>Who</th><th>Why</th></tr>\n";
  for (const TimelineEntry& entry : view.timeline) {
    std::string why = entry.reason;
    if (!entry.reason_sentence.empty()) why += (why.empty() ? "" : " — ") + entry.reason_sentence;
    html += std::string("<tr") + (entry.planned ? " class=\"planned\"" : "") + "><td>" +
            html_escape(format_local_minute(entry.at, view.zone)) + "</td><td>" + html_escape(entry.text) +
            (entry.planned ? " (planned)" : "") + "</td><td>" + html_escape(entry.actor) + "</td><td>" +
            html_escape(why) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

// Each mail the person was sent (or is queued), linking to its preview.
std::string mail_list(const CaseView& view) {
  if (view.record.notices.empty()) return "";
  std::string html = "<h2>Mails</h2>\n<ol class=\"mails\">\n";
  for (std::size_t i = 0; i < view.record.notices.size(); ++i) {
    const NoticeRecord& notice = view.record.notices[i];
    html += "<li><a href=\"/account/" + std::to_string(view.record.account.id) + "/mail/" + std::to_string(i + 1) +
            "\">" + html_escape(notice_kind_in_words(notice.message_id)) + "</a> " +
            html_escape(format_local_minute(notice.created_at, view.zone)) + " " +
            html_escape(notice.outcome.empty() ? "queued" : notice.outcome) + "</li>\n";
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

std::string render_login_page(const std::string& problem) {
  std::string body = "<h1>Log in</h1>\n";
  if (!problem.empty()) body += "<p class=\"refused\">" + html_escape(problem) + "</p>\n";
  body +=
      "<form method=\"post\" action=\"/login\">\n"
      "<p><label>Your name <input type=\"text\" name=\"name\" required maxlength=\"64\" "
      "autocomplete=\"username\"></label></p>\n"
      "<p><label>Desk token <input type=\"password\" name=\"token\" required "
      "autocomplete=\"current-password\"></label></p>\n"
      "<p><button type=\"submit\">Log in</button></p>\n</form>\n";
  return desk_layout("Log in", "", "", body);
}

std::string render_search_page(const std::string& agent, const std::string& csrf, const std::string& query,
                               const std::vector<Account>& results, bool more, const std::vector<Campaign>& campaigns) {
  std::string body =
      "<h1>Find a person</h1>\n<form method=\"get\" action=\"/\"><label>Login, domain or e-mail (part of it, any "
      "case) <input type=\"search\" name=\"q\" value=\"" +
      html_escape(query) + "\" required></label> <button type=\"submit\">Search</button></form>\n";
  if (!query.empty()) {
    body += "<h2>Results</h2>\n";
    if (results.empty()) body += "<p>No account matches.</p>\n";
    body += "<ul class=\"results\">\n";
    for (const Account& account : results)
      body += "<li><a href=\"/account/" + std::to_string(account.id) + "\">" + html_escape(account.login) +
              "</a> " + html_escape(account.domain) + " " + html_escape(account.email) + " " +
              html_escape(to_string(account.state)) + "</li>\n";
    body += "</ul>\n";
    if (more) body += "<p class=\"note\">More accounts match: type more of it.</p>\n";
  }
  if (!campaigns.empty()) {
    body += "<h2>Campaigns</h2>\n<ul class=\"campaigns\">\n";
    for (const Campaign& campaign : campaigns)
      body += "<li><a href=\"/campaign/" + std::to_string(campaign.id) + "\">" + html_escape(campaign.name) +
              "</a></li>\n";
    body += "</ul>\n";
  }
  return desk_layout("Search", agent, csrf, body);
}

std::string render_account_page(const std::string& agent, const std::string& csrf, const CaseView& view,
                                const std::string& outcome, bool refused) {
  std::string body;
  if (!outcome.empty())
    body += std::string("<p class=\"") + (refused ? "refused" : "done") + "\">" +
            html_escape((refused ? "Refused: " : "Done: ") + outcome) + "</p>\n";
  body += case_header(view);
  body += "<h2>Next</h2>\n<p class=\"next\">" + html_escape(next_steps_in_words(view.next)) + "</p>\n";
  body += timeline_table(view);
  body += mail_list(view);
  body += action_forms(view.record.account, csrf, view.max_postpone);
  return desk_layout(view.record.account.login, agent, csrf, body);
}

std::string render_message_page(const std::string& title, const std::string& text) {
  return desk_layout(title, "", "", "<h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(text) + "</p>\n");
}

}  // namespace passage
