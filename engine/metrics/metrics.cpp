#include "engine/metrics/metrics.hpp"
#include "engine/env/faults.hpp"
#include "engine/env/file_modes.hpp"
#include "engine/env/local_write.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/store/store.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

std::string escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string number(double value) {
  std::ostringstream out;
  out.precision(15);
  out << value;
  return out.str();
}

class Writer {
 public:
  void family(const std::string& name, const std::string& help) {
    m_out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n";
  }
  void sample(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels,
              double value) {
    m_out << name;
    if (!labels.empty()) {
      m_out << '{';
      for (std::size_t i = 0; i < labels.size(); ++i)
        m_out << (i ? "," : "") << labels[i].first << "=\"" << escaped(labels[i].second) << '"';
      m_out << '}';
    }
    m_out << ' ' << number(value) << '\n';
  }
  std::string text() const { return m_out.str(); }

 private:
  std::ostringstream m_out;
};

void write_accounts(Writer& w, const MetricsInput& input) {
  w.family("passage_accounts", "Accounts by campaign and state.");
  for (const auto& [campaign, states] : input.accounts)
    for (const auto& [state, count] : states) w.sample("passage_accounts", {{"campaign", campaign}, {"state", state}}, count);
  w.family("passage_failures", "Accounts FAILED or HELD, by reason.");
  for (const auto& [reason, count] : input.failures) w.sample("passage_failures", {{"reason", reason}}, count);
  w.family("passage_last_purge_accounts", "The last purge's accounts by result.");
  for (const auto& [result, count] : input.last_purge)
    w.sample("passage_last_purge_accounts", {{"result", result}}, count);
}

void write_run(Writer& w, double run_start, double run_end, int exit_code) {
  w.family("passage_last_run_start_timestamp_seconds", "When the last nightly or purge started.");
  w.sample("passage_last_run_start_timestamp_seconds", {}, run_start);
  w.family("passage_last_run_end_timestamp_seconds", "When the last nightly or purge ended.");
  w.sample("passage_last_run_end_timestamp_seconds", {}, run_end);
  w.family("passage_last_run_exit_code", "The last nightly's or purge's exit code.");
  w.sample("passage_last_run_exit_code", {}, exit_code);
}

// True for a line of one of write_run's families (sample, HELP or TYPE).
bool run_line(const std::string& line) {
  for (const char* name : {"passage_last_run_start_timestamp_seconds", "passage_last_run_end_timestamp_seconds",
                           "passage_last_run_exit_code"}) {
    const std::string family = name;
    if (line.rfind(family + " ", 0) == 0 || line.rfind("# HELP " + family + " ", 0) == 0 ||
        line.rfind("# TYPE " + family + " ", 0) == 0)
      return true;
  }
  return false;
}

void write_health(Writer& w, const MetricsInput& input) {
  w.family("passage_breaker_tripped", "1 when the purge breaker stops deletions.");
  w.sample("passage_breaker_tripped", {}, input.breaker_tripped ? 1 : 0);
  w.family("passage_stack_up", "1 when the stack answered the command's last call.");
  for (const auto& [stack, up] : input.stack_up) w.sample("passage_stack_up", {{"stack", stack}}, up ? 1 : 0);
  if (input.relay_up) {
    w.family("passage_relay_up", "1 when the mail relay answered the last notice.");
    w.sample("passage_relay_up", {}, *input.relay_up ? 1 : 0);
  }
  write_run(w, input.run_start, input.run_end, input.exit_code);
  if (input.last_success) {
    w.family("passage_last_success_timestamp_seconds", "When a nightly or purge last exited 0.");
    w.sample("passage_last_success_timestamp_seconds", {}, *input.last_success);
  }
}

}  // namespace

std::string metrics_text(const MetricsInput& input) {
  Writer w;
  write_accounts(w, input);
  write_health(w, input);
  return w.text();
}

std::string with_run_outcome(const std::string& previous, double run_start, double run_end, int exit_code) {
  std::string kept;
  std::istringstream lines(previous);
  for (std::string line; std::getline(lines, line);)
    if (!run_line(line)) kept += line + '\n';
  Writer w;
  write_run(w, run_start, run_end, exit_code);
  return kept + w.text();
}

std::set<std::string> reason_labels(std::string_view reasons, State state) {
  std::set<std::string> labels;
  while (!reasons.empty()) {
    const std::size_t end = reasons.find("; ");
    const std::string_view one = reasons.substr(0, end);
    labels.insert(std::string(known_reason_code(one).value_or("other")));
    if (end == std::string_view::npos) break;
    reasons.remove_prefix(end + 2);
  }
  if (labels.empty()) labels.insert(std::string(to_string(state)));
  return labels;
}

void read_account_metrics(Store& store, MetricsInput& input) {
  for (const Campaign& campaign : store.campaigns()) {
    auto& states = input.accounts[campaign.name];
    for (const auto& [state, count] : store.state_counts(campaign.id)) states[std::string(to_string(state))] = count;
  }
  for (State state : {State::failed, State::held})
    for (const Account& account : store.in_state(state))
      for (const std::string& label : reason_labels(account.state_reason, state)) ++input.failures[label];
}

std::optional<double> previous_last_success(const std::filesystem::path& textfile) {
  std::ifstream in(textfile);
  const std::string key = "passage_last_success_timestamp_seconds ";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) {
      try {
        return std::stod(line.substr(key.size()));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  return std::nullopt;
}

void write_atomically(const std::filesystem::path& path, const std::string& text) {
  // Named by process: a refused nightly may write while the lock's holder does.
  const std::filesystem::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
  write_whole_file(temporary, text, k_public_file_mode, faults::disk_error(faults::Site::metrics));
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw LocalWriteError("cannot rename " + temporary.string() + " to " + path.string() + ": " + error.message());
}

}  // namespace passage
