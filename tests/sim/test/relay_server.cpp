#include "relay_server.hpp"

#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace simtest {
namespace {

// The request's target, from "GET <target> HTTP/1.1"; empty when unreadable.
std::string read_target(int fd) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65'536) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return {};
    head.append(buf, static_cast<std::size_t>(n));
  }
  const auto first = head.find(' '), second = head.find(' ', first + 1);
  if (head.compare(0, 4, "GET ") != 0 || second == std::string::npos) return {};
  return head.substr(first + 1, second - first - 1);
}

void write_all(int fd, const std::string& data) {
  for (std::size_t at = 0; at < data.size();) {
    const auto n = ::write(fd, data.data() + at, data.size() - at);
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

}  // namespace

RelayServer::RelayServer(std::string upstream, RelayOptions options)
    : m_upstream(std::move(upstream)), m_options(options) {
  m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(m_listen, 16) != 0 || ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("relay: cannot listen");
  m_port = ntohs(addr.sin_port);
  m_thread = std::thread([this] { serve(); });
}

RelayServer::~RelayServer() {
  m_stop = true;
  m_thread.join();
  ::close(m_listen);
}

void RelayServer::serve() {
  while (!m_stop) {
    pollfd p{m_listen, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(m_listen, nullptr, nullptr);
    if (fd < 0) continue;
    answer(fd);
    ::close(fd);
  }
}

void RelayServer::answer(int fd) {
  const std::string target = read_target(fd);
  HttpResult r = http("GET", m_upstream + target, "");
  if (target.find("cursor=") != std::string::npos) {
    ++m_later_parts;
    std::this_thread::sleep_for(m_options.later_part_delay);
    if (m_options.spoil_later_parts) r.body = "this is not a zip";
  }
  write_all(fd, "HTTP/1.1 " + std::to_string(r.status) + " Relayed\r\nContent-Length: " +
                    std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n" + r.body);
}

}  // namespace simtest
