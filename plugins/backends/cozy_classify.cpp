#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace {

Failure make(FailureKind kind, std::string reason, std::optional<Millis> retry_after = {}) {
  return Failure{kind, std::move(reason), retry_after};
}

std::optional<Millis> retry_after_of(const HttpResponse& response, Instant now) {
  auto found = response.headers.find("retry-after");
  if (found == response.headers.end()) return std::nullopt;
  return parse_retry_after(found->second, now);
}

Failure transport_failure(const HttpResponse& response, CallKind kind) {
  std::string reason = response.timed_out ? "timeout" : response.error;
  // After the request left, a write may have had its effect.
  if (response.request_sent && kind != CallKind::read)
    return make(FailureKind::unknown_outcome, reason + " after the request was sent");
  return make(FailureKind::retryable, reason);
}

// The answer arrived and was refused: on a write answered 2xx the effect
// happened, whatever the body; otherwise nothing is believed.
Failure refused_answer(const HttpResponse& response, CallKind kind) {
  std::string reason = response.refused == HttpRefusal::too_large
                           ? std::string(k_answer_too_large) + ": over its limit"
                           : std::string(k_answer_wrong_type) + ": " + response.error;
  const bool took_effect = response.status >= 200 && response.status < 300;
  if (kind != CallKind::read && (took_effect || response.request_sent))
    return make(FailureKind::unknown_outcome, reason);
  return make(FailureKind::retryable, reason);
}

}  // namespace

std::vector<std::string> json_content_types() { return {"application/json", "application/vnd.api+json"}; }

std::optional<Failure> classify_response(const HttpResponse& response, CallKind kind, Instant now) {
  if (response.refused != HttpRefusal::none) return refused_answer(response, kind);
  if (response.transport_failed()) return transport_failure(response, kind);
  int status = response.status;
  std::string reason = "http " + std::to_string(status);
  if (status >= 200 && status < 300) return std::nullopt;
  if (status >= 300 && status < 400)
    return make(FailureKind::permanent, std::string(k_redirect_refused) + ": " + reason);
  if (status == 429) return make(FailureKind::rate_limited, reason, retry_after_of(response, now));
  if (status == 503) {
    auto wait = retry_after_of(response, now);
    if (wait) return make(FailureKind::rate_limited, reason, wait);
    return make(FailureKind::retryable, reason);
  }
  if (status == 502 || status == 504)
    return make(kind == CallKind::read ? FailureKind::retryable : FailureKind::unknown_outcome, reason);
  if (status >= 500) return make(FailureKind::retryable, reason);
  if (status == 404) return make(FailureKind::not_found, reason);
  if (status == 401 || status == 403) return make(FailureKind::permanent, reason + ": admin passphrase refused");
  return make(FailureKind::permanent, reason);
}

}  // namespace passage
