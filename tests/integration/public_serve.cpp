#include "tests/integration/public_serve.hpp"

#include <catch2/catch.hpp>
#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>

namespace passage::testing {

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

}  // namespace

HttpAnswer http_get(const std::string& url) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type) answer.content_type = type;
  }
  curl_easy_cleanup(curl);
  return answer;
}

PublicServe::PublicServe(const Workspace& ws, const std::string& now, const std::string& name)
    : m_out(ws.dir() / (name + ".out")), m_err(ws.dir() / (name + ".err")) {
  m_process = std::make_unique<BackgroundProcess>(
      ws.passage_argv({"serve", "--public", "--now", now}), ws.dir(), m_out, m_err, ws.environment());
  const bool started = wait_until(
      [&] { return !m_process->running() || read_file(m_out).find('\n') != std::string::npos; },
      Millis(15000));
  const std::string line = read_file(m_out);
  INFO("serve stderr: " << read_file(m_err));
  REQUIRE(started);
  const std::string prefix = "listening http://127.0.0.1:";
  REQUIRE(line.rfind(prefix, 0) == 0);
  m_base = "http://127.0.0.1:" + std::to_string(std::stoi(line.substr(prefix.size())));
}

PublicServe::~PublicServe() = default;

std::string PublicServe::url(const std::string& link) const {
  return m_base + link.substr(std::string(k_public_url).size());
}

void PublicServe::stop() {
  ::kill(m_process->pid(), SIGTERM);
  REQUIRE(m_process->wait_exit(Millis(10000)));
  CHECK(WIFEXITED(m_process->status()));
  CHECK(WEXITSTATUS(m_process->status()) == 0);
}

}  // namespace passage::testing
