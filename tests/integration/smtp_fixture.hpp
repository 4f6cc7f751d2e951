// Integration-test helpers for notices sent over SMTP: the local sink
// (tests/support/smtp_sink.py on Debian's python3-aiosmtpd) as a child
// process, and the messages it stored, parsed and decoded.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace passage::testing {

// One message as the sink stored it.
struct SinkMessage {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::map<std::string, std::string> headers;  // as written, last value wins
  std::string body;                            // raw, as transferred

  // The header's value, or "" when absent.
  std::string header(const std::string& name) const;
  // The body decoded from its Content-Transfer-Encoding (base64 or
  // quoted-printable; anything else as is).
  std::string text() const;
};

// A stored sink file (envelope lines, a blank line, the message) parsed.
SinkMessage parse_sink_file(const std::string& text);
std::string decode_base64(const std::string& text);
std::string decode_quoted_printable(const std::string& text);
// The decoded bodies of the outbox notices (files in `outbox`) whose file
// name starts with `kind.` (or `kind-`, a reminder's offset), by their
// X-Passage-Account domain (the latest file wins for a domain).
std::map<std::string, std::string> outbox_notices(const std::filesystem::path& outbox, const std::string& kind);

// The sink listening on 127.0.0.1 (a port of its own), storing under
// `dir`/sink; killed by the destructor.
class SmtpSink {
 public:
  // `port` 0: one the system picks; else that port (a relay restarted).
  explicit SmtpSink(const std::filesystem::path& dir, int port = 0);

  int port() const { return m_port; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(m_port); }

  // How many messages are stored (cheap: counts files).
  std::size_t count() const;
  // Every stored message, in arrival order.
  std::vector<SinkMessage> messages() const;
  // Waits up to `timeout` until at least `count` messages are stored.
  bool wait_for(std::size_t count, Millis timeout = Millis(15000)) const;

 private:
  std::filesystem::path m_box;
  BackgroundProcess m_process;
  int m_port = 0;
};

}  // namespace passage::testing
