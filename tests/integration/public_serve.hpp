// `passage serve --public` as a child process of an integration test, and
// a plain HTTP GET to read what it serves.
#pragma once

#include <memory>
#include <string>

#include "tests/integration/sim_fixture.hpp"

namespace passage::testing {

struct HttpAnswer {
  long status = 0;  // 0 when the request itself failed
  std::string body;
  std::string content_type;
  std::string headers;
};

// One GET through libcurl, 10 s at most.
HttpAnswer http_get(const std::string& url);

// `passage serve --public` in the background; its address from its first
// line. Killed on destruction unless stopped.
class PublicServe {
 public:
  PublicServe(const Workspace& ws, const std::string& now, const std::string& name);
  ~PublicServe();

  // "http://127.0.0.1:PORT"
  const std::string& base() const { return m_base; }
  // A link as the person received it (under k_public_url), reached through this server.
  std::string url(const std::string& link) const;

  // SIGTERM: it stops and exits 0.
  void stop();

 private:
  std::filesystem::path m_out, m_err;
  std::unique_ptr<BackgroundProcess> m_process;
  std::string m_base;
};

}  // namespace passage::testing
