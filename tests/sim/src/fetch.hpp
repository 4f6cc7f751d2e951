#pragma once
// Outgoing HTTP GET for imports. Only http:// URLs on loopback addresses
// are fetched: the simulator stays on this machine (a production stack
// refuses private addresses instead).
#include "beast_fwd.hpp"
#include "runtime.hpp"

namespace sim {

net::awaitable<FetchResult> fetch_url(std::string url);

}  // namespace sim
