#pragma once
// How the cozy-admin backend reads an HTTP answer into the core's failure
// kinds (COZY.md "Reading answers safely", CONTRACT.md retries). Pure.

#include <optional>

#include "engine/net/http.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

enum class CallKind {
  read,            // GET: nothing happens remotely
  export_request,  // POST export: 502/504 or a failure after sending = unknown outcome
  other_write,     // DELETE, PATCH, import
};

// nullopt when `response` is a success (2xx); otherwise the failure.
std::optional<Failure> classify_response(const HttpResponse& response, CallKind kind, Instant now);

}  // namespace passage
