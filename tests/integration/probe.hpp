// Integration-test helpers that read what passage left behind: the SQLite
// database (through the C API, as a second process would), the JSON of
// `status`, and the purge reports.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/support/process.hpp"

namespace passage::testing {

// One connection to a passage database; WAL lets it read while a run writes.
class Db {
 public:
  explicit Db(const std::filesystem::path& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The first column of the first row as an integer (0 when there is none).
  std::int64_t scalar(const std::string& sql);
  // Every row, columns as text (NULL as "NULL").
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  void exec(const std::string& sql);

 private:
  sqlite3* m_db = nullptr;
};

// `status NAME --json` as STATE → count, all states listed.
std::map<std::string, std::int64_t> state_counts(const Workspace& ws, const std::string& campaign);
// login → state, read from the database.
std::map<std::string, std::string> account_states(const Workspace& ws);
// The newest purge-*.json of the workspace's reports folder, parsed.
boost::json::object latest_purge_report(const Workspace& ws);
// A purge report's list of accounts under `result` ("deleted", "held", …):
// login → reason ("" when it has none).
std::map<std::string, std::string> purge_listed(const boost::json::object& report, const std::string& result);
// The lines of `err` that name `file:LINE:`, as LINE numbers, in order.
std::vector<int> lines_named(const std::string& err, const std::string& file);

}  // namespace passage::testing
