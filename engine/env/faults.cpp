#include "engine/env/faults.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace passage::faults {

namespace {

constexpr std::size_t k_sites = static_cast<std::size_t>(Site::outbox_sync) + 1;
constexpr std::array<const char*, k_sites> k_names{
    "export_request", "part_download", "import",  "block",       "delete",  "notice",
    "journal_write",  "part_file",     "report",  "outbox_mail", "metrics", "outbox_sync"};

struct Rule {
  long first = 0;
  bool onwards = false;  // N+: this call and every later one
  int error = ENOSPC;
};

struct State {
  bool on = false;  // a variable was set: count calls
  std::array<std::vector<Rule>, k_sites> rules{};
  std::array<long, k_sites> calls{};
  std::string log_file;
  std::mutex mutex;
};

State& state() {
  static State instance;
  return instance;
}

std::size_t index_of(Site site) { return static_cast<std::size_t>(site); }

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

[[noreturn]] void refuse(const std::string& item, const std::string& why) {
  throw std::invalid_argument("PASSAGE_FAULTS: '" + item + "': " + why +
                              " (expected SITE:N[+][:enospc|:erofs], sites export_request, "
                              "part_download, import, block, delete, notice, journal_write, "
                              "part_file, report, outbox_mail, metrics, outbox_sync)");
}

long call_number(const std::string& item, std::string text, bool& onwards) {
  onwards = !text.empty() && text.back() == '+';
  if (onwards) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9)
    refuse(item, "the call number must be a positive integer");
  long number = std::stol(text);
  if (number < 1) refuse(item, "the call number must be a positive integer");
  return number;
}

void add_rule(State& s, const std::string& item) {
  std::vector<std::string> fields = split(item, ':');
  if (fields.size() < 2 || fields.size() > 3) refuse(item, "wrong number of fields");
  std::size_t site = 0;
  while (site < k_sites && fields[0] != k_names[site]) ++site;
  if (site == k_sites) refuse(item, "unknown site");
  Rule rule;
  rule.first = call_number(item, fields[1], rule.onwards);
  if (fields.size() == 3) {
    if (fields[2] == "enospc") rule.error = ENOSPC;
    else if (fields[2] == "erofs") rule.error = EROFS;
    else refuse(item, "the error must be enospc or erofs");
  }
  s.rules[site].push_back(rule);
}

// The rule matching call `number` of `site`, if any.
const Rule* matching(const State& s, std::size_t site, long number) {
  for (const Rule& rule : s.rules[site])
    if (number == rule.first || (rule.onwards && number > rule.first)) return &rule;
  return nullptr;
}

const Rule* count(Site site) {
  State& s = state();
  if (!s.on) return nullptr;
  std::lock_guard<std::mutex> lock(s.mutex);
  const std::size_t at = index_of(site);
  const long number = ++s.calls[at];
  if (!s.log_file.empty()) {
    std::ofstream log(s.log_file, std::ios::app);
    log << k_names[at] << ' ' << number << '\n';
  }
  return matching(s, at, number);
}

}  // namespace

const char* name_of(Site site) { return k_names[index_of(site)]; }

void configure(const std::string& spec, const std::string& log_file) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.on = false;
  s.rules = {};
  s.calls = {};
  s.log_file.clear();
  if (!spec.empty())
    for (const std::string& item : split(spec, ',')) add_rule(s, item);
  s.log_file = log_file;
  s.on = !spec.empty() || !log_file.empty();
}

void load_from_environment() {
  const char* spec = std::getenv("PASSAGE_FAULTS");
  const char* log = std::getenv("PASSAGE_FAULTS_LOG");
  configure(spec ? spec : "", log ? log : "");
}

bool fail(Site site) { return count(site) != nullptr; }

int disk_error(Site site) {
  const Rule* rule = count(site);
  return rule ? rule->error : 0;
}

std::string reason(Site site) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return "injected fault: " + std::string(name_of(site)) + " call " +
         std::to_string(s.calls[index_of(site)]);
}

}  // namespace passage::faults
