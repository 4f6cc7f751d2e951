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

// The reason code of a notice the mail relay could not take for now (not
// answering, a 4xx deferral): "relay_unavailable: <the relay's words>".
// Such a notice waits for the relay: the person's account is never FAILED
// for it, whatever the retry budget (retry_or_fail).
inline constexpr const char* k_relay_unavailable = "relay_unavailable";

}  // namespace passage
