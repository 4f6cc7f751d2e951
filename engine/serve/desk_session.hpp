#pragma once
// The desk page's logins (CONTRACT.md "Desk login"), without the network:
// sessions kept in memory by a random id (the cookie holds the id, never
// the token), each with its own CSRF token and an idle expiry; constant-
// time comparison of secrets; and the limit of failed logins per address.
// Pure: every function is given the time.

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/env/time.hpp"

namespace passage {

// True when `given` equals `expected`, in a time that does not depend on
// where they differ nor on their lengths (both are hashed, then compared
// with CRYPTO_memcmp).
bool same_secret(std::string_view given, std::string_view expected);

struct DeskSession {
  std::string id;     // ≥ 128 random bits, base64url: the cookie's value
  std::string agent;  // "support:jane"
  std::string csrf;   // ≥ 128 random bits, in every form of this session
  Instant last_seen;
};

// What the last action did, shown once by the page it redirected to
// (POST, then 303, then GET: a reload never repeats the action).
struct DeskFlash {
  std::string text;
  bool refused = false;
};

class SessionStore {
 public:
  explicit SessionStore(std::chrono::milliseconds idle = std::chrono::hours(8)) : m_idle(idle) {}

  // A new session for `agent` with fresh random id and CSRF token.
  DeskSession open(const std::string& agent, Instant now);
  // The live session `id` names, its idle time restarted; nullopt for an
  // unknown id or one idle for `idle` or longer (then forgotten).
  std::optional<DeskSession> find(std::string_view id, Instant now);
  void close(std::string_view id);
  // Closes every session whose agent ("support:jane") `keep` refuses.
  void close_unless(const std::function<bool(const std::string& agent)>& keep);
  // Keeps `flash` for session `id`'s next page; take_flash returns it once.
  void set_flash(std::string_view id, DeskFlash flash);
  std::optional<DeskFlash> take_flash(std::string_view id);
  std::size_t size() const { return m_sessions.size(); }

 private:
  void forget_idle(Instant now);

  std::chrono::milliseconds m_idle;
  std::map<std::string, DeskSession, std::less<>> m_sessions;
  std::map<std::string, DeskFlash, std::less<>> m_flashes;
};

// True when the form's CSRF token is the session's (constant time).
bool csrf_ok(const DeskSession& session, std::string_view given);

// At most `max_failures` failed logins per address in any `window`; the
// next attempt from that address is refused (429) until the oldest
// failure leaves the window.
class LoginLimiter {
 public:
  explicit LoginLimiter(int max_failures = 5, std::chrono::milliseconds window = std::chrono::minutes(1))
      : m_max(max_failures), m_window(window) {}

  bool allowed(const std::string& address, Instant now);
  void record_failure(const std::string& address, Instant now);

 private:
  void forget_old(std::deque<Instant>& failures, Instant now) const;

  int m_max;
  std::chrono::milliseconds m_window;
  std::map<std::string, std::deque<Instant>> m_failures;
};

// A name an agent may log in with: 1 to 64 letters, digits, '.', '_' or '-'.
bool valid_agent_name(std::string_view name);

}  // namespace passage
