#include "tests/integration/probe.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <stdexcept>

namespace passage::testing {

namespace fs = std::filesystem;

Db::Db(const fs::path& path) {
  if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    throw std::runtime_error("cannot open " + path.string() + ": " + message);
  }
  sqlite3_busy_timeout(m_db, 5000);
}

Db::~Db() { sqlite3_close(m_db); }

std::vector<std::vector<std::string>> Db::rows(const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(m_db));
  std::vector<std::vector<std::string>> result;
  int step = SQLITE_OK;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int column = 0; column < sqlite3_column_count(statement); ++column) {
      const unsigned char* text = sqlite3_column_text(statement, column);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    result.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(m_db));
  return result;
}

std::int64_t Db::scalar(const std::string& sql) {
  auto result = rows(sql);
  if (result.empty() || result[0].empty() || result[0][0] == "NULL") return 0;
  return std::stoll(result[0][0]);
}

void Db::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(sql + ": " + message);
  }
}

std::map<std::string, std::int64_t> state_counts(const Workspace& ws, const std::string& campaign) {
  ProcessResult status = ws.passage({"status", campaign, "--json"});
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  boost::json::object doc = boost::json::parse(status.out).as_object();
  REQUIRE(doc.at("campaign").as_string() == campaign);
  std::map<std::string, std::int64_t> counts;
  for (const auto& [state, count] : doc.at("states").as_object())
    counts[std::string(state)] = count.as_int64();
  return counts;
}

std::map<std::string, std::string> account_states(const Workspace& ws) {
  Db db(ws.database());
  std::map<std::string, std::string> states;
  for (const auto& row : db.rows("SELECT login, state FROM accounts")) states[row[0]] = row[1];
  return states;
}

boost::json::object latest_purge_report(const Workspace& ws) {
  fs::path latest;
  for (const auto& entry : fs::directory_iterator(ws.reports_dir())) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("purge-", 0) == 0 && entry.path().extension() == ".json" &&
        (latest.empty() || name > latest.filename().string()))
      latest = entry.path();
  }
  REQUIRE_FALSE(latest.empty());
  return boost::json::parse(read_file(latest)).as_object();
}

std::map<std::string, std::string> purge_listed(const boost::json::object& report, const std::string& result) {
  std::map<std::string, std::string> listed;
  for (const boost::json::value& entry : report.at("accounts").as_object().at(result).as_array()) {
    const boost::json::object& one = entry.as_object();
    const boost::json::value* reason = one.if_contains("reason");
    listed[std::string(one.at("login").as_string())] =
        reason && reason->is_string() ? std::string(reason->as_string()) : std::string();
  }
  return listed;
}

std::vector<int> lines_named(const std::string& err, const std::string& file) {
  std::vector<int> lines;
  std::regex named("(^|[\\s:])" + std::regex_replace(file, std::regex(R"([.^$|()\[\]{}*+?\\])"),
                                                      R"(\$&)") +
                   ":([0-9]+):");
  std::size_t start = 0;
  while (start < err.size()) {
    std::size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::smatch match;
    std::string line = err.substr(start, end - start);
    if (std::regex_search(line, match, named)) lines.push_back(std::stoi(match[2].str()));
    start = end + 1;
  }
  return lines;
}

}  // namespace passage::testing
