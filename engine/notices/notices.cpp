// Notice rendering: the values a template sees, the subject line, headers
// and the deterministic Message-ID.

#include "engine/notices/notices.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

#include "engine/notices/templates.hpp"

namespace passage {
namespace {

// Passage's own month names: the date library prints English only.
constexpr std::array<std::string_view, 12> k_french_months = {
    "janvier", "février", "mars",      "avril",   "mai",      "juin",
    "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

constexpr std::array<std::string_view, 12> k_english_months = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

constexpr std::string_view k_subject_prefix = "Subject:";

bool is_notice_kind(std::string_view kind) {
  return std::find(k_notice_kinds.begin(), k_notice_kinds.end(), kind) != k_notice_kinds.end();
}

// A deadline or an expiry: the date alone at local midnight ("before
// 8 January" = by the end of 7 January), else the date and the local time.
std::string format_moment(Instant at, std::string_view lang, const date::time_zone* zone) {
  const auto local = to_local_time(at, zone);
  const auto day = date::floor<date::days>(local);
  const auto text = format_long_date(date::year_month_day{day}, lang);
  const auto minutes = date::floor<std::chrono::minutes>(local - day).count();
  if (minutes == 0) return text;
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return text + (lang == "fr" ? " à " : " at ") + time;
}

long days_between(date::year_month_day from, date::year_month_day to) {
  return (date::sys_days{to} - date::sys_days{from}).count();
}

// "dans 3 jours", "demain", "in 1 day": never "jour(s)".
std::string days_left_text(long days, const std::string& lang) {
  if (lang == "fr") {
    if (days == 0) return "aujourd'hui";
    if (days == 1) return "demain";
    return "dans " + std::to_string(days) + " jours";
  }
  if (days == 0) return "today";
  if (days == 1) return "tomorrow";
  return "in " + std::to_string(days) + " days";
}

void set_if(TemplateValues& values, const char* name, const std::string& value) {
  if (!value.empty()) values[name] = value;
}

TemplateValues notice_values(const Account& account, const Config& config, Instant now,
                             const NoticeExtras& extras, date::year_month_day deletion) {
  const auto& lang = config.notify.language;
  TemplateValues values;
  set_if(values, "login", account.login);
  set_if(values, "domain", account.domain);
  set_if(values, "target", account.target);
  set_if(values, "support_contact", config.notify.support_contact);
  values["deletion_date"] = format_long_date(deletion, lang);
  const auto days = days_between(local_date(now, config.zone), deletion);
  values["days_left"] = std::to_string(std::max(0L, days));
  values["days_left_text"] = days_left_text(std::max(0L, days), lang);
  if (account.action == Action::move && account.fallback_export && !account.move_deadline)
    values["move_not_offered"] = "yes";
  if (!account.reexport_requested_by.empty()) values["reexport_requested"] = "yes";
  if (extras.download_url) set_if(values, "download_url", *extras.download_url);
  if (extras.export_expires_at) {
    values["export_expires_at"] = format_moment(*extras.export_expires_at, lang, config.zone);
    if (now >= *extras.export_expires_at) values["export_expired"] = "yes";
  }
  // Before the departure the person can still sign in to their space; after
  // it, no notice may send them there.
  if (now < local_midnight(account.departure_date, config.zone)) values["space_reachable"] = "yes";
  const auto deadline = extras.move_deadline ? extras.move_deadline : account.move_deadline;
  if (deadline) values["move_deadline"] = format_moment(*deadline, lang, config.zone);
  return values;
}

// Splits "Subject: …\n[blank lines]body" into the notice.
void split_subject(const std::string& rendered, const TemplateSource& source, Notice& notice) {
  const auto end = rendered.find('\n');
  const std::string_view first = std::string_view(rendered).substr(0, end);
  if (first.substr(0, k_subject_prefix.size()) != k_subject_prefix) {
    throw std::runtime_error(source.origin + ": the first line must be \"Subject: …\"");
  }
  auto subject = first.substr(k_subject_prefix.size());
  while (!subject.empty() && (subject.front() == ' ' || subject.front() == '\t')) subject.remove_prefix(1);
  while (!subject.empty() && (subject.back() == ' ' || subject.back() == '\r')) subject.remove_suffix(1);
  if (subject.empty()) throw std::runtime_error(source.origin + ": the subject is empty");
  notice.subject = std::string(subject);
  if (end == std::string::npos) return;
  const auto body = rendered.find_first_not_of("\r\n", end);
  if (body != std::string::npos) notice.body = rendered.substr(body);
}

}  // namespace

std::string format_long_date(date::year_month_day day, std::string_view lang) {
  const auto month = static_cast<unsigned>(day.month()) - 1;
  const auto& names = lang == "fr" ? k_french_months : k_english_months;
  return std::to_string(static_cast<unsigned>(day.day())) + " " + std::string(names.at(month)) + " " +
         std::to_string(static_cast<int>(day.year()));
}

date::year_month_day deletion_date_for(const Account& account, const Config& config, Instant now) {
  if (account.grace_end) return local_date(*account.grace_end, config.zone);
  const auto start = std::max(now, local_midnight(account.departure_date, config.zone));
  return local_date(add_span(start, config.grace, config.zone), config.zone);
}

std::string message_id_for(const std::string& kind, const Account& account,
                           date::year_month_day deletion_date) {
  auto stamp = format_date(deletion_date);
  std::erase(stamp, '-');
  // By account row: a domain listed again (another campaign) is told anew.
  // A second export again (support's, after activity's) brings a new link:
  // its notice is another message, even for the same deletion date.
  const std::string name = kind == "reexport" && account.reexports > 1 ? kind + "-" + std::to_string(account.reexports) : kind;
  return name + "." + account.domain + ".a" + std::to_string(account.id) + "." + stamp + "@passage";
}

NoticeExtras export_link_extras(const Account& account) {
  NoticeExtras extras;
  if (account.export_completed_at) extras.export_expires_at = *account.export_completed_at + std::chrono::days(7);
  return extras;
}

Notice render_notice(const std::string& kind, const Account& account, const Config& config,
                     Instant now, const NoticeExtras& extras) {
  const auto& lang = config.notify.language;
  if (!is_notice_kind(kind)) {
    throw std::runtime_error(lang + "/" + kind + ".mustache: unknown notice kind '" + kind + "'");
  }
  const auto deletion = deletion_date_for(account, config, now);
  const auto source = load_template(lang, kind, config.notify.templates);
  const auto rendered = render_template(source, notice_values(account, config, now, extras, deletion));

  Notice notice;
  notice.kind = kind;
  notice.message_id = message_id_for(kind, account, deletion);
  notice.to = account.email;
  notice.from = config.notify.from;
  split_subject(rendered, source, notice);
  notice.headers["X-Passage-Kind"] = kind;
  notice.headers["X-Passage-Account"] = account.domain;
  notice.headers["X-Passage-Deletion-Date"] = format_date(deletion);
  return notice;
}

}  // namespace passage
