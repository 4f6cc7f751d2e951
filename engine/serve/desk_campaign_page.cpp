// The desk's campaign progress and mail preview pages (desk_pages.hpp).

#include "engine/lifecycle/state.hpp"
#include "engine/notices/notices.hpp"
#include "engine/serve/desk_pages.hpp"
#include "engine/serve/desk_text.hpp"
#include "engine/support/local_time.hpp"

namespace passage {

namespace {

// Accounts listed under one heading; beyond this many, a count says how
// many more (the selection is on `passage account list`).
constexpr std::size_t k_listed = 50;

std::string account_link(const Account& account) {
  return "<a href=\"/account/" + std::to_string(account.id) + "\">" + html_escape(account.login) + "</a>";
}

std::string account_links(const std::vector<Account>& accounts) {
  std::string html;
  for (std::size_t i = 0; i < accounts.size() && i < k_listed; ++i)
    html += (i == 0 ? "" : ", ") + account_link(accounts[i]);
  if (accounts.size() > k_listed) html += " … and " + std::to_string(accounts.size() - k_listed) + " more";
  return html;
}

std::string count_table(const CampaignProgress& progress) {
  std::string html = "<h2>Accounts by state</h2>\n<table class=\"counts\">\n<tr><th>State</th><th>Accounts</th></tr>\n";
  int total = 0;
  for (const auto& [state, count] : progress.counts) {
    html += "<tr><td>" + html_escape(to_string(state)) + "</td><td>" + std::to_string(count) + "</td></tr>\n";
    total += count;
  }
  return html + "<tr><th>Total</th><th>" + std::to_string(total) + "</th></tr>\n</table>\n";
}

std::string failure_list(const CampaignProgress& progress) {
  std::string html = "<h2>FAILED and HELD, by reason</h2>\n";
  if (progress.failures.empty()) return html + "<p>None.</p>\n";
  html += "<table class=\"failures\">\n<tr><th>Reason</th><th>Accounts</th><th>Who</th></tr>\n";
  for (const ReasonGroup& group : progress.failures) {
    std::string reason = "<strong>" + html_escape(group.code) + "</strong>";
    if (!group.sentence.empty()) reason += "<br><span class=\"note\">" + html_escape(group.sentence) + "</span>";
    html += "<tr><td>" + reason + "</td><td>" + std::to_string(group.accounts.size()) + "</td><td>" +
            account_links(group.accounts) + "</td></tr>\n";
  }
  return html + "</table>\n";
}

std::string deletion_list(const CampaignProgress& progress) {
  std::string html = "<h2>Deletions of the next " + std::to_string(k_progress_nights) + " nights</h2>\n";
  if (progress.deletions_overdue > 0)
    html += "<p>" + std::to_string(progress.deletions_overdue) +
            " due at the next purge (their date has come; the purge's interlocks and throttle decide).</p>\n";
  if (progress.deletions.empty()) return html + (progress.deletions_overdue ? "" : "<p>None.</p>\n");
  html += "<table class=\"deletions\">\n<tr><th>From</th><th>Accounts</th><th>Who</th></tr>\n";
  for (const NightDeletions& night : progress.deletions)
    html += "<tr><td>" + html_escape(format_date(night.night)) + "</td><td>" + std::to_string(night.accounts.size()) +
            "</td><td>" + account_links(night.accounts) + "</td></tr>\n";
  return html + "</table>\n";
}

}  // namespace

std::string render_campaign_page(const std::string& agent, const std::string& csrf, const CampaignProgress& progress,
                                 const date::time_zone* zone) {
  std::string body = "<h1>Campaign " + html_escape(progress.campaign.name) + "</h1>\n";
  body += "<p class=\"note\">Accounts file " + html_escape(progress.campaign.accounts_file) + "; dates in " +
          html_escape(zone_name(zone)) + "</p>\n";
  body += count_table(progress) + failure_list(progress) + deletion_list(progress);
  return desk_layout("Campaign " + progress.campaign.name, agent, csrf, body);
}

std::string render_mail_page(const std::string& agent, const std::string& csrf, const Account& account,
                             const NoticeRecord& notice, const std::optional<MailPreview>& preview,
                             const std::string& why, const date::time_zone* zone) {
  std::string body = "<p><a href=\"/account/" + std::to_string(account.id) + "\">← " + html_escape(account.login) +
                     "</a></p>\n<h1>" + html_escape(notice_kind_in_words(notice.message_id)) + "</h1>\n<dl>\n";
  const auto row = [&](const std::string& term, const std::string& value) {
    body += "<dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  };
  row("Queued", format_local_minute(notice.created_at, zone));
  row("Outcome", notice.outcome.empty() ? "queued, not sent yet" : notice.outcome);
  row("Message-ID", notice.message_id);
  if (preview) {
    row("To", preview->to);
    row("Subject", preview->subject);
  }
  body += "</dl>\n";
  if (!preview) return desk_layout("Mail", agent, csrf, body + "<p class=\"refused\">Cannot be shown: " + html_escape(why) + "</p>\n");
  std::string note = preview->exact ? "The copy in the outbox: exactly what was sent" : preview->note;
  if (preview->exact && !preview->note.empty()) note += " (" + preview->note + ")";
  body += "<p class=\"note\">" + html_escape(note) + ".</p>\n";
  body += "<pre class=\"mail\">" + html_escape(preview->body) + "</pre>\n";
  return desk_layout("Mail", agent, csrf, body);
}

}  // namespace passage
