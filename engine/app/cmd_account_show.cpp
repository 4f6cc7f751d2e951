// passage account show ID [--json]: the person's case as a timeline, in
// the academy's local time, then what happens next (issue 13).

#include <ostream>

#include <boost/json.hpp>

#include "engine/app/account_json.hpp"
#include "engine/app/account_select.hpp"
#include "engine/app/app.hpp"
#include "engine/support/case_read.hpp"
#include "engine/support/local_time.hpp"
#include "engine/support/next_steps.hpp"
#include "engine/support/reasons.hpp"
#include "engine/support/timeline.hpp"

namespace passage {

namespace {

// The files the last export lacked (CONTRACT.md "Incomplete evidence"),
// every one of them: the reason names only the first few.
void print_incomplete_files(std::ostream& out, const Account& account) {
  if (account.incomplete_files.empty()) return;
  out << (account.state == State::failed ? "  missing on two exports in a row:\n"
                                         : "  missing on the last export:\n");
  std::size_t start = 0;
  while (start < account.incomplete_files.size()) {
    std::size_t end = account.incomplete_files.find('\n', start);
    if (end == std::string::npos) end = account.incomplete_files.size();
    if (end > start) out << "    " << account.incomplete_files.substr(start, end - start) << "\n";
    start = end + 1;
  }
}

void print_header(std::ostream& out, const Account& account, const CaseRecord& record, const date::time_zone* zone) {
  out << account.login << "  " << account.domain << "  " << account.email << "\n"
      << "  campaign:  " << record.campaign << ", " << to_string(account.action)
      << (account.target.empty() ? "" : " to " + account.target) << ", departure "
      << format_date(account.departure_date) << "\n"
      << "  state:     " << to_string(account.state);
  if (account.held_from) out << " (from " << to_string(*account.held_from) << ")";
  if (account.retry_step) out << " (then " << to_string(*account.retry_step) << ")";
  out << "\n";
  if (!account.state_reason.empty()) out << "  reason:    " << explain_reasons(account.state_reason) << "\n";
  print_incomplete_files(out, account);
  out << "  times in " << zone_name(zone) << "\n";
}

void print_entry(std::ostream& out, const TimelineEntry& entry, const date::time_zone* zone) {
  out << "  " << format_local_minute(entry.at, zone) << "  " << entry.text;
  // Who acted, once: "held by support:jane" names them already.
  if (!entry.actor.empty() && entry.text.find(entry.actor) == std::string::npos) out << " [" << entry.actor << "]";
  if (entry.planned) out << " (planned)";
  out << "\n";
  if (!entry.reason.empty() && entry.text.find(entry.reason) == std::string::npos)
    out << "                    reason: " << entry.reason << "\n";
  if (!entry.reason_sentence.empty()) out << "                    " << entry.reason_sentence << "\n";
}

boost::json::value local_or_null(const std::optional<Instant>& at, const date::time_zone* zone) {
  if (!at) return nullptr;
  return boost::json::value(format_local_iso(*at, zone));
}

boost::json::object case_json(const Account& account, const Config& config,
                              const std::vector<TimelineEntry>& timeline, const std::vector<NextStep>& next) {
  boost::json::object json = account_json(account, config);
  json["email"] = account.email;
  json["zone"] = zone_name(config.zone);
  json["verified_at"] = local_or_null(account.verified_at, config.zone);
  json["purged_at"] = local_or_null(account.purged_at, config.zone);
  json["reason_sentence"] = explain_reasons(account.state_reason);
  boost::json::array events;
  for (const TimelineEntry& entry : timeline)
    events.push_back(boost::json::object{{"at", format_local_iso(entry.at, config.zone)}, {"kind", entry.kind},
                                         {"text", entry.text}, {"actor", entry.actor}, {"reason", entry.reason},
                                         {"reason_sentence", entry.reason_sentence}, {"planned", entry.planned}});
  json["timeline"] = std::move(events);
  boost::json::array steps;
  for (const NextStep& step : next)
    steps.push_back(boost::json::object{{"at", local_or_null(step.at, config.zone)}, {"text", step.text}});
  json["next"] = std::move(steps);
  json["next_in_words"] = next_steps_in_words(next);
  return json;
}

}  // namespace

int cmd_account_show(AppContext& app, const std::string& key) {
  const Config& config = app.config();
  Account account = find_one_account(app, key);
  CaseRecord record = read_case(app.store(), account);
  const Instant now = app.clock().now();
  std::vector<TimelineEntry> timeline = case_timeline(record, config.zone, now);
  std::vector<NextStep> next = case_next_steps(app.store(), config, account, now);
  if (app.line().json) {
    app.out() << boost::json::serialize(case_json(account, config, timeline, next)) << '\n';
    return k_exit_done;
  }
  std::ostream& out = app.out();
  print_header(out, account, record, config.zone);
  for (const TimelineEntry& entry : timeline) print_entry(out, entry, config.zone);
  out << "  next: " << next_steps_in_words(next) << "\n";
  return k_exit_done;
}

}  // namespace passage
