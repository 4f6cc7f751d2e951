#include "engine/accounts/first_uses.hpp"

namespace passage {
namespace {

// FNV-1a from `basis`, then a splitmix64 finish so that every bit counts.
std::uint64_t hash_with(std::string_view value, std::uint64_t basis) {
  std::uint64_t hash = basis;
  for (unsigned char c : value) hash = (hash ^ c) * 0x100000001b3ULL;
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  return hash ^ (hash >> 31);
}

std::uint64_t main_hash(std::string_view value) { return hash_with(value, 0xcbf29ce484222325ULL); }
std::uint32_t check_hash(std::string_view value) {
  return static_cast<std::uint32_t>(hash_with(value, 0x9e3779b97f4a7c15ULL) >> 32);
}

}  // namespace

// Open addressing, linear probing; the table is a power of two, at most
// half full.
std::size_t FirstUses::find(std::uint64_t hash, std::uint32_t check) const {
  std::size_t mask = m_slots.size() - 1;
  std::size_t index = static_cast<std::size_t>(hash) & mask;
  while (m_slots[index].line != 0 && (m_slots[index].hash != hash || m_slots[index].check != check))
    index = (index + 1) & mask;
  return index;
}

void FirstUses::grow() {
  std::vector<Slot> old = std::move(m_slots);
  m_slots = std::vector<Slot>(old.size() * 2);
  for (const Slot& slot : old)
    if (slot.line != 0) m_slots[find(slot.hash, slot.check)] = slot;
}

std::optional<int> FirstUses::use(std::string_view value, int line) {
  std::uint64_t hash = main_hash(value);
  std::uint32_t check = check_hash(value);
  Slot& slot = m_slots[find(hash, check)];
  if (slot.line != 0) return slot.line;
  slot = Slot{hash, check, line};
  if (++m_used * 2 > m_slots.size()) grow();
  return std::nullopt;
}

std::optional<int> FirstUses::line_of(std::string_view value) const {
  const Slot& slot = m_slots[find(main_hash(value), check_hash(value))];
  if (slot.line == 0) return std::nullopt;
  return slot.line;
}

}  // namespace passage
