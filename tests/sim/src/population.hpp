#pragma once
// Who lives on the simulated stack: generated domains `u000000.SUFFIX`...
// (never stored as strings) plus the domains of an accounts file, and the
// facts derived from (seed, domain) that never change.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sim {

class Population {
public:
  Population(std::uint32_t generated, std::string suffix, std::vector<std::string> listed);
  std::uint32_t size() const { return m_generated + static_cast<std::uint32_t>(m_listed.size()); }
  std::optional<std::uint32_t> find(std::string_view domain) const;
  std::string domain(std::uint32_t index) const;

private:
  std::optional<std::uint32_t> find_generated(std::string_view domain) const;
  std::uint32_t m_generated;
  std::string m_suffix;
  std::vector<std::string> m_listed;
  std::unordered_map<std::string_view, std::uint32_t> m_listed_index;
};

// Syntax a Cozy domain must have (else 422): dot-separated labels of
// [a-z0-9-], not starting or ending with '-', an optional `:port`.
bool is_well_formed_domain(std::string_view domain);

// The immutable, derived facts about one instance.
struct Profile {
  std::uint64_t key = 0;
  std::int64_t used = 0;   // declared bytes
  std::int64_t quota = 0;  // 0: no quota
  std::int64_t trashed = 0;
  std::int64_t doc_count = 0;
  std::int64_t last_activity_day = -1;  // -1: never used
  bool onboarded = true;
  bool reset_token = false;
  const char* locale = "fr";
  double people_draw = 0;  // decides move / never-move
  double active_draw = 0;
};

constexpr std::int64_t k_default_quota = 5'000'000'000;

Profile make_profile(std::string_view domain, std::uint64_t seed, std::int64_t start_day);

}  // namespace sim
