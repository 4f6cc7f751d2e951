#pragma once
// A count with its noun in the right number, for every line a person reads
// (no "1 accounts", no « jour(s) »).

#include <string>

namespace passage {

// "1 account", "3 accounts", "0 accounts".
inline std::string plural(long long count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

}  // namespace passage
