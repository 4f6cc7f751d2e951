#pragma once
// The payload of a failure to check an open admin move (a stack not
// answering): the check is retried, never the move, so a move that did
// finish is not mistaken for someone else's block on the next lookup
// (engine/sched/move_check.hpp, steps_export.cpp moving_failure).

#include <string_view>

namespace passage {

inline constexpr std::string_view k_move_check_failed = "move_check_failed";

}  // namespace passage
