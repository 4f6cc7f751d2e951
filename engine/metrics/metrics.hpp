#pragma once
// The Prometheus textfile (`metrics.textfile`, node_exporter's textfile
// collector format) that `nightly` and `purge` write atomically at their
// end, so that monitoring sees what a night did (CONTRACT.md "Metrics").

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// The accounts by campaign and state and the failures by reason, read
// from the database.
void read_account_metrics(Store& store, MetricsInput& input);

// The previous file's passage_last_success_timestamp_seconds, if any.
std::optional<double> previous_last_success(const std::filesystem::path& textfile);

// Writes `text` to `path` atomically (a temporary file beside it, then a
// rename): the collector never reads half a file. Throws on failure.
void write_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace passage
