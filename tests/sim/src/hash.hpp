#pragma once
// Deterministic hashing and randomness: every derived fact of the simulator
// is a pure function of (seed, domain, purpose), so nothing per instance has
// to be stored until it changes.
#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t hash_str(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

// A value in [0, 1) from a hash.
inline double unit(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

inline std::string hex64(std::uint64_t v) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = k_digits[v & 0xf];
    v >>= 4;
  }
  return out;
}

// A CouchDB-like 32 hex digit id.
inline std::string couch_id(std::uint64_t key) { return hex64(mix64(key)) + hex64(mix64(key ^ 0x5bd1e995)); }

// splitmix64: small, fast, good enough for fault draws and test data.
class Rng {
public:
  explicit Rng(std::uint64_t seed) : m_state(seed) {}
  std::uint64_t next() { return mix64(m_state++); }
  double uniform() { return unit(next()); }
  bool chance(double p) { return p > 0 && uniform() < p; }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }

private:
  std::uint64_t m_state;
};

}  // namespace sim
