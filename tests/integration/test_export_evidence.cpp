// Exports as cozy-stack really behaves (issue 11): a part can be a
// well-formed zip that lacks its last files (its last one cut short with a
// matching CRC), an export can end in error, and the person's own exports
// arrive on the same socket. None of them may become Passage's evidence.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

std::int64_t in_state(const Workspace& ws, const std::string& state) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM accounts WHERE state = '" + state + "'");
}

std::uint64_t le(const std::string& bytes, std::size_t at, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return value;
}

struct ZipName {
  std::string name;
  bool utf8_flag = false;  // general-purpose bit 11
};

// The central directory's names and UTF-8 flags, read here rather than
// through libarchive (the reader under test). A part as the simulator
// writes it: no zip64, no archive comment.
std::vector<ZipName> zip_names(const std::string& zip) {
  REQUIRE(zip.size() >= 22);
  const std::size_t end = zip.size() - 22;
  REQUIRE(le(zip, end, 4) == 0x06054b50);
  std::vector<ZipName> names;
  std::size_t at = le(zip, end + 16, 4);
  for (std::uint64_t n = le(zip, end + 10, 2); n > 0; --n) {
    REQUIRE(le(zip, at, 4) == 0x02014b50);
    const std::size_t name_length = le(zip, at + 28, 2);
    names.push_back({zip.substr(at + 46, name_length), (le(zip, at + 8, 2) & 0x800) != 0});
    at += 46 + name_length + le(zip, at + 30, 2) + le(zip, at + 32, 2);
  }
  return names;
}

bool is_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// What a part holds: its entries, its files (a content right after a
// file's metadata: a directory's is followed by another document), and
// those of them whose name is accented and flagged UTF-8.
struct PartNames {
  std::int64_t entries = 0;
  std::int64_t files = 0;
  std::int64_t accented_files = 0;
};

PartNames part_names(const std::string& zip) {
  PartNames part;
  const std::vector<ZipName> names = zip_names(zip);
  part.entries = static_cast<std::int64_t>(names.size());
  for (std::size_t i = 1; i < names.size(); ++i) {
    const bool after_file_meta = names[i - 1].name.rfind("My Cozy/Data/io.cozy.files/", 0) == 0;
    if (!after_file_meta || names[i].name.rfind("My Cozy/Files/", 0) != 0) continue;
    ++part.files;
    if (!is_ascii(names[i].name) && names[i].utf8_flag) ++part.accented_files;
  }
  return part;
}

// Part `n` (0-based) of `exported` (a /_sim/exports document), as the admin data route serves it.
std::string download_part(const CozySim& sim, const std::string& domain, const json::object& exported, int n) {
  std::string path = "/instances/" + domain + "/exports/" + std::string(exported.at("_id").as_string()) + "/data";
  if (n > 0) path += "?cursor=" + std::string(exported.at("parts_cursors").as_array().at(n - 1).as_string());
  const SimAnswer answer = sim.call("GET", path);
  REQUIRE(answer.status == 200);
  return answer.body;
}

}  // namespace

TEST_CASE("Well-formed parts missing their last files are never evidence, all verified in the end, "
          "no unsafe deletion",
          "[cozy-admin][evidence]") {
  Options options;
  options.accounts = 200;
  options.max_fraction = 1.0;
  Stand s(options);
  s.sim->put_faults(R"({"part_missing_entries": 0.1})");
  s.run();
  // A part still incomplete after three downloads: exported again once the
  // 24-hour rule allows (a handful of accounts, about one run in three).
  for (int round = 0; round < 4 && in_state(s.ws, "GRACE") < options.accounts; ++round) {
    s.advance(hours(25));
    s.run();
  }
  const json::object stats = s.sim->stats();
  INFO("requests: " << requests_text(stats));
  CHECK(stat(stats, "parts_incomplete_served") > 0);
  REQUIRE(in_state(s.ws, "GRACE") == options.accounts);
  // Every verified account rests on an export the stack served whole.
  Db db(s.ws.database());
  const auto accounts = db.rows("SELECT domain, evidence FROM accounts");
  int not_served_whole = 0;
  for (const auto& row : accounts) {
    const json::value exported = s.sim->export_of(row[0]);
    if (!exported.is_object() || !exported.at("fully_read").as_bool()) ++not_served_whole;
  }
  CHECK(not_served_whole == 0);
  // The evidence says what was checked, and it adds up to the space.
  for (const auto& row : accounts) {
    INFO(row[0] << ": " << row[1]);
    const json::object evidence = json::parse(row[1]).as_object();
    REQUIRE(evidence.contains("content"));
    REQUIRE(evidence.contains("disk_usage"));
    const json::object& content = evidence.at("content").as_object();
    const json::object& usage = evidence.at("disk_usage").as_object();
    CHECK(content.at("file_bytes").as_int64() == usage.at("files").as_int64());
    CHECK(content.at("version_bytes").as_int64() == usage.at("versions").as_int64());
    CHECK(content.at("files").as_int64() > 0);
  }

  s.sim->clear_faults();
  s.advance(days(32));  // past every grace end (a month after each verification)
  Stand::require_exit(s.purge(), 0);
  const json::object after = s.sim->stats();
  CHECK(stat(after, "deletions") == options.accounts);
  CHECK(stat(after, "unsafe_deletions") == 0);
}

TEST_CASE("An export that ends in error fails its attempt at once and keeps the 24-hour rule",
          "[cozy-admin][evidence]") {
  Options options;
  options.accounts = 5;
  Stand s(options);  // export_deadline: 60 seconds
  s.sim->put_faults(R"({"export_error": 1})");
  const auto started = std::chrono::steady_clock::now();
  s.run();
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took < std::chrono::seconds(30));  // not at the 60-second deadline
  Db db(s.ws.database());
  for (const auto& row : db.rows("SELECT login, state, state_reason, due_at FROM accounts")) {
    INFO(row[0] << " " << row[1] << " " << row[2] << " due " << row[3]);
    CHECK(row[1] == "RETRY_WAIT");
    CHECK(row[2].find("export ended in error: The export failed") != std::string::npos);
    // The next request waits 24 hours after this one.
    CHECK(parse_iso_utc(row[3]) >= s.now + hours(24));
  }
  CHECK(stat(s.sim->stats(), "duplicate_exports_24h") == 0);
}

TEST_CASE("An export Passage did not request is recorded and never taken as its evidence",
          "[cozy-admin][evidence]") {
  Options options;
  options.accounts = 4;
  Stand s(options);
  // Passage's own export jobs are lost by the stack: no event ever comes.
  s.sim->put_faults(R"({"export_silent_fail": 1})");
  // The run is stopped (SIGTERM) once it recorded the people's exports:
  // waiting on that, not on a wall-clock time, holds under a sanitizer's
  // slowdown.
  BackgroundProcess run(s.ws.passage_argv({"run", "--max-duration", "10 minutes", "--now", iso_utc(s.now)}),
                        s.ws.dir(), s.ws.dir() / "run.out", s.ws.dir() / "run.err", s.ws.environment());
  // Every job of Passage's ran and ended, its events lost.
  const auto all_ended = [&] {
    for (int n = 1; n <= options.accounts; ++n) {
      const json::value exported = s.sim->export_of(login_of(n) + ".mytoutatice.cloud");
      if (!exported.is_object() || exported.at("state") != "error") return false;
    }
    return true;
  };
  REQUIRE(wait_until(all_ended, Millis(20000), Millis(50)));
  // The people export their spaces themselves; the stack's documents are
  // dated before Passage's requests (a clock behind, or events late).
  s.sim->clear_faults();
  s.sim->advance_clock(-3600);
  for (int n = 1; n <= options.accounts; ++n) {
    const SimAnswer answer = s.sim->call("POST", "/_sim/user-export?domain=" + login_of(n) + ".mytoutatice.cloud");
    REQUIRE(answer.status == 202);
  }
  s.sim->advance_clock(3600);
  const auto foreign_recorded = [&] {
    return Db(s.ws.database()).scalar("SELECT COUNT(*) FROM journal WHERE kind = 'foreign_export'") ==
           options.accounts;
  };
  const bool recorded = wait_until(foreign_recorded, Millis(240000), Millis(200));
  ::kill(run.pid(), SIGTERM);
  REQUIRE(run.wait_exit(Millis(120000)));
  INFO("run stderr: " << read_file(s.ws.dir() / "run.err"));
  CHECK(recorded);
  Db db(s.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE evidence <> ''") == 0);
  CHECK(in_state(s.ws, "VERIFYING") + in_state(s.ws, "VERIFIED") + in_state(s.ws, "GRACE") == 0);
  CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE outcome = 'foreign'") == options.accounts);
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE kind = 'foreign_export'") == options.accounts);
}

TEST_CASE("After the clock stepped back, a run waiting for an export event does not sit on a timer hours away",
          "[cozy-admin][evidence][clock]") {
  const SysSeconds start = parse_iso_utc("2026-11-25T10:00:00Z");
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 3, "2026-12-10");  // within the 21-day lead
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", iso_utc(start));
  use_cozy_config(ws, sim.port(), CozyConfig{200, 20, 8, 4, "5 seconds"});
  sim.put_faults(R"({"export_silent_fail": 1})");  // no event will come
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", iso_utc(start)}).exit_code == 0);
  ProcessResult cut = ws.passage({"run", "--max-duration", "2 seconds", "--now", iso_utc(start)});
  INFO("first run: " << cut.exit_code << " " << cut.out << cut.err);
  INFO("states: " << Db(ws.database()).rows("SELECT state || ' ' || state_reason FROM accounts")[0][0]);
  REQUIRE(in_state(ws, "EXPORTING") == 3);
  Db db(ws.database());
  const auto due_before = db.rows("SELECT login, due_at FROM accounts ORDER BY login");

  // The clock is four hours behind now: each timer is four hours away.
  const auto started = std::chrono::steady_clock::now();
  ProcessResult behind = ws.passage({"run", "--until-idle", "--now", iso_utc(start - hours(4))}, Millis(60000));
  INFO("run behind: " << behind.err);
  REQUIRE_FALSE(behind.timed_out);
  CHECK(behind.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  // Nothing given up, nothing shortened: the same timers, still EXPORTING.
  CHECK(in_state(ws, "EXPORTING") == 3);
  CHECK(db.rows("SELECT login, due_at FROM accounts ORDER BY login") == due_before);
}

TEST_CASE("An export replaced before Passage downloaded it (its first part an empty zip) is exported "
          "again, never taken as evidence and never failed for good",
          "[cozy-admin][evidence]") {
  Options options;
  options.accounts = 1;
  Stand s(options);
  // Every download comes cut: the account waits to download again.
  s.sim->put_faults(R"({"truncate_part": 1})");
  BackgroundProcess run(s.ws.passage_argv({"run", "--max-duration", "8 seconds", "--now", iso_utc(s.now)}),
                        s.ws.dir(), s.ws.dir() / "run.out", s.ws.dir() / "run.err", s.ws.environment());
  REQUIRE(run.wait_exit(k_timeout));
  const std::string domain = login_of(1) + ".mytoutatice.cloud";
  const json::value first = s.sim->export_of(domain);
  REQUIRE(first.is_object());
  const std::string first_id(first.at("_id").as_string());
  {
    Db db(s.ws.database());
    const auto row = db.rows("SELECT state, retry_step FROM accounts")[0];
    INFO(row[0] << " " << row[1]);
    REQUIRE((row[0] == "VERIFYING" || row[1] == "VERIFYING"));
  }
  // The person exports the space meanwhile: Passage's export is replaced.
  s.sim->clear_faults();
  REQUIRE(s.sim->call("POST", "/_sim/user-export?domain=" + domain).status == 202);
  REQUIRE(wait_until([&] {
    const json::value now = s.sim->export_of(domain);
    return now.is_object() && now.at("_id").as_string() != first_id && now.at("state") == "done";
  }, Millis(10000), Millis(20)));

  s.advance(hours(1));
  s.run();
  {
    Db db(s.ws.database());
    const auto row = db.rows("SELECT state, state_reason, due_at FROM accounts")[0];
    INFO(row[0] << " (" << row[1] << ") due " << row[2]);
    CHECK(row[0] != "FAILED");
    CHECK(row[0] != "VERIFIED");
    CHECK(row[0] != "NOTIFIED");
  }
  // After the 24-hour rule: exported again and verified on that export.
  s.advance(hours(24));
  s.run();
  const json::object stats = s.sim->stats();
  INFO("stats: " << json::serialize(stats));
  CHECK(route_count(stats, "POST /instances/:domain/export", "202") == 2);
  CHECK(stat(stats, "duplicate_exports_24h") == 0);
  CHECK(stat(stats, "replaced_parts_served") >= 1);
  Db db(s.ws.database());
  const auto row = db.rows("SELECT state, evidence FROM accounts")[0];
  INFO(row[0] << " " << row[1]);
  CHECK((row[0] == "GRACE" || row[0] == "NOTIFIED"));
  const json::object evidence = json::parse(row[1]).as_object();
  CHECK(evidence.at("export_id").as_string() != first_id);
}

TEST_CASE("Spaces holding accented file and folder names, flagged UTF-8 as cozy-stack's Go writer does, "
          "are verified with those files counted in the evidence",
          "[cozy-admin][evidence][names]") {
  // libarchive converts a name flagged UTF-8 to the locale's charset: in
  // the C locale (passage's, as a service runs it) it could not, and every
  // such part was invalid. The simulator's spaces hold a folder "Été 2026"
  // and files named "compte-rendu réunion …", "naïve ~ café …".
  Options options;
  options.accounts = 5;
  Stand s(options);
  s.run();
  CHECK(in_state(s.ws, "GRACE") == options.accounts);
  Db db(s.ws.database());
  std::int64_t accented = 0;
  for (const auto& row : db.rows("SELECT domain, state, state_reason, evidence FROM accounts")) {
    INFO(row[0] << " " << row[1] << " (" << row[2] << "): " << row[3]);
    REQUIRE_FALSE(row[3].empty());
    const json::object evidence = json::parse(row[3]).as_object();
    const json::value exported = s.sim->export_of(row[0]);
    REQUIRE(exported.is_object());
    REQUIRE(exported.at("_id") == evidence.at("export_id"));
    CHECK(exported.at("fully_read").as_bool());
    // Each part's evidence counts every entry and every file it holds,
    // the accented ones included.
    std::int64_t files = 0;
    for (const json::value& item : evidence.at("parts").as_array()) {
      const json::object& part = item.as_object();
      const int n = part.at("n").to_number<int>();
      const PartNames names = part_names(download_part(*s.sim, row[0], exported.as_object(), n));
      INFO("part " << n);
      CHECK(part.at("entries").as_int64() == names.entries);
      CHECK(part.at("content").at("files").as_int64() == names.files);
      files += names.files;
      accented += names.accented_files;
    }
    CHECK(evidence.at("content").at("files").as_int64() == files);
    CHECK(evidence.at("content").at("file_bytes").as_int64() == evidence.at("disk_usage").at("files").as_int64());
  }
  CHECK(accented > 0);
}
