#pragma once
// Outgoing HTTP GET for imports, dialing only what cozy-stack's safehttp
// dials (safe_http.hpp): loopback and private addresses only with
// `trust_private_networks`. http:// only: an https:// URL passes the
// address check, then fails (the simulator speaks no TLS).
#include "beast_fwd.hpp"
#include "runtime.hpp"

namespace sim {

net::awaitable<FetchResult> fetch_url(std::string url, bool trust_private_networks);

}  // namespace sim
