#pragma once
// Notice templates (CONTRACT.md "Notices"): Mustache text whose first line is
// "Subject: …". A built-in set, the files of configs/templates embedded into
// the binary by scripts/embed-templates, is always there; `notify.templates`
// names a folder whose <lang>/<kind>.mustache files override the built-in
// ones one by one.

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace passage {

// Every notice kind, roughly in the order a person receives them.
inline constexpr std::array<std::string_view, 9> k_notice_kinds = {
    "move_instructions", "move_reminder",     "move_fallback",         "export_ready", "reexport",
    "move_done",         "deletion_reminder", "deletion_date_changed", "deletion_done"};

// The variables a template may name; any other name is an error.
inline constexpr std::array<std::string_view, 14> k_template_variables = {
    "login",           "domain",          "deletion_date",    "export_expires_at", "download_url",
    "move_deadline",   "days_left",       "days_left_text",   "support_contact",   "target",
    "export_expired",  "space_reachable", "move_not_offered", "reexport_requested"};

// The languages of the built-in set.
inline constexpr std::array<std::string_view, 2> k_builtin_languages = {"fr", "en"};

struct BuiltinTemplate {
  std::string_view lang;
  std::string_view kind;
  std::string_view text;  // the exact bytes of configs/templates/<lang>/<kind>.mustache
};

// The embedded templates, sorted by language then kind. Defined in the
// generated builtin_templates.cpp.
std::span<const BuiltinTemplate> builtin_templates();

struct TemplateSource {
  std::string text;
  std::string origin;  // the override file's path, or "built-in <lang>/<kind>.mustache"
};

// The template for (lang, kind): <overrides>/<lang>/<kind>.mustache when that
// file exists, else the built-in one. Throws std::runtime_error naming the
// file when neither exists or the override cannot be read.
TemplateSource load_template(std::string_view lang, std::string_view kind,
                             const std::optional<std::filesystem::path>& overrides);

// Variable name → value. An empty value counts as no value.
using TemplateValues = std::map<std::string, std::string, std::less<>>;

// What is wrong with `text` for these values, one message per problem (empty
// when it renders): a tag naming an unknown variable, a variable with no
// value outside a {{#same}}…{{/same}} section, an unbalanced section, a
// partial or a delimiter change (neither is supported).
std::vector<std::string> template_problems(std::string_view text, const TemplateValues& values);

// Renders `source` with `values`, without HTML escaping (notices are plain
// text, so {{x}} and {{{x}}} are the same). {{#x}}…{{/x}} renders when x has
// a value, {{^x}}…{{/x}} when it has none. Throws std::runtime_error starting
// with source.origin on any template_problems() or Mustache syntax error.
std::string render_template(const TemplateSource& source, const TemplateValues& values);

// Template texts parsed by this thread so far. render_template parses each
// text once per thread and reuses it (a run renders the same few
// templates for every account); tests read this to check it.
std::size_t template_parses_on_this_thread();

}  // namespace passage
