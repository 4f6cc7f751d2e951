// The desk's campaign progress and mail preview pages (desk_pages.hpp).

#include "engine/lifecycle/state.hpp"
#include "engine/notices/notices.hpp"
#include "engine/serve/desk_pages.hpp"
#include "engine/serve/desk_text.hpp"
#include "engine/support/local_time.hpp"
#include "engine/support/reasons.hpp"
#include "engine/support/say.hpp"

namespace passage {

namespace {

// Accounts listed under one heading; beyond this many, a count says how
// many more (the selection is on `passage account list`).
constexpr std::size_t k_listed = 50;

std::string account_link(const Account& account) {
  return "<a href=\"/account/" + std::to_string(account.id) + "\">" + html_escape(account.login) + "</a>";
}

std::string account_links(const std::vector<Account>& accounts, std::string_view lang) {
  std::string html;
  for (std::size_t i = 0; i < accounts.size() && i < k_listed; ++i)
    html += (i == 0 ? "" : ", ") + account_link(accounts[i]);
  if (accounts.size() > k_listed)
    html += say(lang, " … et ", " … and ") + std::to_string(accounts.size() - k_listed) + say(lang, " de plus", " more");
  return html;
}

std::string count_table(const CampaignProgress& progress, std::string_view lang) {
  std::string html = "<h2>" + say(lang, "Comptes par état", "Accounts by state") +
                     "</h2>\n<table class=\"counts\">\n<tr><th>" + say(lang, "État", "State") + "</th><th>" +
                     say(lang, "Comptes", "Accounts") + "</th></tr>\n";
  int total = 0;
  for (const auto& [state, count] : progress.counts) {
    html += "<tr><td>" + html_escape(state_on_page(state, lang)) + "</td><td>" + std::to_string(count) +
            "</td></tr>\n";
    total += count;
  }
  return html + "<tr><th>Total</th><th>" + std::to_string(total) + "</th></tr>\n</table>\n";
}

std::string failure_list(const CampaignProgress& progress, std::string_view lang) {
  std::string html = "<h2>" + say(lang, "En échec et suspendus, par motif", "FAILED and HELD, by reason") + "</h2>\n";
  if (progress.failures.empty()) return html + "<p>" + say(lang, "Aucun.", "None.") + "</p>\n";
  html += "<table class=\"failures\">\n<tr><th>" + say(lang, "Motif", "Reason") + "</th><th>" +
          say(lang, "Comptes", "Accounts") + "</th><th>" + say(lang, "Qui", "Who") + "</th></tr>\n";
  for (const ReasonGroup& group : progress.failures) {
    std::string reason = "<strong>" + html_escape(group.code) + "</strong>";
    if (auto sentence = reason_sentence(group.code, lang))
      reason += "<br><span class=\"note\">" + html_escape(*sentence) + "</span>";
    html += "<tr><td>" + reason + "</td><td>" + std::to_string(group.accounts.size()) + "</td><td>" +
            account_links(group.accounts, lang) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

std::string deletion_list(const CampaignProgress& progress, std::string_view lang) {
  std::string html = "<h2>" + say(lang, "Suppressions des ", "Deletions of the next ") +
                     std::to_string(k_progress_nights) + say(lang, " prochaines nuits", " nights") + "</h2>\n";
  if (progress.deletions_overdue > 0)
    html += "<p>" + std::to_string(progress.deletions_overdue) +
            say(lang, " dues à la prochaine purge (leur date est arrivée ; les verrous et la cadence de la purge "
                      "décident).",
                " due at the next purge (their date has come; the purge's interlocks and throttle decide).") +
            "</p>\n";
  if (progress.deletions.empty())
    return html + (progress.deletions_overdue ? "" : "<p>" + say(lang, "Aucune.", "None.") + "</p>\n");
  html += "<table class=\"deletions\">\n<tr><th>" + say(lang, "À partir du", "From") + "</th><th>" +
          say(lang, "Comptes", "Accounts") + "</th><th>" + say(lang, "Qui", "Who") + "</th></tr>\n";
  for (const NightDeletions& night : progress.deletions)
    html += "<tr><td>" + html_escape(format_long_date(night.night, lang)) + "</td><td>" +
            std::to_string(night.accounts.size()) + "</td><td>" + account_links(night.accounts, lang) +
            "</td></tr>\n";
  return html + "</table>\n";
}

// How the mail shown may differ from the one sent.
std::string preview_note(const MailPreview& preview, std::string_view lang) {
  if (!preview.exact) return preview.note;
  std::string note = say(lang, "La copie de la boîte d'envoi : exactement ce qui a été envoyé",
                         "The copy in the outbox: exactly what was sent");
  return preview.note.empty() ? note : note + " (" + preview.note + ")";
}

}  // namespace

std::string render_campaign_page(const std::string& agent, const std::string& csrf, const CampaignProgress& progress,
                                 const date::time_zone* zone, std::string_view lang) {
  const std::string title = say(lang, "Campagne ", "Campaign ") + progress.campaign.name;
  std::string body = "<h1>" + html_escape(title) + "</h1>\n";
  body += "<p class=\"note\">" + say(lang, "Fichier des comptes ", "Accounts file ") +
          html_escape(progress.campaign.accounts_file) + say(lang, " ; dates de ", "; dates in ") +
          html_escape(zone_name(zone)) + "</p>\n";
  body += count_table(progress, lang) + failure_list(progress, lang) + deletion_list(progress, lang);
  return desk_layout(title, agent, csrf, body, lang);
}

std::string render_mail_page(const std::string& agent, const std::string& csrf, const Account& account,
                             const NoticeRecord& notice, const std::optional<MailPreview>& preview,
                             const std::string& why, const date::time_zone* zone, std::string_view lang) {
  std::string body = "<p><a href=\"/account/" + std::to_string(account.id) + "\">← " + html_escape(account.login) +
                     "</a></p>\n<h1>" + html_escape(notice_kind_in_words(notice.message_id, lang)) + "</h1>\n<dl>\n";
  const auto row = [&](const std::string& term, const std::string& value) {
    body += "<dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  };
  row(say(lang, "Mis en file", "Queued"), format_local_minute(notice.created_at, zone));
  row(say(lang, "Résultat", "Outcome"), notice.outcome.empty() ? say(lang, "en file, pas encore envoyé", "queued, not sent yet")
                                        : notice.outcome == "sent" ? say(lang, "envoyé", "sent")
                                                                   : notice.outcome);
  row("Message-ID", notice.message_id);
  if (preview) {
    row(say(lang, "À", "To"), preview->to);
    row(say(lang, "Objet", "Subject"), preview->subject);
  }
  body += "</dl>\n";
  const std::string title = say(lang, "Message", "Mail");
  if (!preview)
    return desk_layout(title, agent, csrf,
                       body + "<p class=\"refused\">" + say(lang, "Impossible de l'afficher : ", "Cannot be shown: ") +
                           html_escape(why) + "</p>\n",
                       lang);
  body += "<p class=\"note\">" + html_escape(preview_note(*preview, lang)) + ".</p>\n";
  body += "<pre class=\"mail\">" + html_escape(preview->body) + "</pre>\n";
  return desk_layout(title, agent, csrf, body, lang);
}

}  // namespace passage
