#pragma once
// A small libcurl client for the tests (not Passage's network code).
#include "sim_process.hpp"

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace simtest {

struct HttpResult {
  long status = 0;  // 0: no answer (connection reset, refused)
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  double seconds = 0;
  boost::json::value json() const;
};

// `auth` is "user:password"; empty sends no Authorization header. The
// client gives up after `timeout` (status 0).
HttpResult http(const std::string& method, const std::string& url, const std::string& auth,
                const std::string& body = {}, std::chrono::milliseconds timeout = std::chrono::seconds(15));

// The simulator with the right passphrase.
class Sim {
public:
  explicit Sim(std::vector<std::string> args = {}) : m_process(std::move(args)) {}
  std::string base() const { return m_process.base(); }
  std::uint16_t port() const { return m_process.port(); }
  std::string public_base() const { return m_process.public_base(); }
  std::uint16_t public_port() const { return m_process.public_port(); }
  // GET on the public listener (no auth: the instances' own routes).
  HttpResult get_public(const std::string& path) { return http("GET", public_base() + path, ""); }
  HttpResult get(const std::string& path) { return http("GET", base() + path, auth()); }
  HttpResult post(const std::string& path, const std::string& body = {}) { return http("POST", base() + path, auth(), body); }
  HttpResult patch(const std::string& path) { return http("PATCH", base() + path, auth()); }
  HttpResult del(const std::string& path) { return http("DELETE", base() + path, auth()); }
  HttpResult put(const std::string& path, const std::string& body) { return http("PUT", base() + path, auth(), body); }
  boost::json::value stats() { return get("/_sim/stats").json(); }
  // /_sim/exports/:domain, or an empty object when it has none.
  boost::json::object current_export(const std::string& domain) {
    auto r = get("/_sim/exports/" + domain);
    return r.status == 200 ? r.json().as_object() : boost::json::object();
  }
  std::int64_t stat(const char* key);
  void faults(const std::string& json);
  std::string advance(std::int64_t seconds);
  static std::string auth() { return std::string("admin:") + k_passphrase; }
  std::chrono::milliseconds startup() const { return m_process.startup(); }

private:
  SimProcess m_process;
};

std::string domain(int i, const std::string& suffix = "test.example");
// Polls `done` every 20 ms, at most `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5));
std::string write_temp_file(const std::string& name, const std::string& content);

}  // namespace simtest
