#include "engine/lifecycle/state.hpp"

namespace passage {

namespace {

struct StateName {
  State state;
  std::string_view name;
};

constexpr StateName k_names[] = {
    {State::queued, "QUEUED"},       {State::exporting, "EXPORTING"},
    {State::verifying, "VERIFYING"}, {State::moving, "MOVING"},
    {State::invited, "INVITED"},     {State::verified, "VERIFIED"},
    {State::notified, "NOTIFIED"},   {State::grace, "GRACE"},
    {State::purge_due, "PURGE_DUE"}, {State::purged, "PURGED"},
    {State::held, "HELD"},           {State::retry_wait, "RETRY_WAIT"},
    {State::failed, "FAILED"},       {State::cancelled, "CANCELLED"},
    {State::no_space, "NO_SPACE"},
};

}  // namespace

std::string_view to_string(State state) {
  for (const auto& entry : k_names)
    if (entry.state == state) return entry.name;
  return "UNKNOWN";
}

std::optional<State> state_from_string(std::string_view name) {
  for (const auto& entry : k_names)
    if (entry.name == name) return entry.state;
  return std::nullopt;
}

bool is_final(State state) {
  return state == State::purged || state == State::cancelled || state == State::no_space;
}

bool is_verified_or_later(State state) {
  switch (state) {
    case State::verified:
    case State::notified:
    case State::grace:
    case State::purge_due:
    case State::purged:
      return true;
    default:
      return false;
  }
}

}  // namespace passage
