#include "engine/accounts/field_checks.hpp"

#include <cstddef>
#include <cstdio>
#include <vector>

#include "engine/accounts/text_encoding.hpp"

namespace passage {
namespace {

// ASCII-only classes: <cctype> depends on the locale and on signed chars.
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_lower(c) || is_upper(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// "contains whitespace", or the non-ASCII space named ("contains U+00A0
// (non-breaking space)"): an invisible character must be findable.
std::optional<std::string> whitespace_in(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    // ASCII, nearly every byte of a list: no decoding.
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      if (is_space(static_cast<char>(byte))) return "contains whitespace";
      ++at;
      continue;
    }
    Utf8Char one = utf8_char_at(text, at);
    if (one.code < 0x80 && is_space(static_cast<char>(one.code))) return "contains whitespace";
    if (is_unicode_space(one.code)) return "contains " + describe_character(one.code);
    at += one.length;
  }
  return std::nullopt;
}

// The first character of `text` that `allowed` refuses, named (a
// character, never a byte: the text is UTF-8 by now).
template <typename Allowed>
std::optional<std::string> first_refused(std::string_view text, Allowed allowed) {
  for (std::size_t at = 0; at < text.size();) {
    Utf8Char one = utf8_char_at(text, at);
    if (one.code >= 0x80 || !allowed(static_cast<char>(one.code))) return describe_character(one.code);
    at += one.length;
  }
  return std::nullopt;
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
  if (auto refused = first_refused(label, [](char c) { return is_lower(c) || is_digit(c) || c == '-'; }))
    return "label " + in_quotes(label) + " contains " + *refused;
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
  if (auto space = whitespace_in(login)) return in_quotes(login) + " " + *space;
  if (login.size() > 64) return in_quotes(login) + " is longer than 64 characters";
  if (!is_alnum(login.front())) return in_quotes(login) + " must start with a letter or a digit";
  if (auto refused = first_refused(login, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; }))
    return in_quotes(login) + " contains " + *refused + " (allowed: ASCII letters, digits, '.', '_', '-')";
  return std::nullopt;
}

std::optional<std::string> check_dns_name(std::string_view name) {
  if (name.empty()) return "empty";
  // Built only for a bad name (two domains a row are checked).
  auto bad = [&](const std::string& what) { return in_quotes(name) + " is not a valid DNS name: " + what; };
  if (auto space = whitespace_in(name)) return bad(*space);
  for (char c : name)
    if (is_upper(c)) return bad("must be lowercase");
  if (name.size() > 253) return bad("longer than 253 characters");
  auto labels = split_labels(name);
  if (labels.size() < 2) return bad("needs at least two labels");
  for (auto label : labels)
    if (auto problem = check_label(label)) return bad(*problem);
  return std::nullopt;
}

std::optional<std::string> check_email(std::string_view email) {
  if (email.empty()) return "empty";
  if (auto space = whitespace_in(email)) return in_quotes(email) + " " + *space;
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return in_quotes(email) + " must contain exactly one '@'";
  std::string_view local = email.substr(0, at);
  if (local.empty()) return in_quotes(email) + " has nothing before '@'";
  if (local.size() > 64) return in_quotes(email) + " has more than 64 characters before '@'";
  for (std::size_t i = 0; i < local.size(); ++i)
    if (is_control(local[i]) || is_local_special(local[i]))
      return in_quotes(email) + " contains " + describe_character(static_cast<unsigned char>(local[i])) +
             " before '@'";
  // Domains compare case-insensitively; internationalized domains must be
  // written in their ASCII (xn--) form.
  if (auto problem = check_dns_name(ascii_lowercase(email.substr(at + 1))))
    return in_quotes(email) + " has a bad domain: " + *problem;
  return std::nullopt;
}

}  // namespace passage
