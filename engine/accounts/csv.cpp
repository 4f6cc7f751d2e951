#include "engine/accounts/csv.hpp"

namespace passage {
namespace {

// Walks the text once; m_line follows every LF consumed, quoted or not.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : m_text(text) {}

  CsvDocument read_all() {
    while (!at_end()) {
      if (consume_line_end()) continue;  // a fully empty line
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
      std::string field = peek() == '"' ? read_quoted(record) : read_plain(record);
      record.fields.push_back(std::move(field));
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      consume_line_end();
      break;
    }
    m_doc.records.push_back(std::move(record));
  }

  // Up to the next `,` or line end. A quote here is not RFC 4180; it is kept
  // as data but reported, since it usually means a badly quoted field.
  std::string read_plain(const CsvRecord& record) {
    std::string field;
    bool reported = false;
    while (!at_end() && peek() != ',' && !at_line_end()) {
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
    if (!at_end() && peek() != ',' && !at_line_end()) {
      problem(record, "text after the closing quote of a quoted field");
      field += read_plain(record);
    }
    return field;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  int m_line = 1;
  CsvDocument m_doc;
};

}  // namespace

CsvDocument read_csv(std::string_view text) { return CsvReader(text).read_all(); }

}  // namespace passage
