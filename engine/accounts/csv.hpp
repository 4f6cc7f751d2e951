#pragma once
// A strict RFC 4180 reader. It knows nothing about the columns: it splits
// text into records and fields and reports structural problems, each tied
// to the physical line where its record starts.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace passage {

struct CsvRecord {
  int line = 0;  // physical line of the record's first character (first = 1)
  std::vector<std::string> fields;
};

struct CsvProblem {
  int line = 0;            // the record's first line
  std::size_t column = 0;  // index of the field in its record
  std::string what;
};

struct CsvDocument {
  std::vector<CsvRecord> records;
  std::vector<CsvProblem> problems;
  std::size_t empty_lines = 0;  // fully empty lines skipped
};

// Splits `text` (without BOM) on `separator` and LF / CRLF line ends.
// Quoted fields may hold separators, doubled quotes and line ends; a CRLF
// inside one is kept as LF. Spaces and tabs around a quoted field (outside
// its quotes) are dropped; those of an unquoted field are kept. A record
// that has a problem is still returned, with its data read as leniently as
// possible, so that later records keep their line numbers.
//
// Fully empty lines are skipped (and counted): RFC 4180 would read them as
// a record with one empty field, but a stray blank line (often the
// editor's) is harmless and refusing the file for it helps no one. A line
// of spaces is NOT empty: it is a record of one field.
CsvDocument read_csv(std::string_view text, char separator = ',');

// The same reader over a stream, one record at a time, holding only the
// text of the record being read (a 1,000,000-line file is never in memory
// whole). Records, problems and line numbers are those read_csv() gives
// for the same text.
class CsvStream {
 public:
  explicit CsvStream(std::istream& in);

  // The text from the current position to the end of the first non-empty
  // line (or of the input), read ahead without consuming it.
  std::string_view first_line();
  // Consumes `bytes` bytes of what first_line() showed (a BOM).
  void skip(std::size_t bytes);
  void set_separator(char separator) { m_separator = separator; }

  // The next record and its problems (appended); false at the end.
  bool next(CsvRecord& record, std::vector<CsvProblem>& problems);
  // Fully empty lines skipped so far.
  std::size_t empty_lines() const { return m_empty_lines; }
  // The stream failed to read (not its end).
  bool failed() const;

 private:
  bool read_more();

  std::istream& m_in;
  std::string m_buffer;
  std::size_t m_pos = 0;
  bool m_eof = false;
  char m_separator = ',';
  int m_line = 1;
  std::size_t m_empty_lines = 0;
};

// `;` when the first non-empty line of `text` holds a `;` and no `,`;
// otherwise `,`.
char first_line_separator(std::string_view text);

// Drops the spaces and tabs around every field's value.
void trim_fields(CsvDocument& document);
void trim_fields(CsvRecord& record);

// True when every field is empty: a row of separators only (";;;;;;"), what
// a spreadsheet saves for a row left empty.
bool is_blank(const CsvRecord& record);

}  // namespace passage
