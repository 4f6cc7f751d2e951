#pragma once
// How a remote step failed, as the core needs to know it (DESIGN.md
// principle 4): backends classify, the core decides.

namespace passage {

enum class FailureKind {
  retryable,        // try again after backoff; nothing happened remotely
  rate_limited,     // the stack asked to slow down (retry_after if given)
  permanent,        // will not work without a person
  not_found,        // the call's object does not exist
  unknown_outcome,  // the request may have had its effect (502/504, reset, timeout)
  export_error,     // the stack ran the export and it ended in error (the request counts)
};

const char* to_string(FailureKind kind);

}  // namespace passage
