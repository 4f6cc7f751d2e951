#include "accounts_csv.hpp"

#include <fstream>
#include <sstream>
#include <unordered_set>

namespace sim {

CsvReader::CsvReader(std::string text) : m_text(std::move(text)) {
  if (m_text.rfind("\xEF\xBB\xBF", 0) == 0) m_pos = 3;
}

bool CsvReader::next(std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  if (m_pos >= m_text.size()) return false;
  m_record_line = m_line;
  std::string field;
  bool quoted = false, was_quoted = false;
  while (m_pos < m_text.size()) {
    const char c = m_text[m_pos++];
    if (quoted) {
      if (c == '"' && m_pos < m_text.size() && m_text[m_pos] == '"') {
        field += '"';
        ++m_pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++m_line;
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') ++m_pos;
      ++m_line;
      break;
    } else {
      field += c;
    }
  }
  if (quoted) {
    error = "unterminated quoted field";
    return false;
  }
  fields.push_back(std::move(field));
  return true;
}

CsvResult read_accounts_domains(const std::string& path) {
  CsvResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{}, path + ":0: cannot read the file"};
  std::stringstream ss;
  ss << in.rdbuf();
  CsvReader reader(ss.str());
  std::vector<std::string> fields;
  std::string error;
  static const std::vector<std::string> k_header{"login", "domain", "action", "email",
                                                 "target", "departure_date", "reason"};
  if (!reader.next(fields, error) || fields != k_header)
    return {{}, path + ":1: header must be " + "login,domain,action,email,target,departure_date,reason"};
  std::unordered_set<std::string> seen;
  while (reader.next(fields, error)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != k_header.size())
      return {{}, path + ":" + std::to_string(reader.record_line()) + ": expected 7 fields"};
    if (!fields[1].empty() && seen.insert(fields[1]).second) result.domains.push_back(fields[1]);
  }
  if (!error.empty()) return {{}, path + ":" + std::to_string(reader.record_line()) + ": " + error};
  return result;
}

}  // namespace sim
