#pragma once
// Reads the `domain` column of an accounts file
// (header `login,domain,action,email,target,departure_date,reason`,
// RFC 4180 quoting, UTF-8 with or without BOM, LF or CRLF).
#include <string>
#include <vector>

namespace sim {

struct CsvResult {
  std::vector<std::string> domains;  // in file order, duplicates dropped
  std::string error;                 // "FILE:LINE: what is wrong" when not empty
};

CsvResult read_accounts_domains(const std::string& path);

// One RFC 4180 record per call; `line` counts physical lines. Exposed for tests.
class CsvReader {
public:
  explicit CsvReader(std::string text);
  bool next(std::vector<std::string>& fields, std::string& error);
  std::size_t record_line() const { return m_record_line; }

private:
  std::string m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  std::size_t m_record_line = 1;
};

}  // namespace sim
