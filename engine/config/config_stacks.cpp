// `stacks:`: one entry per Cozy stack (or dry-run stand-in).

#include <algorithm>
#include <array>
#include <cctype>

#include "engine/config/config_sections.hpp"

namespace passage::config_detail {
namespace {

constexpr std::array<std::string_view, 14> k_stack_keys{
    "name",          "backend",         "url",           "passphrase_env",
    "passphrase_file", "domains",       "rate",          "max_in_flight",
    "max_exports_in_flight", "export_window", "export_deadline", "import_deadline",
    "delete_timeout", "dry_run"};
constexpr std::array<std::string_view, 2> k_rate_keys{"per_second", "burst"};
constexpr std::array<std::string_view, 5> k_dry_run_keys{
    "seed", "transient_failure_rate", "permanent_failure_rate", "never_move_rate", "duration_ms"};

// "host.name" or "*.host.name": letters, digits, '-' and '.'.
bool is_domain_pattern(std::string_view pattern) {
  if (pattern.starts_with("*.")) pattern.remove_prefix(2);
  if (pattern.empty() || pattern.front() == '.' || pattern.back() == '.') return false;
  return std::all_of(pattern.begin(), pattern.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
}

std::optional<int> parse_clock_time(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

void read_window(Reader& reader, const Section& s, std::optional<TimeWindow>& out) {
  const auto field = s.get("export_window");
  if (!field) return;
  const char* what = "must be a local time window like \"20:00-06:00\"";
  std::string text;
  if (!reader.string_value(*field, text, what)) return;
  const auto dash = text.find('-');
  const auto start = parse_clock_time(std::string_view(text).substr(0, dash));
  const auto end = dash == std::string::npos
                       ? std::nullopt
                       : parse_clock_time(std::string_view(text).substr(dash + 1));
  if (!start || !end) return reader.error(*field, what);
  if (*start == *end) return reader.error(*field, "start and end must differ");
  out = TimeWindow{*start, *end};
}

void read_domains(Reader& reader, const Section& s, std::vector<std::string>& out) {
  const auto field = s.get("domains");
  if (!field) return reader.missing(s, "domains", "is required");
  const auto list = reader.items(*field);
  if (!list) return;
  if (list->empty()) return reader.error(*field, "must list at least one domain");
  for (const auto& item : *list) {
    std::string pattern;
    if (!reader.string_value(item, pattern)) continue;
    if (!is_domain_pattern(pattern)) {
      reader.error(item, "\"" + pattern + "\" is not a domain or a \"*.domain\" pattern");
      continue;
    }
    out.push_back(lowercase(pattern));
  }
}

void read_rate(Reader& reader, const Section& s, RateLimit& out) {
  const auto field = s.get("rate");
  if (!field) return;
  const auto rate = reader.section(*field, k_rate_keys);
  if (!rate) return;
  reader.read_number(*rate, "per_second", out.per_second, NumberRule::positive);
  reader.read_int(*rate, "burst", out.burst, 1);
}

void read_durations(Reader& reader, const Section& s, DryRunOptions& out) {
  const auto field = s.get("duration_ms");
  if (!field) return;
  const char* what = "must be [min, max] in milliseconds, 0 <= min <= max";
  const auto list = field->value.IsSequence() ? reader.items(*field) : std::nullopt;
  int bounds[2] = {0, 0};
  bool ok = list && list->size() == 2;
  for (std::size_t i = 0; ok && i < 2; ++i) {
    ok = (*list)[i].value.IsScalar() &&
         YAML::convert<int>::decode((*list)[i].value, bounds[i]) && bounds[i] >= 0;
  }
  if (!ok || bounds[0] > bounds[1]) return reader.error(*field, what);
  out.min_duration_ms = bounds[0];
  out.max_duration_ms = bounds[1];
}

void read_dry_run(Reader& reader, const Section& s, DryRunOptions& out) {
  const auto field = s.get("dry_run");
  if (!field) return;
  const auto dry = reader.section(*field, k_dry_run_keys);
  if (!dry) return;
  reader.read_seed(*dry, "seed", out.seed);
  reader.read_number(*dry, "transient_failure_rate", out.transient_failure_rate,
                     NumberRule::fraction);
  reader.read_number(*dry, "permanent_failure_rate", out.permanent_failure_rate,
                     NumberRule::fraction);
  reader.read_number(*dry, "never_move_rate", out.never_move_rate, NumberRule::fraction);
  read_durations(reader, *dry, out);
}

// A cozy-admin stack needs its URL and exactly one passphrase source; a
// dry-run stack ignores both.
void read_admin_access(Reader& reader, const Section& s, StackConfig& out) {
  if (out.backend != "cozy-admin") return;
  if (const auto url = s.get("url")) {
    if (reader.string_value(*url, out.url) &&
        !(out.url.starts_with("http://") || out.url.starts_with("https://"))) {
      reader.error(*url, "must be an http:// or https:// URL");
    }
  } else {
    reader.missing(s, "url", "is required for a cozy-admin stack");
  }
  const auto env = s.get("passphrase_env");
  const auto file = s.get("passphrase_file");
  if (env && file) {
    return reader.error(*file, "give passphrase_env or passphrase_file, not both");
  }
  if (!env && !file) {
    return reader.missing(s, "passphrase_env",
                          "is required for a cozy-admin stack (or passphrase_file)");
  }
  const auto source = env ? env_secret_source(reader, *env) : file_secret_source(reader, *file);
  if (source) out.passphrase_source = *source;
}

StackConfig read_stack(Reader& reader, const Section& s) {
  StackConfig stack;
  if (const auto name = s.get("name")) {
    if (reader.string_value(*name, stack.name) && stack.name.empty()) {
      reader.error(*name, "must not be empty");
    }
  } else {
    reader.missing(s, "name", "is required");
  }
  if (!s.has("backend")) reader.missing(s, "backend", "is required (cozy-admin or dry-run)");
  reader.read_choice(s, "backend", stack.backend, {"cozy-admin", "dry-run"});
  read_admin_access(reader, s, stack);
  read_domains(reader, s, stack.domains);
  read_rate(reader, s, stack.rate);
  reader.read_int(s, "max_in_flight", stack.max_in_flight, 1);
  reader.read_int(s, "max_exports_in_flight", stack.max_exports_in_flight, 1);
  read_window(reader, s, stack.export_window);
  reader.read_span(s, "export_deadline", stack.export_deadline, true);
  reader.read_span(s, "import_deadline", stack.import_deadline, true);
  reader.read_span(s, "delete_timeout", stack.delete_timeout, true);
  read_dry_run(reader, s, stack.dry_run);
  return stack;
}

// Names and domain patterns must each belong to one stack only, or an
// account's stack would depend on the order of the file.
void check_unique(Reader& reader, const std::vector<std::pair<StackConfig, Field>>& stacks) {
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const auto& [stack, field] = stacks[i];
      const auto& [earlier, earlier_field] = stacks[j];
      if (!stack.name.empty() && stack.name == earlier.name) {
        reader.error(field.line, field.path + ".name: duplicate stack name \"" + stack.name +
                                     "\" (also " + earlier_field.path + ")");
      }
      for (const auto& pattern : stack.domains) {
        if (std::find(earlier.domains.begin(), earlier.domains.end(), pattern) !=
            earlier.domains.end()) {
          reader.error(field.line, field.path + ".domains: \"" + pattern + "\" is also in " +
                                       earlier_field.path);
        }
      }
    }
  }
}

}  // namespace

void read_stacks(Reader& reader, const Section& root, std::vector<StackConfig>& out) {
  const auto field = root.get("stacks");
  if (!field) return reader.missing(root, "stacks", "is required (at least one stack)");
  const auto list = reader.items(*field);
  if (!list) return;
  if (list->empty()) return reader.error(*field, "must list at least one stack");
  std::vector<std::pair<StackConfig, Field>> stacks;
  for (const auto& item : *list) {
    if (const auto s = reader.section(item, k_stack_keys)) {
      stacks.emplace_back(read_stack(reader, *s), item);
    }
  }
  check_unique(reader, stacks);
  for (auto& [stack, item] : stacks) out.push_back(std::move(stack));
}

}  // namespace passage::config_detail
