// load_config(): reads the file, checks the top level and hands each part to
// its reader (config_sections.cpp, config_stacks.cpp). Errors are collected,
// never thrown, so `config check` prints them all at once.

#include "engine/config/config.hpp"
#include "engine/config/config_text.hpp"

#include <algorithm>
#include <array>

#include "engine/config/config_sections.hpp"

namespace passage {
namespace {

using namespace config_detail;

constexpr std::array<std::string_view, 20> k_top_keys{
    "database", "timezone", "grace",   "reminders", "stacks",       "notify",
    "lead",     "export",   "move",    "campaign",  "support",      "purge",
    "directory", "reports", "idle_horizon", "retry_budget", "allow_future_purge", "serve",
    "metrics", "max_duration_drain"};
constexpr std::array<std::string_view, 1> k_campaign_keys{"max_change_fraction"};
constexpr std::array<std::string_view, 2> k_support_keys{"max_postpone", "max_grant"};
constexpr std::array<std::string_view, 1> k_reports_keys{"dir"};
constexpr std::array<std::string_view, 1> k_metrics_keys{"textfile"};

std::optional<Section> sub_section(Reader& reader, const Section& root, std::string_view key,
                                   Keys known) {
  const auto field = root.get(key);
  if (!field) return std::nullopt;
  return reader.section(*field, known);
}

void read_timezone(Reader& reader, const Section& root, Config& config) {
  reader.read_string(root, "timezone", config.timezone);
  try {
    config.zone = date::locate_zone(config.timezone);
  } catch (const std::exception&) {
    const auto field = root.get("timezone");
    const std::string what = "unknown time zone \"" + config.timezone + "\"";
    if (field) {
      reader.error(*field, what);
    } else {
      reader.error(1, "timezone: " + what);
    }
  }
}

void read_small_sections(Reader& reader, const Section& root, Config& config) {
  if (const auto s = sub_section(reader, root, "campaign", k_campaign_keys)) {
    reader.read_number(*s, "max_change_fraction", config.campaign_max_change_fraction,
                       NumberRule::fraction);
  }
  if (const auto s = sub_section(reader, root, "support", k_support_keys)) {
    reader.read_span(*s, "max_postpone", config.support_max_postpone, false);
    reader.read_span(*s, "max_grant", config.support_max_grant, true);
  }
  if (const auto s = sub_section(reader, root, "reports", k_reports_keys)) {
    reader.read_path(*s, "dir", config.reports_dir);
  }
  if (const auto s = sub_section(reader, root, "metrics", k_metrics_keys)) {
    std::filesystem::path textfile;
    reader.read_path(*s, "textfile", textfile);
    if (!textfile.empty()) config.metrics_textfile = textfile;
  }
}

void read_top_level(Reader& reader, const Section& root, Config& config) {
  reader.read_path(root, "database", config.database);
  read_timezone(reader, root, config);
  reader.read_span(root, "grace", config.grace, true);
  reader.read_spans(root, "reminders", config.reminders);
  read_stacks(reader, root, config.stacks);
  read_notify(reader, root, config.notify);
  reader.read_span(root, "lead", config.lead, false);
  read_export(reader, root, config.export_);
  read_move(reader, root, config.move);
  read_small_sections(reader, root, config);
  read_purge(reader, root, config.purge);
  read_serve(reader, root, config.serve);
  check_archive_delivery(reader, root, config);
  read_directory(reader, root, config.directory);
  reader.read_span(root, "idle_horizon", config.idle_horizon, true);
  reader.read_span(root, "max_duration_drain", config.max_duration_drain, false);
  reader.read_int(root, "retry_budget", config.retry_budget, 1);
  reader.read_bool(root, "allow_future_purge", config.allow_future_purge);
}

// Defaults are relative too ("var/passage.db"): a timer runs Passage from
// `/`, so every path is anchored to the config file's folder.
void resolve_paths(const Reader& reader, Config& config) {
  config.database = reader.resolve(config.database);
  config.notify.dir = reader.resolve(config.notify.dir);
  if (config.notify.templates) config.notify.templates = reader.resolve(*config.notify.templates);
  config.export_.archive_dir = reader.resolve(config.export_.archive_dir);
  config.reports_dir = reader.resolve(config.reports_dir);
  if (config.metrics_textfile) config.metrics_textfile = reader.resolve(*config.metrics_textfile);
  if (config.directory) config.directory->file = reader.resolve(config.directory->file);
  if (config.serve.token_file) config.serve.token_file = reader.resolve(*config.serve.token_file);
  if (config.serve.agents_file) config.serve.agents_file = reader.resolve(*config.serve.agents_file);
}

std::optional<YAML::Node> parse_yaml(Reader& reader, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    reader.error(std::max(1, e.mark.line + 1), "YAML syntax: " + e.msg);
  } catch (const YAML::Exception& e) {
    reader.error(1, std::string("YAML syntax: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace

bool TimeWindow::contains(int minute_of_day) const {
  if (start_minute <= end_minute) {
    return minute_of_day >= start_minute && minute_of_day < end_minute;
  }
  return minute_of_day >= start_minute || minute_of_day < end_minute;  // wraps midnight
}

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `text` lowercased (ASCII, as std::tolower in the "C" locale Passage
// runs in) ends with `lower`, compared without a lowercased copy: a
// stack is looked up for every row of an accounts file (issue 15).
bool lowercased_ends_with(std::string_view text, std::string_view lower) {
  if (text.size() < lower.size()) return false;
  const std::string_view tail = text.substr(text.size() - lower.size());
  return std::equal(tail.begin(), tail.end(), lower.begin(), [](char a, char b) { return ascii_lower(a) == b; });
}

}  // namespace

// The patterns are stored lowercase (config_stacks.cpp); the domain is
// compared in any case.
bool StackConfig::serves(const std::string& domain) const {
  return std::any_of(domains.begin(), domains.end(), [&](const std::string& pattern) {
    if (!pattern.starts_with("*.")) return domain.size() == pattern.size() && lowercased_ends_with(domain, pattern);
    const std::string_view suffix = std::string_view(pattern).substr(1);  // ".x"
    return domain.size() > suffix.size() && lowercased_ends_with(domain, suffix);
  });
}

const StackConfig* Config::stack_for(const std::string& domain) const {
  const auto it = std::find_if(stacks.begin(), stacks.end(),
                               [&](const StackConfig& stack) { return stack.serves(domain); });
  return it == stacks.end() ? nullptr : &*it;
}

ConfigResult load_config(const std::filesystem::path& file) {
  std::string why;
  const auto text = read_file_text(file, why);
  if (!text) return ConfigResult{std::nullopt, {file.string() + ": cannot read (" + why + ")"}};
  return parse_config_text(file, *text);
}

ConfigResult parse_config_text(const std::filesystem::path& file, const std::string& text) {
  const std::string name = file.string();
  const auto base_dir = std::filesystem::absolute(file).lexically_normal().parent_path();
  Reader reader{name, base_dir};
  const auto root_node = parse_yaml(reader, text);
  if (!root_node) return ConfigResult{std::nullopt, reader.take_errors()};
  if (root_node->IsNull()) {
    return ConfigResult{std::nullopt, {name + ":1: the configuration is empty"}};
  }
  Config config;
  config.file = file;
  try {
    if (const auto root = reader.section(Field{"", *root_node, 1}, k_top_keys)) {
      read_top_level(reader, *root, config);
    }
  } catch (const YAML::Exception& e) {
    // The readers check node types before converting; this is a safety net.
    reader.error(std::max(1, e.mark.line + 1), std::string("cannot read: ") + e.what());
  }
  if (reader.has_errors()) return ConfigResult{std::nullopt, reader.take_errors()};
  resolve_paths(reader, config);
  return ConfigResult{std::move(config), {}};
}

}  // namespace passage
