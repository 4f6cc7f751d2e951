// Loading and strict rendering of notice templates. Rendering is done by
// kainjow/mustache; a Mustache renderer silently prints nothing for an
// unknown or missing variable, so the tags are checked first: a mail saying
// "deleted from ." must never leave.

#include "engine/notices/templates.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <kainjow/mustache.hpp>

namespace passage {
namespace {

namespace mustache = kainjow::mustache;

// Ends a standalone tag's line while rendering (see mark_standalone_tags).
constexpr char k_line_marker = '\x01';

bool is_known_variable(std::string_view name) {
  return std::find(k_template_variables.begin(), k_template_variables.end(), name) !=
         k_template_variables.end();
}

bool has_value(const TemplateValues& values, std::string_view name) {
  const auto it = values.find(name);
  return it != values.end() && !it->second.empty();
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

struct Tag {
  char sigil = 0;  // 0 for a plain variable, else one of # ^ / ! > = & {
  std::string_view name;
};

struct OpenSection {
  std::string_view name;
  bool inverted = false;
};

// Checks the tags one by one against the open sections.
class TagChecker {
 public:
  explicit TagChecker(const TemplateValues& values) : m_values(values) {}

  void check(const Tag& tag) {
    switch (tag.sigil) {
      case '!': return;
      case '>': return problem("partials are not supported: {{>" + std::string(tag.name) + "}}");
      case '=': return problem("delimiter changes are not supported");
      case '#':
      case '^': return open(tag.name, tag.sigil == '^');
      case '/': return close(tag.name);
      default: return variable(tag.name);
    }
  }

  std::vector<std::string> finish() {
    for (const auto& section : m_open) {
      problem("section '" + std::string(section.name) + "' is never closed");
    }
    return std::move(m_problems);
  }

  void problem(std::string message) { m_problems.push_back(std::move(message)); }

 private:
  void open(std::string_view name, bool inverted) {
    if (!is_known_variable(name)) problem("unknown variable '" + std::string(name) + "'");
    m_open.push_back({name, inverted});
  }

  void close(std::string_view name) {
    if (m_open.empty() || m_open.back().name != name) {
      problem("section end '" + std::string(name) + "' without a matching start");
      return;
    }
    m_open.pop_back();
  }

  void variable(std::string_view name) {
    if (!is_known_variable(name)) return problem("unknown variable '" + std::string(name) + "'");
    if (has_value(m_values, name) || inside_section_on(name)) return;
    problem("variable '" + std::string(name) + "' has no value for this notice");
  }

  bool inside_section_on(std::string_view name) const {
    return std::any_of(m_open.begin(), m_open.end(), [&](const OpenSection& section) {
      return section.name == name && !section.inverted;
    });
  }

  const TemplateValues& m_values;
  std::vector<OpenSection> m_open;
  std::vector<std::string> m_problems;
};

// Reads the tag starting at `at` ("{{"); returns the position after it, or
// npos when it is not closed.
std::size_t read_tag(std::string_view text, std::size_t at, Tag& tag) {
  const bool triple = text.substr(at, 3) == "{{{";
  const std::string_view end = triple ? "}}}" : "}}";
  const auto start = at + (triple ? 3 : 2);
  const auto stop = text.find(end, start);
  if (stop == std::string_view::npos) return stop;
  auto inside = trim(text.substr(start, stop - start));
  tag = Tag{};
  if (triple) {
    tag.sigil = '{';
  } else if (!inside.empty() && std::string_view("#^/!>=&").find(inside.front()) != std::string_view::npos) {
    tag.sigil = inside.front();
    inside = inside.substr(1);
  }
  tag.name = trim(inside);
  return stop + end.size();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) throw std::runtime_error(path.string() + ": cannot read the template");
  return text.str();
}

std::string builtin_origin(std::string_view lang, std::string_view kind) {
  return "built-in " + std::string(lang) + "/" + std::string(kind) + ".mustache";
}

mustache::data to_data(const TemplateValues& values) {
  mustache::data data{mustache::data::type::object};
  for (const auto& [name, value] : values) {
    if (value.empty()) continue;
    auto text = value;
    std::erase(text, k_line_marker);  // a value never removes a line
    data.set(name, text);
  }
  return data;
}

std::string join(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& problem : problems) text += (text.empty() ? "" : "; ") + problem;
  return text;
}

// True when `line` holds nothing but one section, inverted-section, end or
// comment tag (and blanks).
bool is_standalone_tag_line(std::string_view line) {
  const auto tag = trim(line);
  if (tag.size() < 5 || tag.substr(0, 2) != "{{" || tag.find("}}") != tag.size() - 2) return false;
  return std::string_view("#^/!").find(tag[2]) != std::string_view::npos;
}

// Marks a standalone tag's line. Mustache removes such a line whole, but
// kainjow keeps its newline when it skips a section, which leaves stray blank
// lines in a mail. A marked line renders as the marker alone, whatever the
// section does, and drop_marked_lines() then removes it.
std::string mark_standalone_tags(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 64);
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto line = text.substr(0, end);
    const auto bare = line.ends_with('\r') ? line.substr(0, line.size() - 1) : line;
    if (is_standalone_tag_line(bare)) {
      out += trim(bare);
      out += k_line_marker;
    } else {
      out += line;
    }
    if (end != std::string_view::npos) out += '\n';
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return out;
}

std::string drop_marked_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto line = text.substr(0, end == std::string_view::npos ? end : end + 1);
    if (line.find(k_line_marker) == std::string_view::npos) out += line;
    text.remove_prefix(line.size());
  }
  return out;
}

[[noreturn]] void fail(const TemplateSource& source, const std::string& what) {
  throw std::runtime_error(source.origin + ": " + what);
}

thread_local std::size_t g_parses = 0;

// Parsing a template was most of a notice's cost, and a run renders the
// same few texts for every account (issue 15): each text is parsed once
// per thread. Rendering only reads the parsed tree (its errors come from
// lambdas and partials, which values and template_problems never let in);
// a render that fails anyway drops its entry.
using Parsed = std::map<std::string, mustache::mustache, std::less<>>;
constexpr std::size_t k_parsed_max = 64;  // override folders are small

Parsed& parsed_templates() {
  thread_local Parsed parsed;
  return parsed;
}

mustache::mustache& parsed_template(const TemplateSource& source) {
  Parsed& parsed = parsed_templates();
  if (auto found = parsed.find(source.text); found != parsed.end()) return found->second;
  if (parsed.size() >= k_parsed_max) parsed.clear();
  ++g_parses;
  auto [at, added] = parsed.try_emplace(source.text, mark_standalone_tags(source.text));
  at->second.set_custom_escape([](const std::string& text) { return text; });
  return at->second;
}

// A text in error is not kept: the next render parses it again.
[[noreturn]] void fail_parsed(const TemplateSource& source, const mustache::mustache& tmpl) {
  const std::string error = tmpl.error_message();
  parsed_templates().erase(source.text);  // `tmpl` is gone from here
  fail(source, error);
}

}  // namespace

TemplateSource load_template(std::string_view lang, std::string_view kind,
                             const std::optional<std::filesystem::path>& overrides) {
  const auto file = std::string(kind) + ".mustache";
  if (overrides) {
    const auto path = *overrides / std::string(lang) / file;
    std::error_code error;
    if (std::filesystem::is_regular_file(path, error)) return {read_file(path), path.string()};
  }
  for (const auto& builtin : builtin_templates()) {
    if (builtin.lang == lang && builtin.kind == kind) {
      return {std::string(builtin.text), builtin_origin(lang, kind)};
    }
  }
  throw std::runtime_error(builtin_origin(lang, kind) + ": no such template" +
                           (overrides ? " (nor in " + overrides->string() + ")" : std::string()));
}

std::vector<std::string> template_problems(std::string_view text, const TemplateValues& values) {
  TagChecker checker(values);
  std::size_t at = text.find("{{");
  while (at != std::string_view::npos) {
    Tag tag;
    const auto next = read_tag(text, at, tag);
    if (next == std::string_view::npos) {
      checker.problem("a tag opened with {{ is never closed");
      break;
    }
    checker.check(tag);
    at = text.find("{{", next);
  }
  return checker.finish();
}

std::string render_template(const TemplateSource& source, const TemplateValues& values) {
  const auto problems = template_problems(source.text, values);
  if (!problems.empty()) fail(source, join(problems));
  mustache::mustache& tmpl = parsed_template(source);
  if (!tmpl.is_valid()) fail_parsed(source, tmpl);
  const auto rendered = tmpl.render(to_data(values));
  if (!tmpl.is_valid()) fail_parsed(source, tmpl);
  return drop_marked_lines(rendered);
}

std::size_t template_parses_on_this_thread() { return g_parses; }

}  // namespace passage
