#pragma once
// The Prometheus textfile (`metrics.textfile`, node_exporter's textfile
// collector format) that `nightly` and `purge` write atomically at their
// end, so that monitoring sees what a night did (CONTRACT.md "Metrics").

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/accounts/account.hpp"

namespace passage {

class Store;

// What one command's end says; every figure in the file comes from here.
struct MetricsInput {
  // campaign -> state -> count
  std::map<std::string, std::map<std::string, int>> accounts;
  // accounts FAILED or HELD, by reason
  std::map<std::string, int> failures;
  // the last purge: deleted, already_gone, failed, held, deferred
  std::map<std::string, int> last_purge;
  bool breaker_tripped = false;
  std::map<std::string, bool> stack_up;
  std::optional<bool> relay_up;  // nullopt: no relay (outbox)
  double run_start = 0;          // Unix seconds, real time
  double run_end = 0;
  int exit_code = 0;
  std::optional<double> last_success;  // the latest run that exited 0
};

// The file's text, families sorted as given, label values escaped.
std::string metrics_text(const MetricsInput& input);

// The `reason` label values of an account in `state` whose recorded
// reasons are `reasons` ("blocked: X; delete_stuck" → blocked,
// delete_stuck): each known reason code once; free text (a stack's error
// message, an agent's own words) is "other", so that a label never holds a
// sentence and their number stays bounded; no reason → the state's name.
std::set<std::string> reason_labels(std::string_view reasons, State state);

// The accounts by campaign and state and the failures by reason (an
// account held for two reasons counts under both), read from the database.
void read_account_metrics(Store& store, MetricsInput& input);

// The previous file's text (`previous`, empty when there was none) with
// the last run's start, end and exit code replaced: what a nightly or
// purge that could not run (refused by the lock) tells monitoring. What it
// could not learn (accounts, reachability, the last purge) stays as the
// last night said it; passage_last_success_timestamp_seconds is kept.
std::string with_run_outcome(const std::string& previous, double run_start, double run_end, int exit_code);

// The previous file's passage_last_success_timestamp_seconds, if any.
std::optional<double> previous_last_success(const std::filesystem::path& textfile);

// Writes `text` to `path` atomically (a temporary file beside it, then a
// rename): the collector never reads half a file. Throws on failure.
void write_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace passage
