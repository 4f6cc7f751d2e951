#pragma once
// How the cozy-admin backend reads an HTTP answer into the core's failure
// kinds (COZY.md "Reading answers safely", CONTRACT.md retries). Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/net/http.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

enum class CallKind {
  read,            // GET: nothing happens remotely
  export_request,  // POST export: 502/504 or a failure after sending = unknown outcome
  other_write,     // DELETE, PATCH, import
};

// Reason codes of answers Passage refuses (issue 12, "Hostile stack
// answers"); `account show` explains each (engine/support/reasons.cpp).
inline constexpr std::string_view k_answer_too_large = "answer_too_large";
inline constexpr std::string_view k_answer_wrong_type = "answer_wrong_type";
inline constexpr std::string_view k_answer_unreadable = "answer_unreadable";
inline constexpr std::string_view k_redirect_refused = "redirect_refused";

// The most an admin API JSON answer may carry (an instance document with
// its secrets is a few KiB).
inline constexpr std::size_t k_json_answer_max = 1024 * 1024;

// The media types of the admin API's JSON answers (JSON:API or plain).
std::vector<std::string> json_content_types();

// nullopt when `response` is a success (2xx); otherwise the failure. A
// refused answer (too large, wrong type) is retryable on a read and of
// unknown outcome on a write; a 3xx is never followed: permanent
// redirect_refused (stacks[].url points at the wrong place).
std::optional<Failure> classify_response(const HttpResponse& response, CallKind kind, Instant now);

}  // namespace passage
