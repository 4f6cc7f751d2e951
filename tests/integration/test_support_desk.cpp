// The support desk on the command line (issue 13) through the real binary
// on dry-run stacks: the timeline of a whole case with local dates, the
// lookup in any case and its candidates, list and bulk actions, the
// deletion_date_changed notice, the postpone cap, and no passphrase.

#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

const std::string k_header = "login,domain,action,email,target,departure_date,reason\n";
const std::string k_hakim = "hakim,hakim.mytoutatice.cloud,export,Hakim.BenAli@Laposte.net,,2026-10-01,left\n";
const std::string k_hakima = "hakima,hakima.mytoutatice.cloud,export,hakima@example.org,,2026-10-01,left\n";
const std::string k_karim = "karim,karim.mytoutatice.cloud,export,karim@example.org,,2026-10-01,left\n";
// Local times (Europe/Paris, the workspace's timezone).
const std::string k_start = "2026-11-25T10:00:00";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ProcessResult passage_at(const Workspace& ws, std::vector<std::string> args, const std::string& now) {
  args.push_back("--now");
  args.push_back(now);
  return ws.passage(args);
}

void require_exit(const ProcessResult& result, int code) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == code);
}

// A workspace whose accounts all reached GRACE at k_start (no transient failures).
struct Desk {
  explicit Desk(const std::string& rows) : ws(ConfigOptions{7, 0.0, 0.0, 5000}) {
    ws.write("accounts.csv", k_header + rows);
    require_exit(passage_at(ws, {"campaign", "create", "c1", "--accounts", "accounts.csv"}, k_start), 0);
    require_exit(passage_at(ws, {"run", "--until-idle"}, k_start), 0);
  }
  std::string snapshot() const {
    Db db(ws.database());
    std::string text;
    for (const auto& row : db.rows("SELECT login, state, grace_end, version FROM accounts ORDER BY id"))
      text += row[0] + " " + row[1] + " " + row[2] + " " + row[3] + "\n";
    return text + "journal " + std::to_string(db.scalar("SELECT COUNT(*) FROM journal")) + "\n";
  }
  Workspace ws;
};


std::size_t line_of(const std::string& text, const std::string& part) {
  std::size_t at = text.find(part);
  INFO("looking for: " << part);
  REQUIRE(at != std::string::npos);
  return at;
}

}  // namespace

TEST_CASE("account show: the timeline of an export, its notices, a support postpone, a reminder and the "
          "deletion, each with its local date, then nothing next",
          "[support][timeline]") {
  Desk desk(k_hakim);
  REQUIRE(account_states(desk.ws).at("hakim") == "GRACE");
  // Grace ends on 25 December 10:00; the person is told 4 January instead.
  ProcessResult postponed = passage_at(desk.ws, {"account", "postpone", "hakim", "--days", "10", "--reason",
                                                 "one more week", "--by", "jane"}, "2026-11-26T09:00:00");
  require_exit(postponed, 0);
  CHECK(contains(postponed.out, "the person was sent the new deletion date (2027-01-04)"));
  CHECK(desk.ws.outbox_count("deletion_date_changed.") == 1);
  // The 7-day reminder is due on 28 December 10:00.
  require_exit(passage_at(desk.ws, {"run", "--until-idle"}, "2026-12-29T09:00:00"), 0);
  CHECK(desk.ws.outbox_count("deletion_reminder-168h.") == 1);
  CHECK(desk.ws.outbox_count("deletion_date_changed.") == 1);  // not sent twice
  require_exit(passage_at(desk.ws, {"purge"}, "2027-01-05T03:00:00"), 0);
  REQUIRE(account_states(desk.ws).at("hakim") == "PURGED");

  ProcessResult show = passage_at(desk.ws, {"account", "show", "hakim.benali@laposte.net"}, "2027-01-06T12:00:00");
  require_exit(show, 0);
  INFO(show.out);
  CHECK(contains(show.out, "times in Europe/Paris"));
  const std::vector<std::string> in_order = {
      "2026-11-25 10:00  imported into campaign c1 (from accounts.csv line 2)",
      "2026-11-25 10:00  export requested",
      "evidence: export",
      "notice export_ready to Hakim.BenAli@Laposte.net: sent",
      "2026-11-26 09:00  deletion postponed to 2027-01-04 by support:jane",
      "2026-11-26 09:00  notice deletion_date_changed to Hakim.BenAli@Laposte.net: sent",
      "2026-12-29 09:00  notice deletion_reminder, 7 days before to Hakim.BenAli@Laposte.net: sent",
      "2027-01-05 03:00  the space was deleted",
      "next: nothing: the space is deleted"};
  for (std::size_t i = 1; i < in_order.size(); ++i) CHECK(line_of(show.out, in_order[i - 1]) < line_of(show.out, in_order[i]));
  CHECK(contains(show.out, "reason: one more week"));
  CHECK_FALSE(contains(show.out, "by support:jane [support:jane]"));  // who, once
  CHECK_FALSE(contains(show.out, ".000Z"));  // no UTC milliseconds anywhere

  ProcessResult json = passage_at(desk.ws, {"account", "show", "HAKIM", "--json"}, "2027-01-06T12:00:00");
  require_exit(json, 0);
  const auto document = boost::json::parse(json.out).as_object();
  CHECK(document.at("zone").as_string() == "Europe/Paris");
  CHECK(document.at("purged_at").as_string() == "2027-01-05T03:00:00+01:00");
  const auto& timeline = document.at("timeline").as_array();
  REQUIRE(timeline.size() >= 8);
  CHECK(timeline.at(0).at("at").as_string() == "2026-11-25T10:00:00+01:00");
  CHECK(timeline.at(0).at("kind").as_string() == "imported");
}

TEST_CASE("account show of a GRACE account says when the reminders and the deletion come, in words",
          "[support][timeline]") {
  Desk desk(k_hakim);
  ProcessResult show = passage_at(desk.ws, {"account", "show", "hakim"}, "2026-12-01T12:00:00");
  require_exit(show, 0);
  INFO(show.out);
  CHECK(contains(show.out, "next: reminder on 18 December 2026; reminder on 24 December 2026; "
                           "deletion in the night of 25 December 2026"));
  CHECK(contains(show.out, "2026-12-25 10:00  deletion due from 25 December 2026 (planned)"));
}

TEST_CASE("account lookup: the list's e-mail in any case, a partial ID lists the candidates, exit 2, nothing acts",
          "[support][lookup]") {
  Desk desk(k_hakim + k_hakima + k_karim);
  require_exit(desk.ws.passage({"account", "show", "Hakim.BenAli@Laposte.net"}), 0);
  require_exit(desk.ws.passage({"account", "show", "hakim.benali@LAPOSTE.NET", "--json"}), 0);
  require_exit(desk.ws.passage({"account", "show", "HAKIM.mytoutatice.cloud"}), 0);

  const std::string before = desk.snapshot();
  ProcessResult partial = desk.ws.passage({"account", "show", "aki"});
  require_exit(partial, 2);
  CHECK(contains(partial.err, "no account is exactly aki; 2 contain it"));
  CHECK(contains(partial.err, "hakim  hakim.mytoutatice.cloud  Hakim.BenAli@Laposte.net  GRACE"));
  CHECK(contains(partial.err, "hakima  hakima.mytoutatice.cloud"));
  CHECK_FALSE(contains(partial.err, "karim"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"account", "hold", "aki", "--reason", "ticket", "--by", "jane"},
        {"account", "postpone", "laposte", "--days", "3", "--reason", "ticket", "--by", "jane"},
        {"account", "cancel", "nobody", "--reason", "ticket", "--by", "jane"}}) {
    ProcessResult refused = desk.ws.passage(args);
    INFO(args.at(1) << " " << args.at(2));
    require_exit(refused, 2);
  }
  CHECK(desk.snapshot() == before);
}

TEST_CASE("account list selects by state and failure, bulk actions journal each account and say how many",
          "[support][bulk]") {
  Desk desk(k_hakim + k_hakima + k_karim);
  ProcessResult held = desk.ws.passage({"account", "hold", "--state", "grace", "--reason", "breaker check", "--by", "jane"});
  require_exit(held, 0);
  CHECK(contains(held.out, "hold: 3 of 3 accounts acted on"));
  Db db(desk.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE kind = 'support' AND actor = 'support:jane'") == 3);

  ProcessResult list = desk.ws.passage({"account", "list", "--campaign", "c1", "--state", "HELD", "--json"});
  require_exit(list, 0);
  CHECK(boost::json::parse(list.out).as_array().size() == 3);
  ProcessResult none = desk.ws.passage({"account", "list", "--failure", "delete_stuck"});
  require_exit(none, 0);
  CHECK(contains(none.out, "0 accounts"));

  // A file naming an unknown person: nothing acts at all.
  desk.ws.write("ids.txt", "# ticket 12\nhakim\nnobody-at-all\n");
  const std::string before = desk.snapshot();
  ProcessResult bad = desk.ws.passage({"account", "release", "--from", "ids.txt", "--reason", "ok", "--by", "jane"});
  require_exit(bad, 2);
  CHECK(contains(bad.err, "ids.txt:3: no account with login, domain or e-mail nobody-at-all"));
  CHECK(desk.snapshot() == before);

  desk.ws.write("ids.txt", "# ticket 12\nhakim\nKARIM@example.org\n\n");
  ProcessResult released = desk.ws.passage({"account", "release", "--from", "ids.txt", "--reason", "ok", "--by", "jane"});
  require_exit(released, 0);
  CHECK(contains(released.out, "release: 2 of 2 accounts acted on"));
  CHECK(account_states(desk.ws).at("hakim") == "GRACE");
  CHECK(account_states(desk.ws).at("karim") == "GRACE");
  CHECK(account_states(desk.ws).at("hakima") == "HELD");

  // One person named twice (login and e-mail) is acted on once.
  desk.ws.write("twice.txt", "karim\nKARIM@example.org\n");
  ProcessResult twice = desk.ws.passage({"account", "hold", "--from", "twice.txt", "--reason", "again", "--by", "jane"});
  require_exit(twice, 0);
  CHECK(contains(twice.out, "hold: 1 of 1 account acted on"));
  CHECK(account_states(desk.ws).at("karim") == "HELD");

  // Some refused: exit 1, and the refusals named.
  ProcessResult mixed = desk.ws.passage({"account", "release", "--campaign", "c1", "--reason", "ok", "--by", "jane"});
  require_exit(mixed, 1);
  CHECK(contains(mixed.out, "release: 2 of 3 accounts acted on, 1 refused"));
  CHECK(contains(mixed.err, "only a HELD account can be released"));
}

TEST_CASE("a postpone beyond support.max_postpone is refused naming the cap, and changes nothing",
          "[support][postpone]") {
  Desk desk(k_hakim);
  const std::string before = desk.snapshot();
  ProcessResult refused = desk.ws.passage({"account", "postpone", "hakim", "--days", "100", "--reason", "long",
                                           "--by", "jane"});
  require_exit(refused, 2);
  CHECK(contains(refused.err, "support.max_postpone is 60 days"));
  CHECK(desk.snapshot() == before);
  CHECK(desk.ws.outbox_count("deletion_date_changed.") == 0);
}

TEST_CASE("a new deletion date the notifier does not take stays queued and the next run sends it",
          "[support][notice]") {
  Desk desk(k_hakim);
  const std::string config = read_file(desk.ws.config());
  std::string smtp = config;
  const std::string outbox = "notify: { notifier: outbox, dir: var/outbox }\n";
  REQUIRE(contains(smtp, outbox));
  smtp.replace(smtp.find(outbox), outbox.size(),
               "notify: { notifier: smtp, smtp_url: \"smtp://127.0.0.1:9\", from: a@example.org }\n");
  desk.ws.write("c.yaml", smtp);
  ProcessResult postponed = passage_at(desk.ws, {"account", "postpone", "hakim", "--days", "5", "--reason", "x",
                                                 "--by", "jane"}, "2026-11-26T09:00:00");
  require_exit(postponed, 0);
  CHECK(contains(postponed.out, "could not be sent"));
  CHECK(contains(postponed.out, "stays queued and the next run sends it"));
  {
    Db db(desk.ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'notice' AND outcome IS NULL "
                    "AND key LIKE 'deletion_date_changed.%'") == 1);
  }
  desk.ws.write("c.yaml", config);
  require_exit(passage_at(desk.ws, {"run", "--until-idle"}, "2026-11-26T10:00:00"), 0);
  CHECK(desk.ws.outbox_count("deletion_date_changed.") == 1);
  Db db(desk.ws.database());
  CHECK(db.rows("SELECT told_deletion_date FROM accounts")[0][0] == "2026-12-30");
}

TEST_CASE("account commands need no stack passphrase, run still refuses without it", "[support][secrets]") {
  Desk desk(k_hakim + k_karim);
  // A cozy-admin stack whose passphrase variable is not set.
  std::string config = read_file(desk.ws.config());
  const std::string stacks = "stacks:\n";
  config.replace(config.find(stacks), stacks.size(),
                 "stacks:\n  - name: other\n    backend: cozy-admin\n    url: http://127.0.0.1:9\n"
                 "    passphrase_env: PASSAGE_DESK_TEST_UNSET\n    domains: [\"*.elsewhere.cloud\"]\n");
  desk.ws.write("c.yaml", config);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"account", "show", "hakim"},
        {"account", "show", "hakim", "--json"},
        {"account", "list", "--state", "GRACE"},
        {"account", "hold", "karim", "--reason", "ticket", "--by", "jane"},
        {"account", "release", "karim", "--reason", "ticket", "--by", "jane"},
        {"account", "postpone", "hakim", "--days", "3", "--reason", "ticket", "--by", "jane"},
        {"status", "c1"},
        {"report", "c1", "--format", "json", "--out", "-"},
        {"campaign", "list"}}) {
    ProcessResult result = desk.ws.passage(args);
    INFO(args.at(0) << " " << args.at(1));
    require_exit(result, 0);
  }
  ProcessResult run = desk.ws.passage({"run", "--until-idle"});
  require_exit(run, 2);
  CHECK(contains(run.err, "PASSAGE_DESK_TEST_UNSET is not set"));
}
