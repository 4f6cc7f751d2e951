#include "engine/config/config_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace passage::config_detail {
namespace {

const char* const k_span_help =
    "must be a duration like \"21 days\" (<integer> second|minute|hour|day|week|month)";

// yaml-cpp marks are 0-based; a node built without a source has line -1.
int line_of(const YAML::Node& node) {
  return std::max(1, node.Mark().line + 1);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// A typo is the usual reason for an unknown key: name the key it resembles.
std::string unknown_key_message(std::string_view key, Keys known) {
  std::string message = "unknown key";
  for (const auto candidate : known) {
    if (edit_distance(key, candidate) <= 2) {
      return message + " (did you mean \"" + std::string(candidate) + "\"?)";
    }
  }
  return message;
}

std::string one_of(std::initializer_list<std::string_view> choices) {
  std::string text;
  std::size_t i = 0;
  for (const auto choice : choices) {
    if (i > 0) text += (i + 1 == choices.size()) ? " or " : ", ";
    text += choice;
    ++i;
  }
  return text;
}

}  // namespace

std::optional<Field> Section::get(std::string_view key) const {
  for (const auto& [name, field] : m_fields) {
    if (name == key) return field;
  }
  return std::nullopt;
}

std::string Section::path_of(std::string_view key) const {
  return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
}

void Reader::error(int line, const std::string& message) {
  m_errors.emplace_back(line, m_file_name + ":" + std::to_string(line) + ": " + message);
}

std::string Reader::where(const Field& field) const {
  return m_file_name + ":" + std::to_string(field.line) + (field.path.empty() ? "" : ": " + field.path);
}

void Reader::error(const Field& field, const std::string& what) {
  error(field.line, field.path.empty() ? what : field.path + ": " + what);
}

void Reader::missing(const Section& section, std::string_view key, const std::string& why) {
  error(section.line(), section.path_of(key) + ": " + why);
}

std::vector<std::string> Reader::take_errors() {
  std::stable_sort(m_errors.begin(), m_errors.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> messages;
  for (auto& [line, message] : m_errors) messages.push_back(std::move(message));
  m_errors.clear();
  return messages;
}

std::filesystem::path Reader::resolve(const std::filesystem::path& path) const {
  if (path.empty() || path.is_absolute()) return path;
  return (m_base_dir / path).lexically_normal();
}

std::optional<Section> Reader::section(const Field& field, Keys known) {
  if (!field.value.IsMap()) {
    error(field, "must be a mapping of keys");
    return std::nullopt;
  }
  const Section checked{field.path, field.line, {}};  // names the keys only
  std::vector<std::pair<std::string, Field>> fields;
  for (const auto& entry : field.value) {
    const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
    const int line = line_of(entry.first);
    const std::string path = checked.path_of(name);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      error(line, path + ": " + unknown_key_message(name, known));
    } else if (const auto it = std::find_if(fields.begin(), fields.end(),
                                            [&](const auto& f) { return f.first == name; });
               it != fields.end()) {
      error(line, path + ": appears twice (first at line " + std::to_string(it->second.line) + ")");
    } else {
      fields.emplace_back(name, Field{path, entry.second, line});
    }
  }
  return Section{field.path, field.line, std::move(fields)};
}

std::optional<std::vector<Field>> Reader::items(const Field& field) {
  if (!field.value.IsSequence()) {
    error(field, "must be a list");
    return std::nullopt;
  }
  std::vector<Field> result;
  for (std::size_t i = 0; i < field.value.size(); ++i) {
    const YAML::Node item = field.value[i];
    const int line = item.IsNull() ? field.line : line_of(item);
    result.push_back(Field{field.path + "[" + std::to_string(i) + "]", item, line});
  }
  return result;
}

bool Reader::string_value(const Field& field, std::string& out, const char* what) {
  if (!field.value.IsScalar()) {
    error(field, what);
    return false;
  }
  out = field.value.Scalar();
  return true;
}

bool Reader::span_value(const Field& field, CalendarSpan& out, bool positive) {
  std::string text;
  if (!string_value(field, text, k_span_help)) return false;
  const auto span = parse_span(text);
  if (!span) {
    error(field, k_span_help);
    return false;
  }
  if (positive && span->count == 0) {
    error(field, "must be longer than 0");
    return false;
  }
  out = *span;
  return true;
}

bool Reader::read_string(const Section& s, std::string_view key, std::string& out) {
  const auto field = s.get(key);
  return field && string_value(*field, out);
}

bool Reader::read_choice(const Section& s, std::string_view key, std::string& out,
                         std::initializer_list<std::string_view> choices) {
  const auto field = s.get(key);
  if (!field) return false;
  const std::string what = "must be " + one_of(choices);
  std::string value;
  if (!string_value(*field, value, what.c_str())) return false;
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    error(*field, what);
    return false;
  }
  out = value;
  return true;
}

bool Reader::read_bool(const Section& s, std::string_view key, bool& out) {
  const auto field = s.get(key);
  if (!field) return false;
  bool value = false;
  if (!field->value.IsScalar() || !YAML::convert<bool>::decode(field->value, value)) {
    error(*field, "must be true or false");
    return false;
  }
  out = value;
  return true;
}

bool Reader::read_int(const Section& s, std::string_view key, int& out, int min) {
  const auto field = s.get(key);
  if (!field) return false;
  int value = 0;
  if (!field->value.IsScalar() || !YAML::convert<int>::decode(field->value, value) ||
      value < min) {
    error(*field, min == 1   ? "must be a positive integer"
                  : min == 0 ? "must be an integer >= 0"
                             : "must be an integer >= " + std::to_string(min));
    return false;
  }
  out = value;
  return true;
}

bool Reader::read_seed(const Section& s, std::string_view key, std::uint64_t& out) {
  const auto field = s.get(key);
  if (!field) return false;
  std::uint64_t value = 0;
  if (!field->value.IsScalar() || !YAML::convert<std::uint64_t>::decode(field->value, value)) {
    error(*field, "must be an integer >= 0");
    return false;
  }
  out = value;
  return true;
}

bool Reader::read_number(const Section& s, std::string_view key, double& out, NumberRule rule) {
  const auto field = s.get(key);
  if (!field) return false;
  double value = 0;
  const bool number = field->value.IsScalar() &&
                      YAML::convert<double>::decode(field->value, value) && std::isfinite(value);
  if (rule == NumberRule::positive && !(number && value > 0)) {
    error(*field, "must be a positive number");
    return false;
  }
  if (rule == NumberRule::fraction && !(number && value >= 0 && value <= 1)) {
    error(*field, "must be a number between 0 and 1");
    return false;
  }
  out = value;
  return true;
}

bool Reader::read_span(const Section& s, std::string_view key, CalendarSpan& out, bool positive) {
  const auto field = s.get(key);
  return field && span_value(*field, out, positive);
}

bool Reader::read_spans(const Section& s, std::string_view key, std::vector<CalendarSpan>& out) {
  const auto field = s.get(key);
  if (!field) return false;
  const auto list = items(*field);
  if (!list) return false;
  std::vector<CalendarSpan> spans;
  bool ok = true;
  for (const auto& item : *list) {
    CalendarSpan span;
    ok = span_value(item, span, true) && ok;
    spans.push_back(span);
  }
  if (ok) out = std::move(spans);
  return ok;
}

bool Reader::read_path(const Section& s, std::string_view key, std::filesystem::path& out) {
  const auto field = s.get(key);
  if (!field) return false;
  std::string text;
  if (!string_value(*field, text, "must be a path")) return false;
  if (text.empty()) {
    error(*field, "must be a path");
    return false;
  }
  out = text;
  return true;
}

std::optional<std::string> read_file_text(const std::filesystem::path& file, std::string& why) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    why = "it is a folder";
    return std::nullopt;
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in.is_open() || in.bad()) {
    why = errno != 0 ? std::strerror(errno) : "read failed";
    return std::nullopt;
  }
  return text;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace passage::config_detail
