#pragma once
// The syntax half of config loading: typed reads from YAML with every
// problem recorded as "FILE:LINE: key.path: what is wrong" and reading
// carried on, so one `config check` lists all errors. The meaning of each
// key (which ones, their defaults) is in the config_*.cpp files.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/env/time.hpp"

namespace passage::config_detail {

using Keys = std::span<const std::string_view>;

// A value with the dotted name an admin reads in errors
// ("stacks[0].rate.per_second") and its 1-based line.
struct Field {
  std::string path;
  YAML::Node value;
  int line = 1;
};

// A mapping whose keys were checked: known keys only, each once.
class Section {
 public:
  Section(std::string path, int line, std::vector<std::pair<std::string, Field>> fields)
      : m_path(std::move(path)), m_line(line), m_fields(std::move(fields)) {}

  std::optional<Field> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
  std::string path_of(std::string_view key) const;
  int line() const { return m_line; }

 private:
  std::string m_path;
  int m_line;
  std::vector<std::pair<std::string, Field>> m_fields;
};

enum class NumberRule { positive, fraction };

class Reader {
 public:
  Reader(std::string file_name, std::filesystem::path base_dir)
      : m_file_name(std::move(file_name)), m_base_dir(std::move(base_dir)) {}

  void error(int line, const std::string& message);
  void error(const Field& field, const std::string& what);
  // "FILE:LINE: key" of a field, as errors begin.
  std::string where(const Field& field) const;
  // A required key that is absent, reported at its mapping's line.
  void missing(const Section& section, std::string_view key, const std::string& why);
  bool has_errors() const { return !m_errors.empty(); }
  // All errors, in file order.
  std::vector<std::string> take_errors();

  // Relative paths resolve against the config file's folder.
  std::filesystem::path resolve(const std::filesystem::path& path) const;

  std::optional<Section> section(const Field& field, Keys known);
  // The items of a sequence, named "path[i]".
  std::optional<std::vector<Field>> items(const Field& field);

  // Typed reads. An absent key leaves `out` alone (its default); a bad value
  // is reported and leaves `out` alone too. True when a valid value was read.
  bool read_string(const Section& s, std::string_view key, std::string& out);
  bool read_choice(const Section& s, std::string_view key, std::string& out,
                   std::initializer_list<std::string_view> choices);
  bool read_bool(const Section& s, std::string_view key, bool& out);
  bool read_int(const Section& s, std::string_view key, int& out, int min);
  bool read_seed(const Section& s, std::string_view key, std::uint64_t& out);
  bool read_number(const Section& s, std::string_view key, double& out, NumberRule rule);
  bool read_span(const Section& s, std::string_view key, CalendarSpan& out, bool positive);
  bool read_spans(const Section& s, std::string_view key, std::vector<CalendarSpan>& out);
  // Kept as written; resolve() happens once every path is known.
  bool read_path(const Section& s, std::string_view key, std::filesystem::path& out);

  bool string_value(const Field& field, std::string& out, const char* what = "must be a string");
  bool span_value(const Field& field, CalendarSpan& out, bool positive);

 private:
  std::string m_file_name;
  std::filesystem::path m_base_dir;
  std::vector<std::pair<int, std::string>> m_errors;
};

// The whole content of a file; nullopt with the reason in `why` otherwise.
std::optional<std::string> read_file_text(const std::filesystem::path& file, std::string& why);

std::string lowercase(std::string text);

}  // namespace passage::config_detail
