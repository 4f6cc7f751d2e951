#include "tests/integration/desk_serve.hpp"

#include <catch2/catch.hpp>
#include <curl/curl.h>

#include "tests/integration/probe.hpp"

namespace passage::testing {

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

const std::string k_rows =
    "login,domain,action,email,target,departure_date,reason\n"
    "hakim,hakim.mytoutatice.cloud,export,Hakim.BenAli@Laposte.net,,2026-10-01,left\n"
    "karim,karim.mytoutatice.cloud,export,karim@example.org,,2026-10-01,left\n";

void require_done(const ProcessResult& result) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == 0);
}

}  // namespace

DeskWorkspace::DeskWorkspace() : ws(ConfigOptions{7, 0.0, 0.0, 5000}) {
  ws.write("accounts.csv", k_rows);
  require_done(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_desk_start}));
  require_done(ws.passage({"run", "--until-idle", "--now", k_desk_start}));
  enable_desk(ws);
}

std::string DeskWorkspace::snapshot() const {
  Db db(ws.database());
  std::string text;
  for (const auto& row : db.rows("SELECT login, state, grace_end, version FROM accounts ORDER BY id"))
    text += row[0] + " " + row[1] + " " + row[2] + " " + row[3] + "\n";
  return text + "journal " + std::to_string(db.scalar("SELECT COUNT(*) FROM journal")) + "\n";
}

std::string DeskWorkspace::id_of(const std::string& login) const {
  Db db(ws.database());
  return std::to_string(db.scalar("SELECT id FROM accounts WHERE login = '" + login + "'"));
}

void enable_desk(Workspace& ws) {
  std::string config = read_file(ws.config());
  const std::string section = "serve: { ";
  const auto at = config.find(section);
  REQUIRE(at != std::string::npos);
  config.insert(at + section.size(), "listen: 127.0.0.1:0, ");
  write_file(ws.config(), config);
  Environment env = ws.environment();
  env.emplace_back("PASSAGE_SERVE_TOKEN", k_desk_token);
  ws.set_environment(env);
}

HttpAnswer http_request(const std::string& method, const std::string& url, const std::string& body,
                        const std::string& cookie) {
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
  if (!cookie.empty()) curl_easy_setopt(curl, CURLOPT_COOKIE, cookie.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type) answer.content_type = type;
  }
  curl_easy_cleanup(curl);
  return answer;
}

std::string set_cookie_pair(const HttpAnswer& answer) {
  const std::string header = "set-cookie: ";
  std::string lower = answer.headers;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find(header);
  if (at == std::string::npos) return "";
  const auto start = at + header.size();
  return answer.headers.substr(start, answer.headers.find(';', start) - start);
}

namespace {

std::string hidden_value(const std::string& page, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const auto at = page.find(marker);
  REQUIRE(at != std::string::npos);
  const auto start = at + marker.size();
  return page.substr(start, page.find('"', start) - start);
}

}  // namespace

std::string csrf_of(const std::string& page) { return hidden_value(page, "csrf"); }

std::string form_tokens(const std::string& page) {
  return "csrf=" + hidden_value(page, "csrf") + "&version=" + hidden_value(page, "version");
}

DeskServe::DeskServe(const Workspace& ws, const std::string& now)
    : m_out(ws.dir() / "desk.out"), m_err(ws.dir() / "desk.err") {
  m_process = std::make_unique<BackgroundProcess>(ws.passage_argv({"serve", "--now", now}), ws.dir(), m_out, m_err,
                                                  ws.environment());
  const bool started = wait_until(
      [&] { return !m_process->running() || read_file(m_out).find('\n') != std::string::npos; }, Millis(15000));
  const std::string line = read_file(m_out);
  INFO("serve stderr: " << read_file(m_err));
  REQUIRE(started);
  const std::string prefix = "listening http://127.0.0.1:";
  REQUIRE(line.rfind(prefix, 0) == 0);
  m_base = "http://127.0.0.1:" + std::to_string(std::stoi(line.substr(prefix.size())));
}

DeskServe::~DeskServe() = default;

std::string DeskServe::log_in(const std::string& name) const {
  HttpAnswer answer = http_request("POST", m_base + "/login", "name=" + name + "&token=" + k_desk_token);
  REQUIRE(answer.status == 303);
  std::string cookie = set_cookie_pair(answer);
  REQUIRE_FALSE(cookie.empty());
  return cookie;
}

std::string DeskServe::output() const { return read_file(m_out) + read_file(m_err); }

}  // namespace passage::testing
