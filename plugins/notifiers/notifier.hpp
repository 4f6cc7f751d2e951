#pragma once
// What a notifier is: it hands one rendered notice to the outside world
// (an SMTP server, an outbox folder). Rendering is done before, by
// engine/notices; a notifier only delivers and classifies failures.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "plugins/backends/backend.hpp"

namespace passage {

struct Notice {
  std::string kind;        // export_ready, move_instructions, ...
  std::string message_id;  // without <>, recorded before sending, reused on retry
  std::string to;
  std::string from;
  std::string subject;
  std::string body;        // UTF-8 text
  std::map<std::string, std::string> headers;  // X-Passage-* headers
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Success: the notice was accepted (file written, SMTP 250).
  virtual boost::asio::awaitable<Outcome<Done>> send(Notice notice) = 0;
  // Reaches the relay without sending anything (connect, EHLO, login if
  // the URL has one, QUIT), for `config check`. nullopt: no relay (outbox).
  virtual boost::asio::awaitable<std::optional<ReachResult>> check_reach() { co_return std::nullopt; }
  // Whether the relay answered the last send: nullopt before any send or
  // for a notifier without a relay (the outbox).
  virtual std::optional<bool> answered_last() const { return std::nullopt; }
};

}  // namespace passage
