#include "http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace simtest {
namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

}  // namespace

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

HttpResult http(const std::string& method, const std::string& url, const std::string& auth, const std::string& body,
                std::chrono::milliseconds timeout) {
  HttpResult r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (!auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, auth.c_str());
  }
  const auto started = std::chrono::steady_clock::now();
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  curl_easy_cleanup(curl);
  return r;
}

std::int64_t Sim::stat(const char* key) { return stats().as_object().at(key).to_number<std::int64_t>(); }

void Sim::faults(const std::string& json) {
  if (put("/_sim/faults", json).status != 200) throw std::runtime_error("PUT /_sim/faults refused: " + json);
}

std::string Sim::advance(std::int64_t seconds) {
  return std::string(post("/_sim/clock?advance=" + std::to_string(seconds)).json().at("now").as_string());
}

std::string domain(int i, const std::string& suffix) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "u%06d.", i);
  return buf + suffix;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (int i = 0; i < 10'000; ++i) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string write_temp_file(const std::string& name, const std::string& content) {
  const std::string path = "/tmp/passage-sim-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace simtest
