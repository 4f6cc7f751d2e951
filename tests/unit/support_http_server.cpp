#include "support_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace passage::test {

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int bound_socket(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("bind");
  }
  port = ntohs(address.sin_port);
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Reads one request (headers, then a Content-Length body); nullopt when the
// client leaves, the read times out or the request is unreadable.
std::optional<ServedRequest> read_request(int fd, std::string& buffer) {
  std::size_t header_end;
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    char chunk[4096];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
  ServedRequest request;
  const std::string head = buffer.substr(0, header_end);
  const auto first_end = head.find("\r\n");
  const std::string first = head.substr(0, first_end);
  const auto space1 = first.find(' ');
  const auto space2 = first.find(' ', space1 + 1);
  if (space1 == std::string::npos || space2 == std::string::npos) return std::nullopt;
  request.method = first.substr(0, space1);
  request.target = first.substr(space1 + 1, space2 - space1 - 1);
  std::size_t at = first_end == std::string::npos ? head.size() : first_end + 2;
  while (at < head.size()) {
    auto line_end = head.find("\r\n", at);
    if (line_end == std::string::npos) line_end = head.size();
    const std::string line = head.substr(at, line_end - at);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers[lower(line.substr(0, colon))] = value;
    }
    at = line_end + 2;
  }
  buffer.erase(0, header_end + 4);
  const auto length = request.headers.find("content-length");
  const std::size_t body_size = length == request.headers.end() ? 0 : std::stoul(length->second);
  while (buffer.size() < body_size) {
    char chunk[4096];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
  request.body = buffer.substr(0, body_size);
  buffer.erase(0, body_size);
  return request;
}

}  // namespace

Reply reply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return Reply{{head + body}};
}

HttpTestServer::HttpTestServer(Script script) : m_script(std::move(script)) {
  m_listen = bound_socket(m_port);
  if (::listen(m_listen, 64) != 0) {
    ::close(m_listen);
    throw std::runtime_error("listen");
  }
  m_acceptor = std::thread([this] { accept_loop(); });
}

HttpTestServer::~HttpTestServer() {
  m_stopping = true;
  ::shutdown(m_listen, SHUT_RDWR);  // wakes the blocked accept()
  m_acceptor.join();
  ::close(m_listen);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(m_mutex);
    for (const int fd : m_open) ::shutdown(fd, SHUT_RDWR);  // wakes blocked reads
    workers = std::move(m_workers);
  }
  for (auto& worker : workers) worker.join();
}

std::string HttpTestServer::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(m_port) + std::string(target);
}

std::vector<ServedRequest> HttpTestServer::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

void HttpTestServer::accept_loop() {
  while (!m_stopping) {
    const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (m_stopping || errno != EINTR) return;
      continue;
    }
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ++m_connections;
    std::lock_guard lock(m_mutex);
    m_open.push_back(fd);
    m_workers.emplace_back([this, fd] { serve(fd); });
  }
}

void HttpTestServer::serve(int fd) {
  std::string buffer;
  while (!m_stopping) {
    const std::optional<ServedRequest> request = read_request(fd, buffer);
    if (!request) break;
    {
      std::lock_guard lock(m_mutex);
      m_requests.push_back(*request);
    }
    const Reply answer = m_script(*request);
    bool written = true;
    for (const auto& piece : answer.pieces) written = written && send_all(fd, piece);
    if (answer.hold) {
      char sink[256];
      while (::recv(fd, sink, sizeof sink, 0) > 0) {
      }
    }
    if (!written || answer.hold || answer.close_after) break;
  }
  forget(fd);
}

void HttpTestServer::forget(int fd) {
  std::lock_guard lock(m_mutex);
  m_open.erase(std::remove(m_open.begin(), m_open.end(), fd), m_open.end());
  ::close(fd);
}

RefusingPort::RefusingPort() { m_fd = bound_socket(m_port); }

RefusingPort::~RefusingPort() { ::close(m_fd); }

}  // namespace passage::test
