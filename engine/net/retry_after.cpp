// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <locale>
#include <sstream>

#include "engine/net/http.hpp"

namespace passage {

namespace {

// Far beyond any sane answer; keeps the arithmetic clear of overflow.
constexpr std::chrono::seconds k_longest_delay = std::chrono::hours(24 * 366 * 10);

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::optional<Millis> parse_delay_seconds(std::string_view text) {
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  unsigned long long seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error == std::errc::result_out_of_range) return k_longest_delay;
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  const auto delay = std::min<unsigned long long>(seconds, static_cast<unsigned long long>(k_longest_delay.count()));
  return std::chrono::seconds(static_cast<long long>(delay));
}

// IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", the only form a sender may
// generate.
std::optional<Instant> parse_http_date(std::string_view text) {
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  date::sys_seconds at;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", at);
  if (in.fail()) return std::nullopt;
  in >> std::ws;
  if (!in.eof()) return std::nullopt;
  return std::chrono::time_point_cast<Millis>(at);
}

}  // namespace

std::optional<Millis> parse_retry_after(std::string_view value, Instant now) {
  const std::string_view text = trim(value);
  if (text.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(text.front()))) return parse_delay_seconds(text);
  const std::optional<Instant> at = parse_http_date(text);
  if (!at) return std::nullopt;
  const Millis delay = *at - now;
  return std::clamp<Millis>(delay, Millis(0), k_longest_delay);
}

}  // namespace passage
