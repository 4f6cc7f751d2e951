#include "sim_time.hpp"

#include <cstdio>

namespace sim {
namespace {

// Howard Hinnant's public-domain civil calendar algorithms.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<std::int64_t> parse_offset(std::string_view rest) {
  if (rest.empty() || rest == "Z" || rest == "z") return 0;
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') return std::nullopt;
  int hh = 0, mm = 0;
  if (!digits(rest, 1, 2, hh) || !digits(rest, 4, 2, mm)) return std::nullopt;
  const std::int64_t off = (hh * 60 + mm) * 60'000LL;
  return rest[0] == '+' ? off : -off;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> parse_iso(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          ms += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  const auto off = parse_offset(s.substr(pos));
  if (!off) return std::nullopt;
  const std::int64_t day = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return day * k_ms_per_day + ((h * 60LL + mi) * 60 + sec) * 1000 + ms - *off;
}

std::int64_t day_of(std::int64_t ms) { return ms >= 0 ? ms / k_ms_per_day : (ms - k_ms_per_day + 1) / k_ms_per_day; }

std::string format_day(std::int64_t day) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string format_iso(std::int64_t ms) {
  const std::int64_t day = day_of(ms);
  const std::int64_t in_day = ms - day * k_ms_per_day;
  const auto secs = in_day / 1000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld", format_day(day).c_str(),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  std::string out = buf;
  if (auto frac = in_day % 1000; frac != 0) {
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::int64_t real_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

SimClock::SimClock(std::int64_t start_ms) : m_base_ms(start_ms), m_base_real(std::chrono::steady_clock::now()) {}

std::int64_t SimClock::now_ms() const {
  using namespace std::chrono;
  return m_base_ms + duration_cast<milliseconds>(steady_clock::now() - m_base_real).count();
}

void SimClock::set(std::int64_t ms) {
  m_base_ms = ms;
  m_base_real = std::chrono::steady_clock::now();
}

void SimClock::advance(std::int64_t ms) { m_base_ms += ms; }

}  // namespace sim
