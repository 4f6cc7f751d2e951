#include "engine/accounts/csv.hpp"

#include <algorithm>

namespace passage {
namespace {

// Walks the text once; m_line follows every LF consumed, quoted or not.
class CsvReader {
 public:
  CsvReader(std::string_view text, char separator) : m_text(text), m_separator(separator) {}

  CsvDocument read_all() {
    while (!at_end()) {
      if (consume_line_end()) {
        ++m_doc.empty_lines;
        continue;
      }
      read_record();
    }
    return std::move(m_doc);
  }

 private:
  bool at_end() const { return m_pos >= m_text.size(); }
  char peek(std::size_t ahead = 0) const {
    return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
  }

  bool at_line_end() const { return peek() == '\n' || (peek() == '\r' && peek(1) == '\n'); }
  bool at_field_end() const { return at_end() || peek() == m_separator || at_line_end(); }
  static bool is_space_or_tab(char c) { return c == ' ' || c == '\t'; }

  // Spaces and tabs from here, not consumed.
  std::size_t blanks_ahead() const {
    std::size_t count = 0;
    while (is_space_or_tab(peek(count))) ++count;
    return count;
  }

  // Consumes LF or CRLF if one is next.
  bool consume_line_end() {
    if (!at_line_end()) return false;
    m_pos += peek() == '\r' ? 2 : 1;
    ++m_line;
    return true;
  }

  void problem(const CsvRecord& record, std::string what) {
    m_doc.problems.push_back({record.line, record.fields.size(), std::move(what)});
  }

  void read_record() {
    CsvRecord record;
    record.line = m_line;
    for (;;) {
      record.fields.push_back(read_field(record));
      if (peek() == m_separator) {
        ++m_pos;
        continue;
      }
      consume_line_end();
      break;
    }
    m_doc.records.push_back(std::move(record));
  }

  // A quoted field may have blanks before its opening quote.
  std::string read_field(const CsvRecord& record) {
    std::size_t blanks = blanks_ahead();
    if (peek(blanks) != '"') return read_plain(record);
    m_pos += blanks;
    return read_quoted(record);
  }

  // Up to the next separator or line end. A quote here is not RFC 4180; it
  // is kept as data but reported, since it usually means a badly quoted
  // field.
  std::string read_plain(const CsvRecord& record) {
    std::string field;
    bool reported = false;
    while (!at_field_end()) {
      if (peek() == '"' && !reported) {
        problem(record, "quote inside an unquoted field (quote the whole field and double inner quotes)");
        reported = true;
      }
      field += m_text[m_pos++];
    }
    return field;
  }

  std::string read_quoted(const CsvRecord& record) {
    std::string field;
    ++m_pos;  // opening quote
    for (;;) {
      if (at_end()) {
        problem(record, "quoted field never closed (missing '\"')");
        return field;
      }
      if (peek() == '"' && peek(1) == '"') {
        field += '"';
        m_pos += 2;
      } else if (peek() == '"') {
        ++m_pos;
        break;
      } else if (consume_line_end()) {
        field += '\n';
      } else {
        field += m_text[m_pos++];
      }
    }
    m_pos += blanks_ahead();
    if (!at_field_end()) {
      problem(record, "text after the closing quote of a quoted field");
      field += read_plain(record);
    }
    return field;
  }

  std::string_view m_text;
  char m_separator;
  std::size_t m_pos = 0;
  int m_line = 1;
  CsvDocument m_doc;
};

std::string trimmed(const std::string& text) {
  std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

CsvDocument read_csv(std::string_view text, char separator) { return CsvReader(text, separator).read_all(); }

char first_line_separator(std::string_view text) {
  std::size_t start = text.find_first_not_of("\r\n");
  if (start == std::string_view::npos) return ',';
  std::string_view line = text.substr(start, text.find('\n', start) - start);
  bool semicolons = line.find(';') != std::string_view::npos && line.find(',') == std::string_view::npos;
  return semicolons ? ';' : ',';
}

void trim_fields(CsvDocument& document) {
  for (auto& record : document.records)
    for (auto& field : record.fields) field = trimmed(field);
}

bool is_blank(const CsvRecord& record) {
  return std::all_of(record.fields.begin(), record.fields.end(), [](const auto& field) { return field.empty(); });
}

}  // namespace passage
