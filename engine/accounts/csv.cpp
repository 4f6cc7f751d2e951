#include "engine/accounts/csv.hpp"

#include <algorithm>
#include <istream>

namespace passage {
namespace {

// Walks the text once; m_line follows every LF consumed, quoted or not.
// Over text that is not the whole rest of the input (`is_final` false), a
// record that reaches the end of the text may go on past it: read_next()
// then answers `more` and the caller reads again with more text.
class CsvReader {
 public:
  enum class Outcome { record, end, more };

  CsvReader(std::string_view text, char separator, bool is_final, int line)
      : m_text(text), m_separator(separator), m_final(is_final), m_line(line) {}

  // Skips empty lines, then reads one record and its problems.
  Outcome read_next(CsvRecord& record, std::vector<CsvProblem>& problems) {
    m_problems = &problems;
    while (!at_end()) {
      if (!consume_line_end()) {
        read_record(record);
        return m_short ? Outcome::more : Outcome::record;
      }
      ++m_empty_lines;
    }
    return m_short ? Outcome::more : Outcome::end;
  }

  std::size_t consumed() const { return m_pos; }
  int line() const { return m_line; }
  std::size_t empty_lines() const { return m_empty_lines; }

 private:
  // The end of the text; past a text that is not final it means "read more".
  bool at_end() {
    if (m_pos < m_text.size()) return false;
    m_short = m_short || !m_final;
    return true;
  }
  char peek(std::size_t ahead = 0) {
    if (m_pos + ahead < m_text.size()) return m_text[m_pos + ahead];
    m_short = m_short || !m_final;
    return '\0';
  }

  bool at_line_end() { return peek() == '\n' || (peek() == '\r' && peek(1) == '\n'); }
  bool at_field_end() { return at_end() || peek() == m_separator || at_line_end(); }
  static bool is_space_or_tab(char c) { return c == ' ' || c == '\t'; }

  // Spaces and tabs from here, not consumed.
  std::size_t blanks_ahead() {
    std::size_t count = 0;
    while (is_space_or_tab(peek(count))) ++count;
    return count;
  }

  // The first position from here holding a separator, a quote, CR or LF
  // (each may end the field or need a look); the text's end if none.
  std::size_t plain_run_end() const {
    std::size_t end = m_pos;
    while (end < m_text.size()) {
      const char c = m_text[end];
      if (c == m_separator || c == '"' || c == '\r' || c == '\n') break;
      ++end;
    }
    return end;
  }

  // Consumes LF or CRLF if one is next.
  bool consume_line_end() {
    if (!at_line_end()) return false;
    m_pos += peek() == '\r' ? 2 : 1;
    ++m_line;
    return true;
  }

  void problem(const CsvRecord& record, std::string what) {
    m_problems->push_back({record.line, record.fields.size(), std::move(what)});
  }

  void read_record(CsvRecord& record) {
    record.line = m_line;
    record.fields.clear();
    for (;;) {
      record.fields.push_back(read_field(record));
      if (m_short) return;
      if (peek() == m_separator) {
        ++m_pos;
        continue;
      }
      consume_line_end();
      break;
    }
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
      // The plain run up to the next character that matters, at once.
      const std::size_t end = plain_run_end();
      field.append(m_text, m_pos, std::max(end, m_pos + 1) - m_pos);
      m_pos = std::max(end, m_pos + 1);
    }
    return field;
  }

  std::string read_quoted(const CsvRecord& record) {
    std::string field;
    ++m_pos;  // opening quote
    for (;;) {
      if (at_end()) {
        if (!m_short) problem(record, "quoted field never closed (missing '\"')");
        return field;
      }
      if (peek() == '"' && peek(1) == '"') {
        field += '"';
        m_pos += 2;
      } else if (peek() == '"') {
        if (m_short) return field;
        ++m_pos;
        break;
      } else if (consume_line_end()) {
        field += '\n';
      } else {
        if (m_short) return field;
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
  bool m_final;
  bool m_short = false;  // the record may go on past a text that is not final
  std::size_t m_pos = 0;
  int m_line;
  std::size_t m_empty_lines = 0;
  std::vector<CsvProblem>* m_problems = nullptr;
};

constexpr std::size_t k_chunk_bytes = 1 << 20;

// Spaces a spreadsheet leaves around a value: ASCII space and tab, and
// U+00A0 and U+202F (French Excel's non-breaking spaces), as UTF-8.
constexpr std::string_view k_blanks[] = {" ", "\t", "\xC2\xA0", "\xE2\x80\xAF"};

std::size_t blank_prefix(std::string_view text) {
  for (std::string_view blank : k_blanks)
    if (text.starts_with(blank)) return blank.size();
  return 0;
}

std::size_t blank_suffix(std::string_view text) {
  for (std::string_view blank : k_blanks)
    if (text.ends_with(blank)) return blank.size();
  return 0;
}

// Trims in place: most fields have nothing to trim, and a copy each was
// two allocations a row for a 1,000,000-row import.
void trim(std::string& text) {
  std::string_view rest(text);
  while (std::size_t n = blank_prefix(rest)) rest.remove_prefix(n);
  while (std::size_t n = blank_suffix(rest)) rest.remove_suffix(n);
  if (rest.size() == text.size()) return;
  const std::size_t start = static_cast<std::size_t>(rest.data() - text.data());
  text.erase(start + rest.size());
  text.erase(0, start);
}

}  // namespace

CsvDocument read_csv(std::string_view text, char separator) {
  CsvDocument document;
  std::size_t pos = 0;
  int line = 1;
  for (;;) {
    CsvReader reader(text.substr(pos), separator, true, line);
    CsvRecord record;
    auto outcome = reader.read_next(record, document.problems);
    pos += reader.consumed();
    line = reader.line();
    document.empty_lines += reader.empty_lines();
    if (outcome != CsvReader::Outcome::record) return document;
    document.records.push_back(std::move(record));
  }
}

CsvStream::CsvStream(std::istream& in) : m_in(in) {}

bool CsvStream::read_more() {
  if (m_eof) return false;
  m_buffer.erase(0, m_pos);
  m_pos = 0;
  std::size_t had = m_buffer.size();
  m_buffer.resize(had + k_chunk_bytes);
  m_in.read(m_buffer.data() + had, static_cast<std::streamsize>(k_chunk_bytes));
  m_buffer.resize(had + static_cast<std::size_t>(m_in.gcount()));
  if (m_buffer.size() == had) m_eof = true;
  return true;
}

std::string_view CsvStream::first_line() {
  for (;;) {
    std::string_view rest = std::string_view(m_buffer).substr(m_pos);
    std::size_t start = rest.find_first_not_of("\r\n");
    if (m_eof || (start != std::string_view::npos && rest.find('\n', start) != std::string_view::npos))
      return rest;
    read_more();
  }
}

bool CsvStream::failed() const { return m_in.bad(); }

void CsvStream::skip(std::size_t bytes) { m_pos += bytes; }

bool CsvStream::next(CsvRecord& record, std::vector<CsvProblem>& problems) {
  for (;;) {
    std::size_t had_problems = problems.size();
    CsvReader reader(std::string_view(m_buffer).substr(m_pos), m_separator, m_eof, m_line);
    auto outcome = reader.read_next(record, problems);
    if (outcome == CsvReader::Outcome::more) {
      problems.resize(had_problems);
      read_more();
      continue;
    }
    m_pos += reader.consumed();
    m_line = reader.line();
    m_empty_lines += reader.empty_lines();
    return outcome == CsvReader::Outcome::record;
  }
}

char first_line_separator(std::string_view text) {
  std::size_t start = text.find_first_not_of("\r\n");
  if (start == std::string_view::npos) return ',';
  std::string_view line = text.substr(start, text.find('\n', start) - start);
  bool semicolons = line.find(';') != std::string_view::npos && line.find(',') == std::string_view::npos;
  return semicolons ? ';' : ',';
}

void trim_fields(CsvRecord& record) {
  for (auto& field : record.fields) trim(field);
}

void trim_fields(CsvDocument& document) {
  for (auto& record : document.records) trim_fields(record);
}

bool is_blank(const CsvRecord& record) {
  return std::all_of(record.fields.begin(), record.fields.end(), [](const auto& field) { return field.empty(); });
}

}  // namespace passage
