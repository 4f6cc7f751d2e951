#pragma once
// Transport-free request and response: the core decides, the server
// (Beast) only moves bytes. Keeps Beast out of the core's translation units.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim {

struct Request {
  std::string_view method;
  std::string_view target;  // origin-form: path and query
  std::string_view authorization;
  std::string_view body;
};

// A body produced piece by piece (a zip part). The server sends each piece
// as one HTTP chunk.
class BodyStream {
public:
  virtual ~BodyStream() = default;
  // Appends the next piece to `out`; false once there is nothing left.
  virtual bool next(std::string& out) = 0;
  // Called once: `complete` is true when the whole body reached the socket.
  virtual void finished(bool complete) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::unique_ptr<BodyStream> stream;  // when set, replaces body (chunked)
  // Synchronous work that takes real time (DELETE): the server waits
  // `delay_ms`, then calls `finish` for the final answer (which may carry
  // a further delay and finish).
  std::int64_t delay_ms = 0;
  std::function<Response()> finish;
};

}  // namespace sim
