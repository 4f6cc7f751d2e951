// Grace period, notices and safe deletion (issue 5, "What must hold")
// through the real binary against passage-cozy-sim and a local SMTP sink:
// 1,000 accounts through to PURGED with every notice received once and
// dated right, the second around grace end, a person the directory shows
// back, the throttle over 10 nights, the breaker, the stuck `deleting`
// flag, and a corrected accounts list that must be confirmed. Time moves
// with `--now` and `/_sim/clock` together, never by sleeping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <sys/wait.h>

#include <date/date.h>
#include <date/tz.h>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

using Ms = std::chrono::sys_time<std::chrono::milliseconds>;

// One account's schedule as the report tells it.
struct Scheduled {
  std::string login;
  std::string domain;
  std::string deletion_date;  // local date in Europe/Paris, YYYY-MM-DD
  Ms grace_end;               // deletion_date at the verification's local time of day
};

// "2026-11-25T09:00:01.234Z" (the fraction optional) as milliseconds.
Ms parse_ms(const std::string& text) {
  Ms at = parse_iso_utc(text);
  const auto dot = text.find('.');
  if (dot != std::string::npos) {
    std::string fraction = text.substr(dot + 1, 3);
    while (fraction.size() < 3) fraction += '0';
    at += std::chrono::milliseconds(std::stoi(fraction));
  }
  return at;
}

// Grace end = the deletion date (local) at the verification's local time
// of day (CONTRACT.md "Grace, deletion date, reminders").
Ms grace_end_of(const std::string& verified_at, const std::string& deletion_date) {
  const date::time_zone* paris = date::locate_zone("Europe/Paris");
  const auto local = paris->to_local(parse_ms(verified_at));
  const auto time_of_day = local - date::floor<date::days>(local);
  const date::year_month_day day{date::year{std::stoi(deletion_date.substr(0, 4))},
                                 date::month{static_cast<unsigned>(std::stoi(deletion_date.substr(5, 2)))},
                                 date::day{static_cast<unsigned>(std::stoi(deletion_date.substr(8, 2)))}};
  INFO("deletion date " << deletion_date);
  REQUIRE(day.ok());
  return paris->to_sys(date::local_days{day} + time_of_day, date::choose::earliest);
}

std::string text_of(const json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : std::string();
}

// Every account of c1 that has a deletion date, by login.
std::map<std::string, Scheduled> schedule(const Workspace& ws) {
  std::map<std::string, Scheduled> plan;
  for (const json::value& item : report_accounts(ws, "c1")) {
    const json::object& account = item.as_object();
    if (!account.at("deletion_date").is_string()) continue;
    Scheduled s{text_of(account.at("login")), text_of(account.at("domain")),
                text_of(account.at("deletion_date")), {}};
    s.grace_end = grace_end_of(text_of(account.at("verified_at")), s.deletion_date);
    plan[s.login] = s;
  }
  return plan;
}

Ms earliest_end(const std::map<std::string, Scheduled>& plan) {
  Ms earliest = Ms::max();
  for (const auto& [login, s] : plan) earliest = std::min(earliest, s.grace_end);
  return earliest;
}

Ms latest_end(const std::map<std::string, Scheduled>& plan) {
  Ms latest = Ms::min();
  for (const auto& [login, s] : plan) latest = std::max(latest, s.grace_end);
  return latest;
}

// The first whole second at or after `at`, plus `margin`.
SysSeconds after(Ms at, seconds margin = seconds(1)) {
  return std::chrono::ceil<seconds>(at) + margin;
}

std::set<std::string> logins_in(const Workspace& ws, const std::string& state) {
  std::set<std::string> logins;
  for (const auto& [login, s] : account_states(ws))
    if (s == state) logins.insert(login);
  return logins;
}

void check_no_unsafe_deletion(const CozySim& sim) {
  json::object stats = sim.stats();
  INFO("unsafe_domains: " << json::serialize(stats.at("unsafe_domains")));
  CHECK(stat(stats, "unsafe_deletions") == 0);
}

bool instance_exists(const CozySim& sim, const std::string& domain) {
  return sim.call("GET", "/instances/" + domain).status == 200;
}

// "25 décembre 2026" for "2026-12-25": how a French notice states the date.
std::string french_date(const std::string& iso) {
  static const char* const months[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                       "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
  const int year = std::stoi(iso.substr(0, 4));
  const int month = std::stoi(iso.substr(5, 2));
  const int day = std::stoi(iso.substr(8, 2));
  return std::to_string(day) + " " + months[month - 1] + " " + std::to_string(year);
}

// The N of "soit dans N jour(s)" in a French reminder, -1 if absent.
int days_left_in(const std::string& text) {
  if (text.find("soit demain.") != std::string::npos) return 1;
  if (text.find("soit aujourd'hui.") != std::string::npos) return 0;
  const std::string marker = "soit dans ";
  const auto at = text.find(marker);
  if (at == std::string::npos) return -1;
  return std::stoi(text.substr(at + marker.size()));
}

std::int64_t journal_count(const Workspace& ws, const std::string& where) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM journal WHERE " + where);
}

}  // namespace

TEST_CASE("1000 accounts reach PURGED with one export notice and two reminders and one deletion notice each received over SMTP with the deletion date",
          "[grace][smtp][purge]") {
  constexpr int k_accounts = 1000;
  Options options;
  options.accounts = k_accounts;
  options.smtp = true;
  Stand s(options);
  SmtpSink& sink = *s.sink;

  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == k_accounts);
  REQUIRE(sink.wait_for(k_accounts));
  CHECK(sink.count() == k_accounts);

  const auto plan = schedule(s.ws);
  REQUIRE(plan.size() == k_accounts);
  for (const auto& [login, scheduled] : plan) {
    INFO(login);
    CHECK(scheduled.deletion_date == "2026-12-25");  // 25 November + 1 month
  }
  const Ms latest = latest_end(plan);
  // One run per reminder sends it to everyone: the spread is far below a day.
  REQUIRE(latest - earliest_end(plan) < hours(1));

  // An hour before the first reminder is due, a run sends nothing.
  s.advance_to(std::chrono::floor<seconds>(earliest_end(plan) - days(7)) - hours(1));
  s.run();
  CHECK(sink.count() == k_accounts);

  s.advance_to(after(latest - days(7)));
  s.run();
  REQUIRE(sink.wait_for(2 * k_accounts));
  CHECK(sink.count() == 2 * k_accounts);

  s.advance_to(after(latest - days(1)));
  s.run();
  REQUIRE(sink.wait_for(3 * k_accounts));
  CHECK(sink.count() == 3 * k_accounts);
  CHECK(s.deletions() == 0);

  s.advance_to(after(latest));
  Stand::require_exit(s.passage({"nightly"}), 0);
  CHECK(state_counts(s.ws, "c1").at("PURGED") == k_accounts);
  REQUIRE(sink.wait_for(4 * k_accounts));

  struct Received {
    int export_ready = 0;
    int deletion_done = 0;
    std::multiset<int> reminders;  // days left stated by each
  };
  std::map<std::string, Received> by_domain;
  std::set<std::string> message_ids;
  std::map<std::string, std::string> domain_of_login;
  for (const auto& [login, scheduled] : plan) domain_of_login[scheduled.domain] = login;
  const auto messages = sink.messages();
  CHECK(messages.size() == 4 * k_accounts);
  for (const SinkMessage& message : messages) {
    const std::string domain = message.header("X-Passage-Account");
    const std::string kind = message.header("X-Passage-Kind");
    INFO("message " << message.header("Message-ID") << " kind " << kind << " for " << domain);
    REQUIRE(domain_of_login.count(domain) == 1);
    const Scheduled& scheduled = plan.at(domain_of_login.at(domain));
    message_ids.insert(message.header("Message-ID"));
    CHECK(message.rcpt_to == std::vector<std::string>{"<" + scheduled.login + "@example.org>"});
    CHECK(message.header("X-Passage-Deletion-Date") == scheduled.deletion_date);
    const std::string text = message.text();
    INFO(text);
    CHECK(text.find(french_date(scheduled.deletion_date)) != std::string::npos);
    Received& received = by_domain[domain];
    if (kind == "export_ready") {
      ++received.export_ready;
    } else if (kind == "deletion_reminder") {
      received.reminders.insert(days_left_in(text));
    } else if (kind == "deletion_done") {
      ++received.deletion_done;
    } else {
      FAIL("unexpected notice kind " << kind);
    }
  }
  CHECK(message_ids.size() == messages.size());
  CHECK(by_domain.size() == k_accounts);
  for (const auto& [domain, received] : by_domain) {
    INFO(domain);
    CHECK(received.export_ready == 1);
    CHECK(received.reminders == std::multiset<int>{1, 7});
    CHECK(received.deletion_done == 1);
  }

  json::object stats = s.sim->stats();
  CHECK(stat(stats, "deletions") == k_accounts);
  check_no_unsafe_deletion(*s.sim);
}

TEST_CASE("A purge one second before grace end deletes nothing and the person the directory shows active is never deleted",
          "[grace][purge][directory]") {
  constexpr int k_accounts = 40;
  Options options;
  options.accounts = k_accounts;
  options.directory = true;
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == k_accounts);

  const auto plan = schedule(s.ws);
  REQUIRE(plan.size() == k_accounts);
  const Ms earliest = earliest_end(plan);
  const Ms latest = latest_end(plan);
  std::string first, back;  // the earliest grace end; the person who came back (the latest)
  for (const auto& [login, scheduled] : plan) {
    if (scheduled.grace_end == earliest) first = login;
    if (scheduled.grace_end == latest) back = login;
  }
  REQUIRE(first != back);
  s.write_directory({back});

  SECTION("one second before the earliest grace end nothing is due") {
    s.advance_to(std::chrono::floor<seconds>(earliest) - seconds(1));
    Stand::require_exit(s.purge(), 0);
    CHECK(s.deletions() == 0);
    json::object report = latest_purge_report(s.ws);
    CHECK(report.at("due").as_int64() == 0);
    CHECK(report.at("deleted").as_int64() == 0);
    auto counts = state_counts(s.ws, "c1");
    CHECK(counts.at("GRACE") + counts.at("PURGE_DUE") == k_accounts);
  }
  SECTION("at most one second after it the earliest is deleted and no grace still running is") {
    const SysSeconds just_after = std::chrono::floor<seconds>(earliest) + seconds(1);
    s.advance_to(just_after);
    Stand::require_exit(s.purge(), 0);
    const std::set<std::string> purged = logins_in(s.ws, "PURGED");
    CHECK(purged.count(first) == 1);
    CHECK(s.deletions() == static_cast<std::int64_t>(purged.size()));
    // The purge reads its clock once at start, a moment after --now.
    for (const auto& [login, scheduled] : plan)
      if (scheduled.grace_end > Ms(just_after) + seconds(10)) {
        INFO(login << " deleted before its grace ended");
        CHECK(purged.count(login) == 0);
      }
  }

  // After every grace end: all deleted but the person who came back.
  s.advance_to(after(latest));
  Stand::require_exit(s.purge(), 0);
  for (int night = 0; night < 2; ++night) {
    INFO("night " << night);
    const auto states = account_states(s.ws);
    CHECK(states.at(back) == "HELD");
    CHECK(logins_in(s.ws, "PURGED").size() == k_accounts - 1);
    CHECK(s.deletions() == k_accounts - 1);
    CHECK(instance_exists(*s.sim, plan.at(back).domain));
    {
      Db db(s.ws.database());
      auto rows = db.rows("SELECT state_reason FROM accounts WHERE login = '" + back + "'");
      REQUIRE(rows.size() == 1);
      CHECK(rows[0][0] == "directory_active");
    }
    s.advance(days(1));
    Stand::require_exit(s.purge(), 0);
  }
  check_no_unsafe_deletion(*s.sim);
}

TEST_CASE("With max_per_run 100 1000 due accounts take 10 nights of 100 deletions in grace end order",
          "[purge][throttle]") {
  constexpr int k_accounts = 1000;
  constexpr int k_per_night = 100;
  Options options;
  options.accounts = k_accounts;
  options.max_per_run = k_per_night;
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == k_accounts);
  const auto plan = schedule(s.ws);
  REQUIRE(plan.size() == k_accounts);

  s.advance_to(after(latest_end(plan)));
  std::set<std::string> purged;
  for (int night = 1; night <= k_accounts / k_per_night; ++night) {
    INFO("night " << night << " at " << iso_utc(s.now));
    Stand::require_exit(s.purge(), 0);
    CHECK(s.deletions() == night * k_per_night);
    json::object report = latest_purge_report(s.ws);
    CHECK(report.at("deleted").as_int64() == k_per_night);
    CHECK(report.at("deferred").as_int64() == k_accounts - night * k_per_night);

    std::set<std::string> tonight;
    for (const std::string& login : logins_in(s.ws, "PURGED"))
      if (!purged.count(login)) tonight.insert(login);
    CHECK(tonight.size() == k_per_night);
    // Earliest grace end first: none left waiting ended before one deleted.
    Ms latest_deleted = Ms::min();
    for (const std::string& login : tonight) latest_deleted = std::max(latest_deleted, plan.at(login).grace_end);
    purged.insert(tonight.begin(), tonight.end());
    for (const auto& [login, scheduled] : plan)
      if (!purged.count(login)) {
        INFO(login << " waits though its grace ended before one deleted tonight");
        CHECK(scheduled.grace_end >= latest_deleted);
      }
    s.advance(days(1));
  }
  CHECK(state_counts(s.ws, "c1").at("PURGED") == k_accounts);
  check_no_unsafe_deletion(*s.sim);
}

TEST_CASE("A directory showing 30 percent of 1000 due people back trips the breaker until an admin resets it",
          "[purge][breaker][directory]") {
  constexpr int k_accounts = 1000;
  Options options;
  options.accounts = k_accounts;
  options.directory = true;
  options.max_fraction = 0.05;
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == k_accounts);
  const auto plan = schedule(s.ws);
  REQUIRE(plan.size() == k_accounts);
  std::set<std::string> back;
  for (int n = 1; n <= k_accounts; ++n)
    if (n % 10 < 3) back.insert(login_of(n));
  REQUIRE(back.size() == 300);
  s.write_directory(back);

  s.advance_to(after(latest_end(plan)));
  for (int night = 0; night < 2; ++night) {
    INFO("night " << night << " at " << iso_utc(s.now));
    Stand::require_exit(s.purge(), 4);
    CHECK(s.deletions() == 0);
    auto counts = state_counts(s.ws, "c1");
    CHECK(counts.at("PURGED") == 0);
    CHECK(counts.at("HELD") == 0);
    json::object report = latest_purge_report(s.ws);
    CHECK(report.at("deleted").as_int64() == 0);
    const json::object& breaker = report.at("breaker").as_object();
    CHECK(breaker.at("tripped").as_bool());
    const std::string reason = text_of(breaker.at("reason"));
    INFO("reason: " << reason);
    CHECK_FALSE(reason.empty());
    if (night == 0) {
      CHECK(report.at("due").as_int64() == k_accounts);
      CHECK(report.at("interlock_failures").as_object().at("directory_active").as_int64() == 300);
      CHECK(reason.find("300 of 1000") != std::string::npos);
    }
    s.advance(days(1));
  }

  Stand::require_exit(s.passage({"purge", "--reset-breaker", "--by", "admin:alice"}), 0);
  CHECK(journal_count(s.ws, "kind = 'breaker_reset' AND actor = 'admin:alice'") == 1);
  CHECK(s.deletions() == 0);

  // The list corrected, the next night deletes everyone.
  s.write_directory({});
  Stand::require_exit(s.purge(), 0);
  CHECK(s.deletions() == k_accounts);
  CHECK(state_counts(s.ws, "c1").at("PURGED") == k_accounts);
  check_no_unsafe_deletion(*s.sim);
}

TEST_CASE("A deletion left stuck with the deleting flag is repaired and completed the next night",
          "[purge][delete-stuck]") {
  constexpr int k_accounts = 8;
  constexpr int k_first_night = 5;
  Options options;
  options.accounts = k_accounts;
  options.max_per_run = k_first_night;
  options.extra = "retry_budget: 2\nidle_horizon: 5 seconds\n";
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == k_accounts);
  const auto plan = schedule(s.ws);

  s.advance_to(after(latest_end(plan)));
  Stand::require_exit(s.purge(), 0);
  REQUIRE(s.deletions() == k_first_night);
  const std::set<std::string> stuck = logins_in(s.ws, "PURGE_DUE");
  REQUIRE(stuck.size() == k_accounts - k_first_night);
  {
    // The night's report lists who was deleted and who waits for a later night.
    const json::object first = latest_purge_report(s.ws);
    CHECK(purge_listed(first, "deleted").size() == k_first_night);
    std::set<std::string> deferred;
    for (const auto& [login, reason] : purge_listed(first, "deferred")) deferred.insert(login);
    CHECK(deferred == stuck);
  }

  // Their night: every DELETE fails midway and leaves `deleting` set.
  s.sim->put_faults(R"({"delete_stuck":1})");
  s.advance(days(1));
  // Failed deletions: the night is degraded, monitoring is told (exit 7).
  const ProcessResult failed_night = s.purge();
  Stand::require_exit(failed_night, 7);
  CHECK(failed_night.out.find(std::to_string(stuck.size()) + (stuck.size() == 1 ? " deletion failed" : " deletions failed")) != std::string::npos);
  CHECK(s.deletions() == k_first_night);
  CHECK(logins_in(s.ws, "PURGE_DUE") == stuck);
  CHECK(latest_purge_report(s.ws).at("delete_failed").as_int64() ==
        static_cast<std::int64_t>(stuck.size()));
  {
    // Each failed deletion is listed with the stack's answer.
    const auto failed = purge_listed(latest_purge_report(s.ws), "failed");
    CHECK(failed.size() == stuck.size());
    for (const auto& [login, reason] : failed) {
      INFO(login);
      CHECK(stuck.count(login) == 1);
      CHECK_FALSE(reason.empty());
    }
  }
  CHECK(route_count(s.sim->stats(), "DELETE /instances/:domain", "500") >=
        static_cast<std::int64_t>(stuck.size()));
  for (const std::string& login : stuck) {
    SimAnswer answer = s.sim->call("GET", "/instances/" + plan.at(login).domain);
    INFO(login << ": " << answer.body);
    REQUIRE(answer.status == 200);
    const json::value document = json::parse(answer.body);
    CHECK(document.as_object().at("data").as_object().at("attributes").as_object().contains("deleting"));
  }
  CHECK(route_count(s.sim->stats(), "PATCH /instances/:domain") == 0);

  s.sim->clear_faults();
  s.advance(days(1));
  Stand::require_exit(s.purge(), 0);
  CHECK(s.deletions() == k_accounts);
  CHECK(state_counts(s.ws, "c1").at("PURGED") == k_accounts);
  CHECK(journal_count(s.ws, "kind = 'deleting_flag_repaired'") ==
        static_cast<std::int64_t>(stuck.size()));
  json::object stats = s.sim->stats();
  INFO("requests: " << requests_text(stats));
  CHECK(route_count(stats, "PATCH /instances/:domain", "200") == static_cast<std::int64_t>(stuck.size()));
  check_no_unsafe_deletion(*s.sim);
}

TEST_CASE("An update dropping 50 of 200 accounts waits for confirmation and then cancels or holds the dropped ones for good",
          "[campaign][purge]") {
  constexpr int k_accounts = 200;
  Options options;
  options.accounts = k_accounts;
  // 1…100 departed (exported at once), 101…200 leave in June (still QUEUED).
  options.departure = [](int n) { return n <= 100 ? k_departed : k_not_yet; };
  Stand s(options);
  s.run();
  auto before = state_counts(s.ws, "c1");
  REQUIRE(before.at("GRACE") == 100);
  REQUIRE(before.at("QUEUED") == 100);
  const auto plan = schedule(s.ws);

  // Dropped: 76…100 (exported) and 176…200 (nothing done yet).
  auto dropped = [](int n) { return (n > 75 && n <= 100) || n > 175; };
  std::string list = "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= k_accounts; ++n)
    if (!dropped(n))
      list += login_of(n) + "," + login_of(n) + ".mytoutatice.cloud,export," + login_of(n) +
              "@example.org,," + (n <= 100 ? k_departed : k_not_yet) + ",left\n";
  s.ws.write("accounts2.csv", list);

  const auto states_before = account_states(s.ws);
  ProcessResult update = s.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv"});
  Stand::require_exit(update, 6);
  CHECK(account_states(s.ws) == states_before);
  CHECK(state_counts(s.ws, "c1") == before);

  Stand::require_exit(s.passage({"campaign", "confirm", "c1", "--by", "admin:alice"}), 0);
  CHECK(journal_count(s.ws, "kind = 'campaign_updated' AND actor = 'admin:alice'") == 1);
  std::map<std::string, std::string> reasons;
  std::map<std::string, std::string> states;
  for (const json::value& item : report_accounts(s.ws, "c1")) {
    const json::object& account = item.as_object();
    states[text_of(account.at("login"))] = text_of(account.at("state"));
    reasons[text_of(account.at("login"))] = text_of(account.at("reason"));
  }
  for (int n = 1; n <= k_accounts; ++n) {
    const std::string login = login_of(n);
    INFO(login);
    if (!dropped(n))
      CHECK(states.at(login) == states_before.at(login));
    else if (n > 175)
      CHECK(states.at(login) == "CANCELLED");
    else {
      CHECK(states.at(login) == "HELD");
      CHECK(reasons.at(login) == "dropped_from_list");
    }
  }

  // Past every grace end, twice: the held ones are never deleted.
  s.advance_to(after(latest_end(plan)));
  for (int night = 0; night < 2; ++night) {
    INFO("night " << night);
    Stand::require_exit(s.purge(), 0);
    CHECK(s.deletions() == 75);
    for (int n = 76; n <= 100; ++n) {
      INFO(login_of(n));
      CHECK(account_states(s.ws).at(login_of(n)) == "HELD");
      CHECK(instance_exists(*s.sim, login_of(n) + ".mytoutatice.cloud"));
    }
    s.advance(days(1));
  }
  CHECK(logins_in(s.ws, "PURGED").size() == 75);
  check_no_unsafe_deletion(*s.sim);
}

TEST_CASE("A Retry-After stored by a run does not stall a purge whose clock is behind the run's",
          "[grace][purge][cooldown]") {
  // Found by the safety test (seed 9004): a run at T stored the stack's
  // cooldown on --now's scale; a purge at T minus 10 minutes then paused
  // every request for 10 real minutes. Retry-After is about the stack's
  // real time, whatever --now says.
  Options options;
  options.accounts = 6;
  // Five reach GRACE at once; the sixth is exported only after their grace ended.
  options.departure = [](int n) { return n <= 5 ? k_departed : std::string("2027-01-20"); };
  options.extra = "retry_budget: 2\n";
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == 5);

  s.advance_to(parse_iso_utc("2027-01-02T09:00:00Z"));
  s.sim->put_faults(R"({"throttle":{"status":429,"rate":1,"retry_after_s":2}})");
  s.passage({"run", "--until-idle"});
  s.sim->clear_faults();
  {
    Db db(s.ws.database());
    REQUIRE(db.scalar("SELECT COUNT(*) FROM stack_cooldowns") == 1);
  }

  std::vector<std::string> args{"purge", "--now", iso_utc(s.now - std::chrono::minutes(10))};
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult purged = s.ws.passage(args, Millis(60000));
  const auto seconds_taken =
      std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - started).count();
  INFO("purge took " << seconds_taken << " s");
  Stand::require_exit(purged, 0);
  CHECK(s.deletions() == 5);
  CHECK(logins_in(s.ws, "PURGED").size() == 5);
}

TEST_CASE("A Retry-After longer than a night waits leaves the purge's accounts for a later night, unread",
          "[grace][purge][cooldown]") {
  Options options;
  options.accounts = 6;
  options.departure = [](int n) { return n <= 5 ? k_departed : std::string("2027-01-20"); };
  options.extra = "retry_budget: 2\n";
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == 5);

  s.advance_to(parse_iso_utc("2027-01-02T09:00:00Z"));
  s.sim->put_faults(R"({"throttle":{"status":429,"rate":1,"retry_after_s":900}})");
  const auto run_started = std::chrono::steady_clock::now();
  const ProcessResult ran = s.ws.passage({"run", "--until-idle", "--now", iso_utc(s.now)}, Millis(60000));
  INFO("run took " << std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - run_started).count()
                   << " s; stderr: " << ran.err);
  REQUIRE_FALSE(ran.timed_out);
  s.sim->clear_faults();

  const ProcessResult purged = s.ws.passage({"purge", "--now", iso_utc(s.now)}, Millis(60000));
  REQUIRE_FALSE(purged.timed_out);
  CHECK(s.deletions() == 0);
  CHECK(logins_in(s.ws, "PURGED").empty());
  json::object report = latest_purge_report(s.ws);
  CHECK(report.at("unreadable").as_int64() == 5);
}

namespace {

// The value of one sample line of a Prometheus textfile, -1 when absent.
double metric(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  return -1;
}

}  // namespace

TEST_CASE("nightly writes metrics.textfile: accounts, the night's deletions, exit code, last success kept on a failed night",
          "[grace][purge][metrics]") {
  Options options;
  options.accounts = 6;
  options.max_per_run = 3;
  options.extra = "metrics: { textfile: var/passage.prom }\nretry_budget: 2\nidle_horizon: 5 seconds\n";
  Stand s(options);
  s.run();
  s.advance_to(after(latest_end(schedule(s.ws))));
  Stand::require_exit(s.passage({"nightly"}), 0);
  const std::string first = read_file(s.ws.dir() / "var" / "passage.prom");
  INFO(first);
  CHECK(metric(first, R"(passage_accounts{campaign="c1",state="PURGED"})") == 3);
  CHECK(metric(first, R"(passage_last_purge_accounts{result="deleted"})") == 3);
  CHECK(metric(first, R"(passage_last_purge_accounts{result="deferred"})") == 3);
  CHECK(metric(first, R"(passage_stack_up{stack="academy"})") == 1);
  CHECK(metric(first, "passage_breaker_tripped") == 0);
  CHECK(metric(first, "passage_last_run_exit_code") == 0);
  const double success = metric(first, "passage_last_success_timestamp_seconds");
  CHECK(success >= metric(first, "passage_last_run_start_timestamp_seconds"));

  s.sim->put_faults(R"({"delete_stuck":1})");
  s.advance(days(1));
  Stand::require_exit(s.passage({"nightly"}), 7);
  const std::string second = read_file(s.ws.dir() / "var" / "passage.prom");
  INFO(second);
  CHECK(metric(second, "passage_last_run_exit_code") == 7);
  CHECK(metric(second, R"(passage_last_purge_accounts{result="failed"})") == 3);
  CHECK(metric(second, "passage_last_success_timestamp_seconds") == Approx(success));
  CHECK_FALSE(std::filesystem::exists(s.ws.dir() / "var" / "passage.prom.tmp"));
}

namespace {

// The number printed before `label` in a summary line ("13 deleted"), -1
// when the line does not say it.
long count_before(const std::string& line, const std::string& label) {
  const auto at = line.find(" " + label);
  if (at == std::string::npos) return -1;
  const auto start = line.find_last_of(' ', at - 1);
  return std::stol(line.substr(start == std::string::npos ? 0 : start + 1, at - start - 1));
}

}  // namespace

TEST_CASE("A nightly where about half the deletions stick exits 7, its summary and metrics name both counts",
          "[grace][purge][metrics]") {
  Options options;
  options.accounts = 16;
  options.extra = "metrics: { textfile: var/passage.prom }\nretry_budget: 2\nidle_horizon: 5 seconds\n";
  Stand s(options);
  s.run();
  s.advance_to(after(latest_end(schedule(s.ws))));
  // The simulator's faults draw from its seed: with 16 deletions at 0.5,
  // the chance that none or all stick is 2 in 65,536.
  s.sim->put_faults(R"({"delete_stuck":0.5})");
  const ProcessResult night = s.passage({"nightly"});
  Stand::require_exit(night, 7);
  INFO(night.out);
  const auto summary_at = night.out.find("purge: ");
  REQUIRE(summary_at != std::string::npos);
  const std::string summary = night.out.substr(summary_at, night.out.find('\n', summary_at) - summary_at);
  const long deleted = count_before(summary, "deleted,");
  const long failed = std::max(count_before(summary, "deletions failed"), count_before(summary, "deletion failed"));
  CHECK(count_before(summary, "due,") == 16);
  CHECK(deleted >= 1);
  CHECK(failed >= 1);
  CHECK(deleted + failed == 16);
  CHECK(s.deletions() == deleted);

  const std::string metrics = read_file(s.ws.dir() / "var" / "passage.prom");
  INFO(metrics);
  CHECK(metric(metrics, "passage_last_run_exit_code") == 7);
  CHECK(metric(metrics, R"(passage_last_purge_accounts{result="failed"})") == failed);
  CHECK(metric(metrics, R"(passage_last_purge_accounts{result="deleted"})") == deleted);
  CHECK(metric(metrics, R"(passage_accounts{campaign="c1",state="PURGE_DUE"})") == failed);
  // No night has succeeded yet: the file says so by leaving it out.
  CHECK(metric(metrics, "passage_last_success_timestamp_seconds") == -1);
}

TEST_CASE("A nightly with nothing to do still tells monitoring whether the stack answers and takes the passphrase",
          "[grace][purge][metrics]") {
  Options options;
  options.accounts = 2;
  options.departure = [](int) { return k_not_yet; };  // nothing due for months
  options.extra = "metrics: { textfile: var/passage.prom }\nretry_budget: 2\nidle_horizon: 5 seconds\n";
  Stand s(options);
  s.run();
  const auto stack_up = [&] {
    return metric(read_file(s.ws.dir() / "var" / "passage.prom"), R"(passage_stack_up{stack="academy"})");
  };
  Stand::require_exit(s.passage({"nightly"}), 0);
  CHECK(stack_up() == 1);

  // A passphrase the stack refuses: nothing could be done tonight.
  s.ws.set_environment({{k_passphrase_variable, "not-the-passphrase"}});
  const ProcessResult refused = s.passage({"nightly"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 7);
  CHECK(refused.out.find("stack academy not answering") != std::string::npos);
  CHECK(stack_up() == 0);

  // The stack down.
  s.ws.set_environment({{k_passphrase_variable, k_sim_passphrase}});
  s.sim.reset();
  const ProcessResult down = s.passage({"nightly"});
  INFO(down.out << down.err);
  CHECK(down.exit_code == 7);
  CHECK(stack_up() == 0);
}

TEST_CASE("A deletion notice the relay could not take is sent again by the next purge, once, with its Message-ID",
          "[grace][purge][smtp]") {
  Options options;
  options.accounts = 2;
  options.smtp = true;
  options.extra = "retry_budget: 1\nidle_horizon: 2 seconds\n";
  Stand s(options);
  s.run();
  const std::size_t before = s.sink->count();
  s.advance_to(after(latest_end(schedule(s.ws))));
  // The relay is down the night of the deletions.
  const std::string config = read_file(s.ws.config());
  std::string down = config;
  replace_once(down, s.sink->url(), "smtp://127.0.0.1:1");
  s.ws.write("c.yaml", down);
  Stand::require_exit(s.purge(), 7);
  REQUIRE(s.deletions() == 2);
  CHECK(s.sink->count() == before);

  // The relay is back: the next purge tells both people, once.
  s.ws.write("c.yaml", config);
  s.advance(days(1));
  Stand::require_exit(s.purge(), 0);
  REQUIRE(s.sink->wait_for(before + 2));
  std::set<std::string> told;
  for (const SinkMessage& message : s.sink->messages())
    if (message.header("X-Passage-Kind") == "deletion_done") {
      CHECK(message.header("Message-ID").find("deletion_done.") != std::string::npos);
      told.insert(message.header("X-Passage-Account"));
    }
  CHECK(told == std::set<std::string>{login_of(1) + ".mytoutatice.cloud", login_of(2) + ".mytoutatice.cloud"});
  s.advance(days(1));
  Stand::require_exit(s.purge(), 0);
  CHECK(s.sink->count() == before + 2);
}

TEST_CASE("A nightly stopped (SIGTERM) during its run step deletes nothing that night and exits 7",
          "[grace][purge][signal]") {
  Options options;
  options.accounts = 6;
  // 1…5 are exported now; 6 is exported by the nightly's run step.
  options.departure = [](int n) { return n <= 5 ? k_departed : std::string("2027-01-10"); };
  options.extra = "metrics: { textfile: var/passage.prom }\nidle_horizon: 5 seconds\n";
  Stand s(options);
  s.run();
  REQUIRE(state_counts(s.ws, "c1").at("GRACE") == 5);
  s.advance_to(after(latest_end(schedule(s.ws))));
  // Slow answers: the run step is still at work when the signal comes.
  s.sim->put_faults(R"({"latency_ms":{"min":1500,"max":2500,"rate":1}})");
  const std::int64_t lookups = route_count(s.sim->stats(), "GET /instances/:domain");
  BackgroundProcess nightly(s.ws.passage_argv({"nightly", "--now", iso_utc(s.now)}), s.ws.dir(),
                            s.ws.dir() / "nightly.out", s.ws.dir() / "nightly.err", s.ws.environment());
  REQUIRE(wait_until([&] { return route_count(s.sim->stats(), "GET /instances/:domain") > lookups; },
                     Millis(20000)));
  ::kill(nightly.pid(), SIGTERM);
  REQUIRE(nightly.wait_exit(Millis(60000)));
  const std::string out = read_file(s.ws.dir() / "nightly.out");
  INFO(out << read_file(s.ws.dir() / "nightly.err"));
  CHECK(WIFEXITED(nightly.status()));
  CHECK(WEXITSTATUS(nightly.status()) == 7);
  CHECK(out.find("stopped by a signal during its run: no purge tonight") != std::string::npos);
  s.sim->clear_faults();
  CHECK(s.deletions() == 0);
  CHECK(logins_in(s.ws, "PURGED").empty());
  CHECK(metric(read_file(s.ws.dir() / "var" / "passage.prom"), "passage_last_run_exit_code") == 7);
}
