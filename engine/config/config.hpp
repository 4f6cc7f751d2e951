#pragma once
// Passage's configuration (DESIGN.md "Configuration", CONTRACT.md
// "Configuration keys and defaults"). load_config() validates the whole file
// and reports every error as "FILE:LINE: message"; unknown keys are errors.
// Secrets are read at load time and live only in memory (Secret never
// prints its value).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/env/time.hpp"

namespace passage {

// A secret value: never printed, never stored.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : m_value(std::move(value)) {}
  const std::string& reveal() const { return m_value; }
  bool empty() const { return m_value.empty(); }

 private:
  std::string m_value;
};

// Where a secret is read from: an environment variable or a file. Only the
// commands that talk to the stacks or the directory read it (CONTRACT.md
// "Secrets by command"): resolve_secrets().
struct SecretSource {
  std::string env;             // the variable's name, or
  std::filesystem::path file;  // the file, resolved against the config's folder
  std::string field;           // "FILE:LINE: key", for errors (never the value)
  bool given() const { return !env.empty() || !file.empty(); }
};

struct RateLimit {
  double per_second = 20;
  int burst = 40;
};

// Minutes since local midnight; a window may wrap midnight ("20:00-06:00").
struct TimeWindow {
  int start_minute = 0;
  int end_minute = 0;
  bool contains(int minute_of_day) const;
};

struct DryRunOptions {
  std::uint64_t seed = 1;
  double transient_failure_rate = 0.05;
  double permanent_failure_rate = 0.0;
  double never_move_rate = 0.0;
  int min_duration_ms = 5;
  int max_duration_ms = 50;
};

struct StackConfig {
  std::string name;
  std::string backend;               // "cozy-admin" or "dry-run"
  std::string url;                   // cozy-admin only
  SecretSource passphrase_source;    // cozy-admin only
  Secret passphrase;                 // read by resolve_secrets()
  std::vector<std::string> domains;  // patterns: "*.mytoutatice.cloud" or exact
  RateLimit rate;
  int max_in_flight = 16;
  int max_exports_in_flight = 4;
  std::optional<TimeWindow> export_window;
  CalendarSpan export_deadline{2, SpanUnit::hour};
  CalendarSpan import_deadline{3, SpanUnit::hour};
  CalendarSpan delete_timeout{30, SpanUnit::minute};
  DryRunOptions dry_run;

  // True when `domain` matches one of the patterns ("*.x" matches any
  // subdomain of x, not x itself; other patterns match exactly).
  bool serves(const std::string& domain) const;
};

struct NotifyConfig {
  std::string notifier = "outbox";  // "outbox" or "smtp"
  std::filesystem::path dir = "var/outbox";
  std::string smtp_url;
  std::string from = "mytoutatice.cloud@ac-rennes.fr";
  std::string language = "fr";      // "fr" or "en"
  double rate_per_second = 5;
  std::string starttls = "opportunistic";  // or "required"
  std::optional<std::filesystem::path> templates;
  std::string support_contact;
};

struct ExportConfig {
  std::string delivery = "space";   // "space" or "archive"
  std::filesystem::path archive_dir = "var/archive";
  CalendarSpan archive_retention{90, SpanUnit::day};
  std::string final_export = "archive";  // "archive" or "none"
};

struct MoveConfig {
  CalendarSpan fallback_before_departure{7, SpanUnit::day};
  CalendarSpan poll_interval{1, SpanUnit::hour};
  std::vector<CalendarSpan> reminders{{7, SpanUnit::day}, {2, SpanUnit::day}};
  bool overwrite = false;  // an admin move may wipe a target that holds data
  // An admin move's import that fetched no byte and changed nothing on the
  // target for this long has stalled (cozy-stack imports part k before
  // fetching part k+1).
  CalendarSpan stall_timeout{90, SpanUnit::minute};
};

struct PurgeConfig {
  int max_per_run = 500;
  double max_fraction = 0.05;
  int max_reexports = 1;
};

// `passage serve` (the support desk page) and `passage serve
// --public` (download links and move parts), CONTRACT.md "Two servers".
struct ServeConfig {
  std::string listen = "127.0.0.1:8470";     // the desk page
  std::string token_env;                     // desk login: read by `serve` only
  std::optional<std::filesystem::path> token_file;
  std::optional<std::filesystem::path> agents_file;
  std::optional<std::string> public_listen;  // "host:port" of `serve --public`
  // The address people and stacks reach `serve --public` at, without a
  // trailing slash ("https://passage.example.org"); links are <public_url>/d/<token>.
  std::optional<std::string> public_url;
  CalendarSpan link_ttl{7, SpanUnit::day};
};

struct DirectoryConfig {
  std::string provider;  // "csv" or "ldap"
  std::filesystem::path file;  // csv
  std::string url, base_dn, bind_dn, filter = "(uid={login})";
  std::string departed_attribute, departed_value;
  SecretSource password_source;  // ldap, password_env
  Secret password;               // read by resolve_secrets()
};

struct Config {
  std::filesystem::path file;  // the config file itself
  std::filesystem::path database = "var/passage.db";
  std::string timezone = "Europe/Paris";
  const date::time_zone* zone = nullptr;  // resolved `timezone`
  CalendarSpan grace{1, SpanUnit::month};
  std::vector<CalendarSpan> reminders{{7, SpanUnit::day}, {1, SpanUnit::day}};
  std::vector<StackConfig> stacks;
  NotifyConfig notify;
  CalendarSpan lead{21, SpanUnit::day};
  ExportConfig export_;
  MoveConfig move;
  double campaign_max_change_fraction = 0.10;
  CalendarSpan support_max_postpone{60, SpanUnit::day};
  // account grant-access: the longest a moved space is opened again.
  CalendarSpan support_max_grant{14, SpanUnit::day};
  PurgeConfig purge;
  ServeConfig serve;
  std::optional<DirectoryConfig> directory;
  std::filesystem::path reports_dir = "reports/out";
  // metrics.textfile: the Prometheus textfile nightly and purge write.
  std::optional<std::filesystem::path> metrics_textfile;
  CalendarSpan idle_horizon{10, SpanUnit::minute};
  // run --max-duration D: exports already requested are awaited until
  // D + max_duration_drain, then left to the next run ("0 seconds": at once).
  CalendarSpan max_duration_drain{10, SpanUnit::minute};
  int retry_budget = 8;
  bool allow_future_purge = false;

  // The stack whose `domains` match, or nullptr.
  const StackConfig* stack_for(const std::string& domain) const;
};

// "127.0.0.1:8471" or "[::1]:8471": an IP address and a port (0: any free
// port, which the server prints; for tests).
struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};
std::optional<ListenAddress> parse_listen_address(std::string_view text);

struct ConfigResult {
  std::optional<Config> config;     // set when valid
  std::vector<std::string> errors;  // "FILE:LINE: message", all of them
};

// Reads and validates `file`. Relative paths resolve against the file's
// folder. Secrets (`passphrase_env` / `passphrase_file` / `password_env`)
// are not read here: see resolve_secrets().
ConfigResult load_config(const std::filesystem::path& file);

// Reads every secret the config names (stack passphrases, the directory's
// password) into memory. Returns the errors ("FILE:LINE: key: why"), naming
// the variable or file, never what it holds; empty when all were read.
std::vector<std::string> resolve_secrets(Config& config);

}  // namespace passage
