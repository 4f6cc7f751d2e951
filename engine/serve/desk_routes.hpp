#pragma once
// What `passage serve` (the support desk page) answers, without the
// network (desk_server.cpp carries it out). CONTRACT.md "Desk login":
//   GET  /desk.css                 the stylesheet (no login needed)
//   POST /login                    name + token → a session cookie; 5
//                                  failures a minute per address → 429
//   GET  /?q=PART                  search (partial, any case), and the open
//                                  campaigns
//   GET  /campaign/<id>            a campaign's progress: counts by state,
//                                  failures by reason, the next 7 nights
//   GET  /account/<id>             the person's case: timeline, mails, next,
//                                  actions
//   GET  /account/<id>/mail/<n>    the person's n-th mail (1 = the first)
//   POST /account/<id>/<verb>      hold|release|retry|cancel|postpone|reexport,
//                                  with the session's CSRF token, the
//                                  account's version as the page showed it
//                                  (else 409, nothing done) and a reason;
//                                  done → 303 to the account page
//   POST /logout
// Without a live session GET / is the login page, every other request 401
// with the login page. With serve.agents_file, the file is read again when
// it changed, before each request: a removed agent's sessions close, and a
// file that cannot be read or lists nobody lets nobody in (said on the log).
// An action is journaled as `support:<name>`; nothing here can delete or
// bring a deletion earlier (the lifecycle refuses it).

#include <string>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/serve/desk_agents.hpp"
#include "engine/serve/desk_session.hpp"
#include "engine/store/store.hpp"

namespace passage {

inline constexpr const char* k_desk_cookie = "passage_desk";

struct DeskRequest {
  std::string method;   // "GET", "POST", …
  std::string target;   // "/account/12?x=y"
  std::string body;     // application/x-www-form-urlencoded for POSTs
  std::string cookie;   // the Cookie header
  std::string address;  // the peer's IP address (login limit)
};

struct DeskAnswer {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::string set_cookie;  // a Set-Cookie value, when not empty
  std::string location;    // a Location, for 303
  std::string log_line;    // what to print on the server's output (never a secret)
};

class DeskRoutes {
 public:
  // `credentials`: the shared desk token or the agents file's. `clock`:
  // business time (the timeline, the actions); sessions and login limits
  // run on the time given to answer().
  DeskRoutes(Store& store, const Config& config, const Clock& clock, DeskCredentials credentials);

  DeskAnswer answer(const DeskRequest& request, Instant real_now);

 private:
  DeskAnswer route(const DeskRequest& request, Instant real_now);
  DeskAnswer login(const DeskRequest& request, Instant real_now);
  // serve.agents_file read again when it changed; "" or what went wrong.
  std::string refresh_agents();
  DeskAnswer logout(const DeskRequest& request, const DeskSession& session);
  DeskAnswer search(const DeskSession& session, const std::string& query);
  DeskAnswer campaign_page(const DeskSession& session, std::int64_t id);
  DeskAnswer mail_page(const DeskSession& session, std::int64_t id, std::string_view number);
  DeskAnswer account_page(const DeskSession& session, std::int64_t id, const DeskFlash& flash, int status);
  DeskAnswer act(const DeskRequest& request, const DeskSession& session, std::int64_t id, const std::string& verb);
  DeskAnswer csrf_refused() const;

  Store& m_store;
  const Config& m_config;
  const Clock& m_clock;
  DeskCredentials m_credentials;
  std::string m_agents_stamp;  // the agents file's size and time when last read
  SessionStore m_sessions;
  LoginLimiter m_limiter;
  std::string m_lang;  // "fr" or "en": config notify.language, as the notices and the report
};

// The security headers of every desk answer, as name → value pairs; the
// Content-Security-Policy allows only the desk's own stylesheet and forms.
inline constexpr const char* k_desk_csp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

}  // namespace passage
