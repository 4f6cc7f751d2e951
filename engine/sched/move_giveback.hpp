#pragma once
// Passage's own MOVING block on the source of an admin move that no run
// drives any more: the desk held or cancelled the account after its run
// was killed mid-move, or the move ended FAILED. At the start of each run,
// such a source still blocked MOVING is unblocked (the person gets their
// space back) and journaled. So is a source blocked MOVED behind a
// cancel that came once its target was asked to import (the import,
// which nothing can stop, ended): the desk decided the person stays.
// Nothing is sent to a target; a move token still live simply expires at its deadline (revoking it could cut an
// import the target has already started, leaving it half filled). A stack
// that does not answer leaves the block: the next run tries again.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "engine/sched/stacks.hpp"
#include "engine/store/store.hpp"

namespace passage {

// How many sources were given back.
boost::asio::awaitable<int> give_back_stopped_moves(Store& store, Stacks& stacks, Instant now,
                                                    const std::string& actor);

}  // namespace passage
