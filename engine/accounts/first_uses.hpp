#pragma once
// Which line of an accounts file first used a value (a login, a domain),
// in 16 bytes a value whatever its length: a 96-bit hash of the value and
// the line. A 1,000,000-line file costs about 32 MB, not the ~200 MB of a
// map of strings. Two different values with the same hash (odds about
// n² / 2^97) would be reported as a repeat: the file is then refused,
// never wrongly accepted.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace passage {

class FirstUses {
 public:
  // The line that used `value` before; nullopt after recording `line`
  // (> 0) as its first use.
  std::optional<int> use(std::string_view value, int line);
  // The line that used `value`, if any.
  std::optional<int> line_of(std::string_view value) const;

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t check = 0;
    std::int32_t line = 0;  // 0: empty slot
  };

  std::size_t find(std::uint64_t hash, std::uint32_t check) const;
  void grow();

  std::vector<Slot> m_slots = std::vector<Slot>(1024);
  std::size_t m_used = 0;
};

}  // namespace passage
