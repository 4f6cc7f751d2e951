#pragma once
// A strict RFC 4180 reader. It knows nothing about the columns: it splits
// text into records and fields and reports structural problems, each tied
// to the physical line where its record starts.

#include <cstddef>
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
};

// Splits `text` (without BOM) on `,` and LF / CRLF line ends. Quoted fields
// may hold commas, doubled quotes and line ends; a CRLF inside one is kept
// as LF. A record that has a problem is still returned, with its data read
// as leniently as possible, so that later records keep their line numbers.
//
// Fully empty lines are skipped: RFC 4180 would read them as a record with
// one empty field, but a stray blank line (often the editor's) is harmless
// and refusing the file for it helps no one. A line of spaces is NOT empty.
CsvDocument read_csv(std::string_view text);

}  // namespace passage
