#pragma once
// A minimal blocking HTTP/1.1 server for the HTTP client tests: POSIX
// sockets on 127.0.0.1, one thread per connection, keep-alive, and a script
// that decides every answer. Every read is bounded (a receive timeout), so
// a broken client cannot hang a test.

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace passage::test {

struct ServedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct Reply {
  std::vector<std::string> pieces;  // written one after the other
  bool close_after = false;         // close the connection once written
  bool hold = false;                // then keep it open until the client leaves
};

// "HTTP/1.1 <status> X" with a Content-Length, the given headers and body.
Reply reply(int status, std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {});

class HttpTestServer {
 public:
  using Script = std::function<Reply(const ServedRequest&)>;

  explicit HttpTestServer(Script script);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return m_port; }
  std::string url(std::string_view target) const;
  int connections() const { return m_connections.load(); }
  std::vector<ServedRequest> requests() const;

 private:
  void accept_loop();
  void serve(int fd);
  void forget(int fd);

  Script m_script;
  int m_listen = -1;
  int m_port = 0;
  std::atomic<int> m_connections{0};
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_mutex;
  std::vector<ServedRequest> m_requests;
  std::vector<int> m_open;
  std::vector<std::thread> m_workers;
  std::thread m_acceptor;
};

// A port on 127.0.0.1 bound but not listening: connecting to it is refused.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  int port() const { return m_port; }

 private:
  int m_fd = -1;
  int m_port = 0;
};

}  // namespace passage::test
