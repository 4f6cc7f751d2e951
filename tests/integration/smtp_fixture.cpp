#include "tests/integration/smtp_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include <boost/beast/core/detail/base64.hpp>

namespace passage::testing {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<fs::path> stored_files(const fs::path& box) {
  std::vector<fs::path> files;
  if (fs::exists(box))
    for (const auto& entry : fs::directory_iterator(box))
      if (entry.path().extension() == ".eml" && entry.path().filename().string().front() != '.')
        files.push_back(entry.path());
  return files;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string SinkMessage::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

std::string SinkMessage::text() const {
  std::string encoding = header("Content-Transfer-Encoding");
  std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (encoding == "base64") return decode_base64(body);
  if (encoding == "quoted-printable") return decode_quoted_printable(body);
  return body;
}

SinkMessage parse_sink_file(const std::string& text) {
  SinkMessage message;
  const std::vector<std::string> lines = lines_of(text);
  std::size_t i = 0;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    if (lines[i].starts_with("MAIL FROM:")) message.mail_from = lines[i].substr(10);
    if (lines[i].starts_with("RCPT TO:")) message.rcpt_to.push_back(lines[i].substr(8));
  }
  std::string last_name;
  for (++i; i < lines.size() && !lines[i].empty(); ++i) {
    if ((lines[i][0] == ' ' || lines[i][0] == '\t') && !last_name.empty()) {
      message.headers[last_name] += lines[i];
      continue;
    }
    const std::size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    last_name = lines[i].substr(0, colon);
    std::size_t value = colon + 1;
    while (value < lines[i].size() && lines[i][value] == ' ') ++value;
    message.headers[last_name] = lines[i].substr(value);
  }
  for (++i; i < lines.size(); ++i) message.body += lines[i] + "\n";
  return message;
}

std::map<std::string, std::string> outbox_notices(const std::filesystem::path& outbox, const std::string& kind) {
  std::map<std::string, std::string> bodies;
  std::error_code error;
  if (!std::filesystem::exists(outbox, error)) return bodies;
  for (const auto& entry : std::filesystem::directory_iterator(outbox)) {
    const std::string name = entry.path().filename().string();
    // "<kind>.<id>" or, for reminders, "<kind>-<offset>.<id>".
    if (name.rfind(kind + ".", 0) != 0 && name.rfind(kind + "-", 0) != 0) continue;
    const std::string text = read_file(entry.path());
    const auto blank = text.find("\r\n\r\n");
    REQUIRE(blank != std::string::npos);
    const std::string headers = text.substr(0, blank);
    const auto at = headers.find("X-Passage-Account: ");
    REQUIRE(at != std::string::npos);
    const std::string domain = headers.substr(at + 19, headers.find("\r\n", at) - at - 19);
    bodies[domain] = decode_base64(text.substr(blank + 4));
  }
  return bodies;
}

std::string decode_base64(const std::string& text) {
  namespace b64 = boost::beast::detail::base64;
  std::string compact;
  for (char c : text)
    if (c != '\r' && c != '\n' && c != ' ') compact += c;
  std::string out(b64::decoded_size(compact.size()), '\0');
  out.resize(b64::decode(out.data(), compact.data(), compact.size()).first);
  return out;
}

std::string decode_quoted_printable(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\n') {  // soft line break
      ++i;
      continue;
    }
    if (i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

SmtpSink::SmtpSink(const fs::path& dir, int port)
    : m_box(dir / "sink"),
      m_process({"/usr/bin/python3", std::string(PASSAGE_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                 m_box.string(), std::to_string(port)},
                dir, dir / "sink.out", dir / "sink.err") {
  const fs::path out = dir / "sink.out";
  const bool started = wait_until(
      [&] { return fs::exists(out) && read_file(out).find('\n') != std::string::npos; },
      Millis(15000));
  INFO("sink stderr: " << (fs::exists(dir / "sink.err") ? read_file(dir / "sink.err") : ""));
  REQUIRE(started);
  m_port = std::stoi(read_file(out));
}

std::size_t SmtpSink::count() const { return stored_files(m_box).size(); }

std::vector<SinkMessage> SmtpSink::messages() const {
  std::vector<fs::path> files = stored_files(m_box);
  std::sort(files.begin(), files.end());
  std::vector<SinkMessage> messages;
  messages.reserve(files.size());
  for (const auto& file : files) messages.push_back(parse_sink_file(read_file(file)));
  return messages;
}

bool SmtpSink::wait_for(std::size_t count, Millis timeout) const {
  return wait_until([&] { return this->count() >= count; }, timeout, Millis(50));
}

}  // namespace passage::testing
