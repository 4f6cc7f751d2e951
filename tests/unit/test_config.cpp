#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "engine/config/config.hpp"

using namespace passage;
namespace fs = std::filesystem;

namespace {

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    m_path = fs::temp_directory_path() /
             ("passage-config-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter++));
    fs::remove_all(m_path);
    fs::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path file = m_path / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : m_name(std::move(name)) {
    ::setenv(m_name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(m_name.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string m_name;
};

const std::string k_dry_stack =
    "stacks:\n"
    "  - name: test\n"
    "    backend: dry-run\n"
    "    domains: [\"*.example.test\"]\n";

std::string joined(const std::vector<std::string>& errors) {
  std::string text;
  for (const auto& error : errors) text += error + "\n";
  return text;
}

// Loads `text` and expects exactly the errors given, with the file name
// prefixed ("LINE: message").
void check_errors(const std::string& text, const std::vector<std::string>& expected) {
  TempDir dir;
  const auto file = dir.write("config.yaml", text);
  const auto result = load_config(file);
  INFO(joined(result.errors));
  CHECK_FALSE(result.config);
  std::vector<std::string> want;
  for (const auto& line : expected) want.push_back(file.string() + ":" + line);
  CHECK(result.errors == want);
}

// Loads `text` and reads its secrets, as a command talking to the stacks does.
Config load_valid(const TempDir& dir, const std::string& text) {
  const auto result = load_config(dir.write("config.yaml", text));
  INFO(joined(result.errors));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config);
  Config config = *result.config;
  const auto secret_errors = resolve_secrets(config);
  INFO(joined(secret_errors));
  REQUIRE(secret_errors.empty());
  return config;
}

}  // namespace

TEST_CASE("a full config with every key", "[config]") {
  TempDir dir;
  const ScopedEnv passphrase{"PASSAGE_TEST_FULL_PASSPHRASE", "full-secret"};
  const ScopedEnv ldap{"PASSAGE_TEST_LDAP_PASSWORD", "ldap-secret"};
  const Config config = load_valid(dir, R"(
database: /srv/passage/passage.db
timezone: America/New_York
grace: 30 days
reminders: [14 days, 3 days, 1 hour]
stacks:
  - name: academy
    backend: cozy-admin
    url: https://admin.example.test:6060
    passphrase_env: PASSAGE_TEST_FULL_PASSPHRASE
    domains: ["*.mytoutatice.cloud", "Exact.Example.Test"]
    rate: { per_second: 12.5, burst: 30 }
    max_in_flight: 8
    max_exports_in_flight: 2
    export_window: "20:00-06:00"
    export_deadline: 90 minutes
    import_deadline: 4 hours
    delete_timeout: 15 minutes
    dry_run: { seed: 7, transient_failure_rate: 0.5, permanent_failure_rate: 0.25, never_move_rate: 0.125, duration_ms: [1, 2] }
  - name: rehearsal
    backend: dry-run
    domains: [rehearsal.test]
notify:
  notifier: smtp
  dir: out/mail
  smtp_url: smtps://mail.example.test:465
  from: passage@example.test
  language: en
  rate: { per_second: 2 }
  starttls: required
  templates: my-templates
  support_contact: support@example.test
lead: 14 days
export: { delivery: archive, archive_dir: /srv/archive, archive_retention: 2 months, final_export: none }
move: { fallback_before_departure: 3 days, poll_interval: 30 minutes, reminders: [5 days], overwrite: true }
campaign: { max_change_fraction: 0.2 }
support: { max_postpone: 30 days, max_grant: 7 days }
purge: { max_per_run: 100, max_fraction: 0.1, max_reexports: 2 }
directory:
  provider: ldap
  url: ldaps://ldap.example.test
  base_dn: ou=people,dc=example,dc=test
  bind_dn: cn=passage,dc=example,dc=test
  password_env: PASSAGE_TEST_LDAP_PASSWORD
  filter: (mail={login})
  departed_attribute: status
  departed_value: gone
reports: { dir: /srv/reports }
idle_horizon: 5 minutes
retry_budget: 3
allow_future_purge: true
serve:
  listen: 127.0.0.1:9470
  token_env: PASSAGE_TEST_DESK_TOKEN
  agents_file: desk/agents
  public_listen: "[::1]:9471"
  public_url: https://passage.example.test/links/
  link_ttl: 3 days
)");
  CHECK(config.database == "/srv/passage/passage.db");
  CHECK(config.timezone == "America/New_York");
  CHECK(config.zone == date::locate_zone("America/New_York"));
  CHECK(config.grace == CalendarSpan{30, SpanUnit::day});
  CHECK(config.reminders == std::vector<CalendarSpan>{{14, SpanUnit::day},
                                                      {3, SpanUnit::day},
                                                      {1, SpanUnit::hour}});
  REQUIRE(config.stacks.size() == 2);
  const StackConfig& academy = config.stacks[0];
  CHECK(academy.name == "academy");
  CHECK(academy.backend == "cozy-admin");
  CHECK(academy.url == "https://admin.example.test:6060");
  CHECK(academy.passphrase.reveal() == "full-secret");
  CHECK(academy.domains == std::vector<std::string>{"*.mytoutatice.cloud", "exact.example.test"});
  CHECK(academy.rate.per_second == 12.5);
  CHECK(academy.rate.burst == 30);
  CHECK(academy.max_in_flight == 8);
  CHECK(academy.max_exports_in_flight == 2);
  REQUIRE(academy.export_window);
  CHECK(academy.export_window->start_minute == 20 * 60);
  CHECK(academy.export_window->end_minute == 6 * 60);
  CHECK(academy.export_deadline == CalendarSpan{90, SpanUnit::minute});
  CHECK(academy.import_deadline == CalendarSpan{4, SpanUnit::hour});
  CHECK(academy.delete_timeout == CalendarSpan{15, SpanUnit::minute});
  CHECK(academy.dry_run.seed == 7);
  CHECK(academy.dry_run.transient_failure_rate == 0.5);
  CHECK(academy.dry_run.permanent_failure_rate == 0.25);
  CHECK(academy.dry_run.never_move_rate == 0.125);
  CHECK(academy.dry_run.min_duration_ms == 1);
  CHECK(academy.dry_run.max_duration_ms == 2);
  CHECK(config.stacks[1].backend == "dry-run");
  CHECK(config.stacks[1].passphrase.empty());

  CHECK(config.notify.notifier == "smtp");
  CHECK(config.notify.dir == dir.path() / "out/mail");
  CHECK(config.notify.smtp_url == "smtps://mail.example.test:465");
  CHECK(config.notify.from == "passage@example.test");
  CHECK(config.notify.language == "en");
  CHECK(config.notify.rate_per_second == 2);
  CHECK(config.notify.starttls == "required");
  CHECK(config.notify.templates == dir.path() / "my-templates");
  CHECK(config.notify.support_contact == "support@example.test");
  CHECK(config.lead == CalendarSpan{14, SpanUnit::day});
  CHECK(config.export_.delivery == "archive");
  CHECK(config.export_.archive_dir == "/srv/archive");
  CHECK(config.export_.archive_retention == CalendarSpan{2, SpanUnit::month});
  CHECK(config.export_.final_export == "none");
  CHECK(config.move.fallback_before_departure == CalendarSpan{3, SpanUnit::day});
  CHECK(config.move.poll_interval == CalendarSpan{30, SpanUnit::minute});
  CHECK(config.move.reminders == std::vector<CalendarSpan>{{5, SpanUnit::day}});
  CHECK(config.move.overwrite);
  CHECK(config.campaign_max_change_fraction == 0.2);
  CHECK(config.support_max_postpone == CalendarSpan{30, SpanUnit::day});
  CHECK(config.support_max_grant == CalendarSpan{7, SpanUnit::day});
  CHECK(config.purge.max_per_run == 100);
  CHECK(config.purge.max_fraction == 0.1);
  CHECK(config.purge.max_reexports == 2);
  REQUIRE(config.directory);
  CHECK(config.directory->provider == "ldap");
  CHECK(config.directory->url == "ldaps://ldap.example.test");
  CHECK(config.directory->base_dn == "ou=people,dc=example,dc=test");
  CHECK(config.directory->bind_dn == "cn=passage,dc=example,dc=test");
  CHECK(config.directory->password.reveal() == "ldap-secret");
  CHECK(config.directory->filter == "(mail={login})");
  CHECK(config.directory->departed_attribute == "status");
  CHECK(config.directory->departed_value == "gone");
  CHECK(config.reports_dir == "/srv/reports");
  CHECK(config.idle_horizon == CalendarSpan{5, SpanUnit::minute});
  CHECK(config.retry_budget == 3);
  CHECK(config.allow_future_purge);
  CHECK(config.serve.listen == "127.0.0.1:9470");
  CHECK(config.serve.token_env == "PASSAGE_TEST_DESK_TOKEN");
  CHECK_FALSE(config.serve.token_file);
  CHECK(config.serve.agents_file == dir.path() / "desk/agents");
  CHECK(config.serve.public_listen == std::optional<std::string>("[::1]:9471"));
  CHECK(config.serve.public_url == std::optional<std::string>("https://passage.example.test/links"));
  CHECK(config.serve.link_ttl == CalendarSpan{3, SpanUnit::day});
}

TEST_CASE("every optional key has its contract default", "[config]") {
  TempDir dir;
  const Config config = load_valid(dir, k_dry_stack);
  CHECK(config.database == dir.path() / "var/passage.db");
  CHECK(config.timezone == "Europe/Paris");
  CHECK(config.zone == date::locate_zone("Europe/Paris"));
  CHECK(config.grace == CalendarSpan{1, SpanUnit::month});
  CHECK(config.reminders == std::vector<CalendarSpan>{{7, SpanUnit::day}, {1, SpanUnit::day}});
  REQUIRE(config.stacks.size() == 1);
  const StackConfig& stack = config.stacks[0];
  CHECK(stack.rate.per_second == 20);
  CHECK(stack.rate.burst == 40);
  CHECK(stack.max_in_flight == 16);
  CHECK(stack.max_exports_in_flight == 4);
  CHECK_FALSE(stack.export_window);
  CHECK(stack.export_deadline == CalendarSpan{2, SpanUnit::hour});
  CHECK(stack.import_deadline == CalendarSpan{3, SpanUnit::hour});
  CHECK(stack.delete_timeout == CalendarSpan{30, SpanUnit::minute});
  CHECK(stack.dry_run.seed == 1);
  CHECK(stack.dry_run.transient_failure_rate == 0.05);
  CHECK(stack.dry_run.permanent_failure_rate == 0.0);
  CHECK(stack.dry_run.never_move_rate == 0.0);
  CHECK(stack.dry_run.min_duration_ms == 5);
  CHECK(stack.dry_run.max_duration_ms == 50);
  CHECK(config.notify.notifier == "outbox");
  CHECK(config.notify.dir == dir.path() / "var/outbox");
  CHECK(config.notify.from == "mytoutatice.cloud@ac-rennes.fr");
  CHECK(config.notify.language == "fr");
  CHECK(config.notify.rate_per_second == 5);
  CHECK(config.notify.starttls == "opportunistic");
  CHECK_FALSE(config.notify.templates);
  CHECK(config.lead == CalendarSpan{21, SpanUnit::day});
  CHECK(config.export_.delivery == "space");
  CHECK(config.export_.archive_dir == dir.path() / "var/archive");
  CHECK(config.export_.archive_retention == CalendarSpan{90, SpanUnit::day});
  CHECK(config.export_.final_export == "archive");
  CHECK(config.move.fallback_before_departure == CalendarSpan{7, SpanUnit::day});
  CHECK(config.move.poll_interval == CalendarSpan{1, SpanUnit::hour});
  CHECK(config.move.reminders == std::vector<CalendarSpan>{{7, SpanUnit::day}, {2, SpanUnit::day}});
  CHECK_FALSE(config.move.overwrite);
  CHECK(config.campaign_max_change_fraction == 0.10);
  CHECK(config.support_max_postpone == CalendarSpan{60, SpanUnit::day});
  CHECK(config.support_max_grant == CalendarSpan{14, SpanUnit::day});
  CHECK(config.purge.max_per_run == 500);
  CHECK(config.purge.max_fraction == 0.05);
  CHECK(config.purge.max_reexports == 1);
  CHECK_FALSE(config.directory);
  CHECK(config.reports_dir == dir.path() / "reports/out");
  CHECK(config.idle_horizon == CalendarSpan{10, SpanUnit::minute});
  CHECK(config.retry_budget == 8);
  CHECK_FALSE(config.allow_future_purge);
  CHECK(config.serve.listen == "127.0.0.1:8470");
  CHECK_FALSE(config.serve.public_listen);
  CHECK_FALSE(config.serve.public_url);
  CHECK(config.serve.link_ttl == CalendarSpan{7, SpanUnit::day});
}

TEST_CASE("archive delivery needs serve.public_url, named in the error", "[config][delivery]") {
  check_errors(k_dry_stack + "export:\n  delivery: archive\n",
               {"6: export.delivery: archive needs serve.public_url (the address of the personal "
                "download links, served by `passage serve --public`)"});
  TempDir dir;
  const Config config = load_valid(
      dir, k_dry_stack + "export: { delivery: archive }\nserve: { public_url: http://127.0.0.1:8471 }\n");
  CHECK(config.export_.delivery == "archive");
  CHECK(config.serve.public_url == std::optional<std::string>("http://127.0.0.1:8471"));
}

TEST_CASE("serve keys: addresses, public URL, null means unset", "[config]") {
  TempDir dir;
  const Config nulls = load_valid(dir, k_dry_stack + "serve: { public_listen: null, public_url: null }\n");
  CHECK_FALSE(nulls.serve.public_listen);
  CHECK_FALSE(nulls.serve.public_url);
  check_errors(k_dry_stack + "serve:\n  public_listen: localhost\n  public_url: ftp://x.test\n  link_ttl: 0 days\n",
               {"6: serve.public_listen: must be ADDRESS:PORT with an IP address, e.g. 127.0.0.1:8471",
                "7: serve.public_url: must be an https:// (or http://) URL without query, e.g. "
                "https://passage.example.org",
                "8: serve.link_ttl: must be longer than 0"});
  CHECK(parse_listen_address("127.0.0.1:8471")->port == 8471);
  CHECK(parse_listen_address("[::1]:0")->host == "::1");
  CHECK_FALSE(parse_listen_address("127.0.0.1:65536"));
  CHECK_FALSE(parse_listen_address("127.0.0.1"));
  CHECK_FALSE(parse_listen_address("example.org:80"));
}

TEST_CASE("null templates and directory mean none", "[config]") {
  TempDir dir;
  const Config config = load_valid(dir, k_dry_stack + "notify: { templates: null }\ndirectory:\n");
  CHECK_FALSE(config.notify.templates);
  CHECK_FALSE(config.directory);
}

TEST_CASE("relative paths resolve against the config file's folder", "[config]") {
  TempDir dir;
  dir.write("etc/secrets/pass", "from-file\n");
  const auto file = dir.write("etc/passage.yaml", R"(database: data/passage.db
stacks:
  - name: academy
    backend: cozy-admin
    url: http://127.0.0.1:6060
    passphrase_file: secrets/pass
    domains: [a.test]
notify: { dir: ../outbox, templates: tpl }
export: { archive_dir: /abs/archive }
reports: { dir: out/reports }
directory: { provider: csv, file: people.csv }
)");
  const auto result = load_config(file);
  INFO(joined(result.errors));
  REQUIRE(result.config);
  const fs::path etc = dir.path() / "etc";
  CHECK(result.config->file == file);
  CHECK(result.config->database == etc / "data/passage.db");
  CHECK(result.config->notify.dir == dir.path() / "outbox");
  CHECK(result.config->notify.templates == etc / "tpl");
  CHECK(result.config->export_.archive_dir == "/abs/archive");
  CHECK(result.config->reports_dir == etc / "out/reports");
  REQUIRE(result.config->directory);
  CHECK(result.config->directory->provider == "csv");
  CHECK(result.config->directory->file == etc / "people.csv");
  Config config = *result.config;
  CHECK(config.stacks[0].passphrase.reveal().empty());  // read only by the commands that need it
  CHECK(resolve_secrets(config).empty());
  CHECK(config.stacks[0].passphrase.reveal() == "from-file");
}

TEST_CASE("a passphrase comes from the environment or a file", "[config]") {
  TempDir dir;
  const ScopedEnv env{"PASSAGE_TEST_ENV_PASSPHRASE", "env-secret"};
  dir.write("pass.txt", "file-secret\r\n\n");
  const Config config = load_valid(dir, R"(stacks:
  - name: one
    backend: cozy-admin
    url: http://one.test
    passphrase_env: PASSAGE_TEST_ENV_PASSPHRASE
    domains: ["*.one.test"]
  - name: two
    backend: cozy-admin
    url: http://two.test
    passphrase_file: pass.txt
    domains: ["*.two.test"]
  - name: three
    backend: dry-run
    passphrase_env: PASSAGE_TEST_NEVER_SET
    domains: ["*.three.test"]
)");
  CHECK(config.stacks[0].passphrase.reveal() == "env-secret");
  CHECK(config.stacks[1].passphrase.reveal() == "file-secret");
  CHECK(config.stacks[2].passphrase.empty());  // dry-run ignores it, even unset
}

TEST_CASE("a missing secret names the key and variable, never a value", "[config]") {
  TempDir dir;
  const ScopedEnv present{"PASSAGE_TEST_PRESENT", "top-secret-value"};
  dir.write("pass.txt", "file-secret-value\n");
  const auto file = dir.write("config.yaml", R"(stacks:
  - name: one
    backend: cozy-admin
    url: http://one.test
    passphrase_env: PASSAGE_TEST_ABSENT
    domains: ["*.one.test"]
  - name: two
    backend: cozy-admin
    url: http://two.test
    passphrase_file: missing.txt
    domains: ["*.two.test"]
  - name: three
    backend: cozy-admin
    url: http://three.test
    passphrase_env: PASSAGE_TEST_PRESENT
    domains: ["*.three.test"]
  - name: four
    backend: cozy-admin
    url: http://four.test
    passphrase_file: pass.txt
    domains: ["*.four.test"]
)");
  // Loading reads no secret: the file is valid.
  const auto result = load_config(file);
  INFO(joined(result.errors));
  REQUIRE(result.config);
  Config config = *result.config;
  const auto errors = resolve_secrets(config);
  REQUIRE(errors.size() == 2);
  const std::string f = file.string();
  CHECK(errors[0] == f + ":5: stacks[0].passphrase_env: environment variable PASSAGE_TEST_ABSENT is not set");
  CHECK(errors[1].starts_with(f + ":10: stacks[1].passphrase_file: cannot read " +
                              (dir.path() / "missing.txt").string()));
  for (const auto& error : errors) {
    CHECK(error.find("top-secret-value") == std::string::npos);
    CHECK(error.find("file-secret-value") == std::string::npos);
  }
  CHECK(config.stacks[2].passphrase.reveal() == "top-secret-value");
  CHECK(config.stacks[3].passphrase.reveal() == "file-secret-value");
}

TEST_CASE("a cozy-admin stack without passphrase_env or passphrase_file is a config error", "[config]") {
  check_errors(R"(stacks:
  - name: five
    backend: cozy-admin
    url: http://five.test
    domains: ["*.five.test"]
)",
               {"2: stacks[0].passphrase_env: is required for a cozy-admin stack (or passphrase_file)"});
}

TEST_CASE("each kind of error is reported at its line", "[config]") {
  check_errors(k_dry_stack + "grace: 1 fortnight\n",
               {"5: grace: must be a duration like \"21 days\" "
                "(<integer> second|minute|hour|day|week|month)"});
  check_errors(k_dry_stack + "grace: 0 days\n", {"5: grace: must be longer than 0"});
  check_errors(k_dry_stack + "retry_budget: many\n",
               {"5: retry_budget: must be a positive integer"});
  check_errors(k_dry_stack + "allow_future_purge: maybe\n",
               {"5: allow_future_purge: must be true or false"});
  check_errors(k_dry_stack + "timezone: Europe/Atlantis\n",
               {"5: timezone: unknown time zone \"Europe/Atlantis\""});
  check_errors(k_dry_stack + "notify:\n  language: de\n", {"6: notify.language: must be fr or en"});
  check_errors(k_dry_stack + "notify:\n  notifier: pigeon\n",
               {"6: notify.notifier: must be outbox or smtp"});
  check_errors(k_dry_stack + "notify:\n  notifier: smtp\n",
               {"5: notify.smtp_url: is required with notifier smtp"});
  check_errors(k_dry_stack + "purge: { max_fraction: 1.5 }\n",
               {"5: purge.max_fraction: must be a number between 0 and 1"});
  check_errors(k_dry_stack + "reminders: [7 days, 1 dya]\n",
               {"5: reminders[1]: must be a duration like \"21 days\" "
                "(<integer> second|minute|hour|day|week|month)"});
  check_errors(k_dry_stack + "reminders: 7 days\n", {"5: reminders: must be a list"});
  check_errors(k_dry_stack + "export: space\n", {"5: export: must be a mapping of keys"});
  check_errors(k_dry_stack + "directory: { provider: ldap }\n",
               {"5: directory.url: is required for provider ldap",
                "5: directory.base_dn: is required for provider ldap",
                "5: directory.departed_attribute: is required for provider ldap",
                "5: directory.departed_value: is required for provider ldap"});
  check_errors(k_dry_stack + "directory: { provider: csv }\n",
               {"5: directory.file: is required for provider csv"});
  check_errors(k_dry_stack + "grace: 1 month\ngrace: 2 months\n",
               {"6: grace: appears twice (first at line 5)"});
}

TEST_CASE("stack errors name the stack and the key, all in one pass", "[config]") {
  check_errors(R"(stacks:
  - name: academy
    backend: cozy-admin
    url: ftp://nope
    passphrase_env: PASSAGE_TEST_NOT_THERE_EITHER
    domains: []
    rate:
      per_second: -3
      burst: 0
    max_in_flight: 0
    export_window: "25:00-06:00"
    dry_run: { transient_failure_rate: 2, duration_ms: [50, 5] }
  - backend: satellite
    domains: ["bad*pattern"]
)",
               {
                   "4: stacks[0].url: must be an http:// or https:// URL",
                   "6: stacks[0].domains: must list at least one domain",
                   "8: stacks[0].rate.per_second: must be a positive number",
                   "9: stacks[0].rate.burst: must be a positive integer",
                   "10: stacks[0].max_in_flight: must be a positive integer",
                   "11: stacks[0].export_window: must be a local time window like \"20:00-06:00\"",
                   "12: stacks[0].dry_run.transient_failure_rate: must be a number between 0 and 1",
                   "12: stacks[0].dry_run.duration_ms: must be [min, max] in milliseconds, "
                   "0 <= min <= max",
                   "13: stacks[1].name: is required",
                   "13: stacks[1].backend: must be cozy-admin or dry-run",
                   "14: stacks[1].domains[0]: \"bad*pattern\" is not a domain or a \"*.domain\" "
                   "pattern",
               });
}

TEST_CASE("errors from every part of the file come together, in file order", "[config]") {
  check_errors("grace: soon\n" + k_dry_stack +
                   "    max_exports_in_flight: lots\n"
                   "notify: { from: nobody }\n"
                   "retry_budget: 0\n",
               {
                   "1: grace: must be a duration like \"21 days\" "
                   "(<integer> second|minute|hour|day|week|month)",
                   "6: stacks[0].max_exports_in_flight: must be a positive integer",
                   "7: notify.from: must be an e-mail address",
                   "8: retry_budget: must be a positive integer",
               });
}

TEST_CASE("unknown keys are errors at their line, with a hint for typos", "[config]") {
  check_errors("grase: 1 month\n" + k_dry_stack +
                   "    rat: { per_second: 3 }\n"
                   "notify:\n"
                   "  colour: blue\n",
               {
                   "1: grase: unknown key (did you mean \"grace\"?)",
                   "6: stacks[0].rat: unknown key (did you mean \"rate\"?)",
                   "8: notify.colour: unknown key",
               });
  check_errors(k_dry_stack + "directory: { provider: csv, file: d.csv, base_dn: x }\n",
               {"5: directory.base_dn: unknown key"});
}

TEST_CASE("stacks are required, named once and own their domains", "[config]") {
  check_errors("timezone: UTC\n", {"1: stacks: is required (at least one stack)"});
  check_errors("stacks: []\n", {"1: stacks: must list at least one stack"});
  check_errors(k_dry_stack +
                   "  - name: test\n"
                   "    backend: dry-run\n"
                   "    domains: [\"*.EXAMPLE.test\", other.test]\n",
               {"5: stacks[1].name: duplicate stack name \"test\" (also stacks[0])",
                "5: stacks[1].domains: \"*.example.test\" is also in stacks[0]"});
  check_errors(R"(stacks:
  - name: academy
    backend: cozy-admin
    passphrase_env: X
    passphrase_file: y
    domains: [a.test]
)",
               {"2: stacks[0].url: is required for a cozy-admin stack",
                "5: stacks[0].passphrase_file: give passphrase_env or passphrase_file, not both"});
}

TEST_CASE("unreadable, empty and malformed files", "[config]") {
  TempDir dir;
  const fs::path absent = dir.path() / "absent.yaml";
  const auto missing = load_config(absent);
  CHECK_FALSE(missing.config);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].starts_with(absent.string() + ": cannot read"));

  check_errors("", {"1: the configuration is empty"});
  check_errors("- just\n- a list\n", {"1: must be a mapping of keys"});
  check_errors(k_dry_stack + "notify: { dir: [unclosed\n",
               {"6: YAML syntax: end of sequence flow not found"});
}

namespace {

// k_dry_stack's stack serving *.example.test, then a dry-run stack `exact`
// serving `exact_domains` (a YAML flow list).
Config load_wildcard_and_exact(const TempDir& dir, const std::string& exact_domains) {
  return load_valid(dir, k_dry_stack +
                             "  - name: exact\n"
                             "    backend: dry-run\n"
                             "    domains: " + exact_domains + "\n");
}

// CHECKs that `stack` serves every domain of `served` and none of `not_served`.
void check_serves(const StackConfig& stack, const std::vector<std::string>& served,
                  const std::vector<std::string>& not_served) {
  for (const std::string& domain : served) {
    INFO("served: \"" << domain << "\"");
    CHECK(stack.serves(domain));
  }
  for (const std::string& domain : not_served) {
    INFO("not served: \"" << domain << "\"");
    CHECK_FALSE(stack.serves(domain));
  }
}

}  // namespace

TEST_CASE("serves and stack_for match domain patterns", "[config]") {
  TempDir dir;
  const Config config = load_wildcard_and_exact(dir, "[example.test, solo.other.test]");
  check_serves(config.stacks[0], {"alice.example.test", "Alice.Example.Test", "a.b.example.test"},
               {"example.test", "aliceexample.test", ".example.test"});
  CHECK(config.stack_for("bob.example.test") == &config.stacks[0]);
  CHECK(config.stack_for("example.test") == &config.stacks[1]);
  CHECK(config.stack_for("solo.other.test") == &config.stacks[1]);
  CHECK(config.stack_for("x.solo.other.test") == nullptr);
  CHECK(config.stack_for("unknown.test") == nullptr);
}

TEST_CASE("a stack serves a domain written in any ASCII case, and nothing else", "[config][import-pass]") {
  // Looked up for every row of an import without a lowercased copy (issue
  // 15): the same answers as comparing std::tolower's copy in the C locale.
  TempDir dir;
  const Config config = load_wildcard_and_exact(dir, "[Solo.Other.Test]");
  const StackConfig& wildcard = config.stacks[0];
  const StackConfig& exact = config.stacks[1];
  check_serves(wildcard,
               {"ALICE.EXAMPLE.TEST",
                "\xC3\x89lise.example.tEST",  // bytes past ASCII are kept as they are
                "x.example.test"},
               {"x.example.test.", "x.\xC3\x89xample.test", "x.example.tes", ""});
  check_serves(exact, {"solo.other.test", "SOLO.other.TEST"},
               {"xsolo.other.test", "olo.other.test", "solo.other.test "});
  CHECK(config.stack_for("Bob.Example.Test") == &wildcard);
  CHECK(config.stack_for("SOLO.OTHER.TEST") == &exact);
  // A pattern set by hand in another case serves nothing, as before.
  StackConfig upper = exact;
  upper.domains = {"*.Example.Test"};
  check_serves(upper, {}, {"a.example.test", "a.Example.Test"});
}

TEST_CASE("export windows may wrap midnight", "[config]") {
  const TimeWindow night{20 * 60, 6 * 60};
  CHECK(night.contains(20 * 60));
  CHECK(night.contains(23 * 60 + 59));
  CHECK(night.contains(0));
  CHECK(night.contains(6 * 60 - 1));
  CHECK_FALSE(night.contains(6 * 60));
  CHECK_FALSE(night.contains(12 * 60));
  const TimeWindow day{9 * 60, 17 * 60};
  CHECK(day.contains(9 * 60));
  CHECK_FALSE(day.contains(17 * 60));
  CHECK_FALSE(day.contains(8 * 60));
}
