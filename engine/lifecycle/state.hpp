#pragma once
// Account states (CONTRACT.md "Account lifecycle"). Persisted by name, so
// the order of the enum may change without breaking old databases.

#include <array>
#include <optional>
#include <string_view>

namespace passage {

enum class State {
  queued,
  exporting,
  verifying,
  moving,
  invited,
  verified,
  notified,
  grace,
  purge_due,
  purged,
  held,
  retry_wait,
  failed,
  cancelled,
  no_space,
};

inline constexpr std::array k_all_states = {
    State::queued,   State::exporting, State::verifying,  State::moving, State::invited,
    State::verified, State::notified,  State::grace,      State::purge_due, State::purged,
    State::held,     State::retry_wait, State::failed,    State::cancelled, State::no_space,
};

// "QUEUED", "EXPORTING", ...
std::string_view to_string(State state);
std::optional<State> state_from_string(std::string_view name);

// PURGED, CANCELLED, NO_SPACE: nothing ever leaves them.
bool is_final(State state);

// VERIFIED or later on the main line (CONTRACT.md: "ends VERIFIED").
bool is_verified_or_later(State state);

}  // namespace passage
