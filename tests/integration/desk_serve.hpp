// `passage serve` (the support desk page) as a child process of an
// integration test, and an HTTP client that keeps its session cookie.
#pragma once

#include <memory>
#include <string>

#include "tests/integration/public_serve.hpp"

namespace passage::testing {

inline constexpr const char* k_desk_token = "desk-token-for-tests-0123456789";

// Puts `listen: 127.0.0.1:0` (any free port) into the workspace's serve
// section and gives its children PASSAGE_SERVE_TOKEN.
void enable_desk(Workspace& ws);

// One request through libcurl, 10 s at most; `cookie` sent as the Cookie
// header when not empty; no redirect followed.
HttpAnswer http_request(const std::string& method, const std::string& url, const std::string& body = "",
                        const std::string& cookie = "");

// The value of the Set-Cookie header's first pair ("passage_desk=…"), or "".
std::string set_cookie_pair(const HttpAnswer& answer);

// The value of the first `name="csrf" value="…"` in a page.
std::string csrf_of(const std::string& page);

// "csrf=…&version=…": what an action form of the account page carries
// besides its own fields (the session's CSRF token, the account's version
// as the page showed it).
std::string form_tokens(const std::string& page);

inline constexpr const char* k_desk_start = "2026-11-25T10:00:00";

// A workspace with two accounts in GRACE at k_desk_start (hakim, whose
// e-mail is Hakim.BenAli@Laposte.net, and karim), the desk enabled.
struct DeskWorkspace {
  DeskWorkspace();
  // login, state, grace_end and version of every account, and the journal's length.
  std::string snapshot() const;
  std::string id_of(const std::string& login) const;
  Workspace ws;
};

// `passage serve --now NOW` in the background; its address from its first line.
class DeskServe {
 public:
  DeskServe(const Workspace& ws, const std::string& now);
  ~DeskServe();

  const std::string& base() const { return m_base; }
  // Logs in as `name`; returns the cookie pair to send.
  std::string log_in(const std::string& name) const;
  std::string output() const;

 private:
  std::filesystem::path m_out, m_err;
  std::unique_ptr<BackgroundProcess> m_process;
  std::string m_base;
};

}  // namespace passage::testing
