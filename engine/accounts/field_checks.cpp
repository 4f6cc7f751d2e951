#include "engine/accounts/field_checks.hpp"

#include <cstddef>
#include <cstdio>
#include <vector>

namespace passage {
namespace {

// ASCII-only classes: <cctype> depends on the locale and on signed chars.
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_lower(c) || is_upper(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

bool has_space(std::string_view text) {
  for (char c : text)
    if (is_space(c)) return true;
  return false;
}

std::string describe(char c) {
  if (!is_control(c) && static_cast<unsigned char>(c) < 0x80) return std::string("'") + c + "'";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "byte 0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buffer;
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

std::vector<std::string_view> split_labels(std::string_view name) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = name.find('.', start);
    labels.push_back(name.substr(start, dot - start));
    if (dot == std::string_view::npos) return labels;
    start = dot + 1;
  }
}

std::optional<std::string> check_label(std::string_view label) {
  if (label.empty()) return "has an empty label (two dots, or a dot at an end)";
  if (label.size() > 63) return "label " + in_quotes(label) + " is longer than 63 characters";
  for (char c : label)
    if (!is_lower(c) && !is_digit(c) && c != '-')
      return "label " + in_quotes(label) + " contains " + describe(c);
  if (label.front() == '-' || label.back() == '-')
    return "label " + in_quotes(label) + " starts or ends with '-'";
  return std::nullopt;
}

// Characters that only appear in a local part inside quotes, or that betray
// a display name or a list of addresses.
bool is_local_special(char c) { return std::string_view("()<>[]:;,\\\"").find(c) != std::string_view::npos; }

}  // namespace

std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool same_email(std::string_view a, std::string_view b) { return ascii_lowercase(a) == ascii_lowercase(b); }

std::optional<std::string> check_login(std::string_view login) {
  if (login.empty()) return "empty";
  if (has_space(login)) return in_quotes(login) + " contains whitespace";
  if (login.size() > 64) return in_quotes(login) + " is longer than 64 characters";
  if (!is_alnum(login.front())) return in_quotes(login) + " must start with a letter or a digit";
  for (char c : login)
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-')
      return in_quotes(login) + " contains " + describe(c) +
             " (allowed: ASCII letters, digits, '.', '_', '-')";
  return std::nullopt;
}

std::optional<std::string> check_dns_name(std::string_view name) {
  if (name.empty()) return "empty";
  std::string prefix = in_quotes(name) + " is not a valid DNS name: ";
  if (has_space(name)) return prefix + "contains whitespace";
  for (char c : name)
    if (is_upper(c)) return prefix + "must be lowercase";
  if (name.size() > 253) return prefix + "longer than 253 characters";
  auto labels = split_labels(name);
  if (labels.size() < 2) return prefix + "needs at least two labels";
  for (auto label : labels)
    if (auto problem = check_label(label)) return prefix + *problem;
  return std::nullopt;
}

std::optional<std::string> check_email(std::string_view email) {
  if (email.empty()) return "empty";
  if (has_space(email)) return in_quotes(email) + " contains whitespace";
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return in_quotes(email) + " must contain exactly one '@'";
  std::string_view local = email.substr(0, at);
  if (local.empty()) return in_quotes(email) + " has nothing before '@'";
  if (local.size() > 64) return in_quotes(email) + " has more than 64 characters before '@'";
  for (char c : local)
    if (is_control(c) || is_local_special(c))
      return in_quotes(email) + " contains " + describe(c) + " before '@'";
  // Domains compare case-insensitively; internationalized domains must be
  // written in their ASCII (xn--) form.
  if (auto problem = check_dns_name(ascii_lowercase(email.substr(at + 1))))
    return in_quotes(email) + " has a bad domain: " + *problem;
  return std::nullopt;
}

}  // namespace passage
