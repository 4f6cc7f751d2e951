// Integration-test helpers for campaigns against passage-cozy-sim: the
// simulator as a child process (killed on destruction), its control plane
// (`/_sim/clock`, `/_sim/faults`, `/_sim/stats`, `/_sim/exports/:domain`)
// through blocking libcurl calls, a cozy-admin config and accounts file for
// a Workspace, and ISO times for `--now` / `--clock`.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/support/process.hpp"

namespace passage::testing {

inline constexpr const char* k_sim_passphrase = "s3cret";
// The variable the generated config's passphrase_env names.
inline constexpr const char* k_passphrase_variable = "SIMPASS";

using SysSeconds = std::chrono::sys_seconds;

// `2026-11-25T09:00:00Z` and back (UTC, second precision).
std::string iso_utc(SysSeconds at);
SysSeconds parse_iso_utc(const std::string& text);

struct SimAnswer {
  long status = 0;  // 0 when the call itself failed
  std::string body;
};

// passage-cozy-sim on a free port of 127.0.0.1, its output under `dir`.
class CozySim {
 public:
  // `accounts_csv` feeds --instances-from; `clock` (ISO) feeds --clock
  // unless empty; `extra` is appended to the command line.
  CozySim(const std::filesystem::path& dir, const std::filesystem::path& accounts_csv,
          const std::string& clock, const std::vector<std::string>& extra = {});
  ~CozySim();
  CozySim(const CozySim&) = delete;
  CozySim& operator=(const CozySim&) = delete;

  int port() const { return m_port; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_port); }

  // One admin-authenticated call, 10 s at most.
  SimAnswer call(const std::string& method, const std::string& path,
                 const std::string& body = {}) const;

  // The control plane. Each REQUIREs a 200.
  boost::json::object stats() const;
  void put_faults(const std::string& faults_json) const;
  void clear_faults() const { put_faults("{}"); }
  std::string advance_clock(std::int64_t seconds) const;  // the new sim now, ISO
  // `/_sim/exports/:domain` (the export document plus `move_token` and
  // `fully_read`), or null when the instance has no export.
  boost::json::value export_of(const std::string& domain) const;
  // GET /instances/:domain's attributes; empty when it answers 404.
  boost::json::object instance_attributes(const std::string& domain) const;

 private:
  std::unique_ptr<BackgroundProcess> m_process;
  int m_port = 0;
};

// Figures read from a `/_sim/stats` document.
std::int64_t stat(const boost::json::object& stats, const char* key);
// Answers counted for `route` (e.g. "POST /instances/:domain/export"), all
// statuses, or only `status` when given ("202", "429", "reset").
std::int64_t route_count(const boost::json::object& stats, const std::string& route,
                         const std::string& status = {});
// `files` of GET /instances/:domain/disk-usage on `sim`, in bytes (0 when
// omitted: the stack leaves zero values out). REQUIREs a 200.
std::int64_t disk_usage_files(const CozySim& sim, const std::string& domain);
// Every request the simulator counted (the control plane never is).
std::int64_t total_requests(const boost::json::object& stats);
// "METHOD /route" → {status: n}, for failure messages.
std::string requests_text(const boost::json::object& stats);

// What the generated cozy-admin config may vary.
struct CozyConfig {
  int per_second = 50;
  int burst = 1;
  int max_in_flight = 8;
  int max_exports_in_flight = 4;
  std::string export_deadline = "5 seconds";
  std::string delivery = "space";  // export.delivery
};

// The public address of download links in generated configs (people already
// departed get archive delivery, whose notices need it); `serve --public`
// listens on 127.0.0.1:0 and prints its port.
inline constexpr const char* k_public_url = "https://passage.test";

// Writes the workspace's c.yaml for one cozy-admin stack `academy` on
// `port`, and sets the workspace environment so that passage reads the
// simulator's passphrase.
void use_cozy_config(Workspace& ws, int port, const CozyConfig& config = {});

// Writes `name` with `count` export accounts u0001… (domains
// uNNNN.mytoutatice.cloud) departed on `departure_date`. Returns its path.
std::filesystem::path write_export_accounts(const Workspace& ws, const std::string& name,
                                            int count, const std::string& departure_date);

// `report NAME --format json --out -`, parsed: its `accounts` array.
boost::json::array report_accounts(const Workspace& ws, const std::string& campaign);

}  // namespace passage::testing
