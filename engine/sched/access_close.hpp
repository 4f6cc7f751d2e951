#pragma once
// The end of the desk's access grants (`account grant-access`, issue 13):
// at the start of each run, every grant whose time is up gets its block put
// back on the stack (MOVED), then is closed and journaled. A stack that
// does not answer leaves the grant open: the next run tries again.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "engine/sched/stacks.hpp"
#include "engine/store/store.hpp"

namespace passage {

struct GrantsClosed {
  int closed = 0;     // blocked again, or nothing left to block
  int still_open = 0; // the stack did not take the block: tried again next run
};

boost::asio::awaitable<GrantsClosed> close_expired_grants(Store& store, Stacks& stacks, Instant now,
                                                          const std::string& actor);

}  // namespace passage
