#pragma once
// Command-line flags of passage-cozy-sim (README.md lists them all).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sim {

struct Range {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
};

struct SimOptions {
  std::uint16_t port = 0;          // the admin API (and /_sim/*)
  std::uint16_t public_port = 0;   // the instances' own routes (/move/*)
  std::string passphrase = "admin";
  std::uint32_t instances = 0;
  std::string domain_suffix = "mytoutatice.cloud";
  std::string instances_from;  // accounts CSV
  std::uint64_t seed = 1;
  double size_scale = 1e-5;
  std::optional<std::int64_t> clock_ms;  // empty: the real now
  std::string faults_file;
  double move_share = 0;
  Range move_delay_s{3600, 7 * 86400};
  double never_move_share = 0;
  double late_move_share = 0;
  Range late_move_delay_s{7 * 86400, 14 * 86400};
  double active_share = 0;
  Range export_ms{20, 200};
  Range import_start_ms{50, 300};
  Range import_ms{20, 200};
  bool trust_private_networks = false;
  Range delete_ms{20, 100};
  // Share of a DELETE's time spent in the konnector and RAG clean-up, with
  // `deleting` set; the rest removes the databases and files, flag off.
  double delete_cleanup_share = 0.5;
  std::uint32_t export_workers = 4;
  std::uint32_t ws_ping_s = 54;
  std::uint32_t ws_idle_s = 60;
};

// Parses argv. Returns empty and fills `error` on bad input; prints help and
// sets `exit_now` for --help.
std::optional<SimOptions> parse_options(int argc, char** argv, std::string& error, bool& exit_now);

// "A:B" → {A, B}; a single number N → {N, N}.
std::optional<Range> parse_range(const std::string& text);

}  // namespace sim
