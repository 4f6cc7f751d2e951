#pragma once
// Rendering of the mails Passage sends (CONTRACT.md "Notices", "Grace,
// deletion date, reminders"). Every notice states the absolute deletion date
// ("à partir du 15 janvier 2027" / "from 15 January 2027") in the configured
// language and carries the X-Passage-* headers. Rendering is pure: delivery
// is a notifier's job (plugins/notifiers).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"
#include "engine/env/time.hpp"
#include "plugins/notifiers/notifier.hpp"

namespace passage {

// What a notice needs beyond the account and the config.
struct NoticeExtras {
  // Archive delivery: the person's expiring download link. Absent for
  // `space` delivery, where the notice points to the space's export page.
  std::optional<std::string> download_url;
  // When the export link (space) or the download link (archive) expires.
  // Needed by export_ready, move_fallback and reexport.
  std::optional<Instant> export_expires_at;
  // The user-driven move deadline; absent = account.move_deadline.
  // Needed by move_instructions and move_reminder.
  std::optional<Instant> move_deadline;
};

// The extras every notice of `account` carries: the stack's export link
// lives 7 days from the export's end (COZY.md), the person is told when.
NoticeExtras export_link_extras(const Account& account);

// Renders notice `kind` (one of k_notice_kinds) for `account` in
// config.notify.language, from config.notify.templates or the built-in set.
// to = account.email, from = config.notify.from, message_id =
// message_id_for(kind, account, deletion date); headers X-Passage-Kind,
// X-Passage-Account (the domain) and X-Passage-Deletion-Date (YYYY-MM-DD).
// Template variables: login, domain, target, support_contact (each when not
// empty), deletion_date, days_left (whole local days from now to the
// deletion date, never below 0), and the extras that are set;
// export_expired when export_expires_at has passed, space_reachable before
// the departure date (local midnight), reexport_requested when support
// asked for the export again, each "yes" or absent.
// Throws std::runtime_error naming the template file on an unknown kind, a
// missing template, a variable the template needs but this notice lacks, a
// Mustache error, or a first line that is not "Subject: …".
Notice render_notice(const std::string& kind, const Account& account, const Config& config,
                     Instant now, const NoticeExtras& extras = {});

// The deletion date told to the person: the local date (config.zone) of
// account.grace_end. Before grace end is set (a move invitation), the
// earliest it can be: the later of now and departure_date at local midnight,
// plus config.grace.
date::year_month_day deletion_date_for(const Account& account, const Config& config, Instant now);

// "<kind>.<domain>.<YYYYMMDD>@passage" (no angle brackets): the same for the
// same (account, kind, deletion date), so a retry reuses it.
std::string message_id_for(const std::string& kind, const Account& account,
                           date::year_month_day deletion_date);

// "15 janvier 2027" for "fr" (Passage's own month names, UTF-8), else
// "15 January 2027".
std::string format_long_date(date::year_month_day day, std::string_view lang);

// Renders every kind in config.notify.language with sample data, with and
// without a download link, and lists what fails ("FILE: problem"); also an
// override folder that is not a folder, and override files named after no
// kind. Empty when all is well (for `passage config check`).
std::vector<std::string> check_templates(const Config& config);

}  // namespace passage
