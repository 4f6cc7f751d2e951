#include "population.hpp"

#include "hash.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sim {

Population::Population(std::uint32_t generated, std::string suffix, std::vector<std::string> listed)
    : m_generated(generated), m_suffix(std::move(suffix)), m_listed(std::move(listed)) {
  m_listed_index.reserve(m_listed.size());
  for (std::size_t i = 0; i < m_listed.size(); ++i)
    m_listed_index.emplace(m_listed[i], m_generated + static_cast<std::uint32_t>(i));
}

std::optional<std::uint32_t> Population::find_generated(std::string_view d) const {
  if (d.size() < m_suffix.size() + 8 || d[0] != 'u') return std::nullopt;
  if (d.substr(d.size() - m_suffix.size()) != m_suffix || d[d.size() - m_suffix.size() - 1] != '.')
    return std::nullopt;
  const auto digits = d.substr(1, d.size() - m_suffix.size() - 2);
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || v > 100'000'000) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v >= m_generated) return std::nullopt;
  const auto index = static_cast<std::uint32_t>(v);
  // Only the canonical spelling exists (u000007, not u07).
  if (digits.size() != std::max<std::size_t>(6, std::to_string(v).size())) return std::nullopt;
  return index;
}

std::optional<std::uint32_t> Population::find(std::string_view domain) const {
  if (auto g = find_generated(domain)) return g;
  if (auto it = m_listed_index.find(domain); it != m_listed_index.end()) return it->second;
  return std::nullopt;
}

std::string Population::domain(std::uint32_t index) const {
  if (index >= m_generated) return m_listed[index - m_generated];
  char buf[16];
  std::snprintf(buf, sizeof buf, "u%06u.", index);
  return buf + m_suffix;
}

bool is_well_formed_domain(std::string_view d) {
  if (auto colon = d.rfind(':'); colon != std::string_view::npos) {
    const auto port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port)
      if (c < '0' || c > '9') return false;
    d = d.substr(0, colon);
  }
  if (d.empty() || d.size() > 253 || d.find('.') == std::string_view::npos) return false;
  std::size_t label = 0;
  char prev = '.';
  for (char c : d) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

Profile make_profile(std::string_view domain, std::uint64_t seed, std::int64_t start_day) {
  Profile p;
  p.key = hash_str(domain, seed);
  auto draw = [&](std::uint64_t purpose) { return unit(mix64(p.key ^ mix64(purpose))); };
  // A cubic spread: median ~600 MB, about a quarter above 2 GB, none past the quota.
  const double u = draw(1);
  p.used = std::max<std::int64_t>(4096, static_cast<std::int64_t>(4.95e9 * u * u * u));
  p.quota = draw(2) < 0.02 ? 0 : k_default_quota;
  p.trashed = draw(5) < 0.5 ? static_cast<std::int64_t>(static_cast<double>(p.used) * 0.1 * draw(6)) : 0;
  p.doc_count = 1 + static_cast<std::int64_t>(static_cast<double>(p.used) / 2.5e6 * (0.5 + draw(7)));
  p.onboarded = draw(8) >= 0.15;
  p.reset_token = draw(9) < 0.05;
  p.locale = draw(10) < 0.9 ? "fr" : "en";
  p.last_activity_day = draw(11) < 0.08 ? -1 : start_day - static_cast<std::int64_t>(draw(12) * 400);
  p.people_draw = draw(13);
  p.active_draw = draw(14);
  return p;
}

}  // namespace sim
