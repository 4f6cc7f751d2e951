#include "tests/integration/sim_fixture.hpp"

#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <cstdio>
#include <ctime>
#include <sstream>
#include <stdexcept>

#ifndef PASSAGE_SIM_BIN
#error "PASSAGE_SIM_BIN must name the simulator binary"
#endif

namespace passage::testing {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string iso_utc(SysSeconds at) {
  const std::time_t seconds = at.time_since_epoch().count();
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

SysSeconds parse_iso_utc(const std::string& text) {
  std::tm parts{};
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec) != 6)
    throw std::invalid_argument("not an ISO time: " + text);
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return SysSeconds(std::chrono::seconds(::timegm(&parts)));
}

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

SimAnswer perform(const std::string& method, const std::string& url, const std::string& body) {
  SimAnswer answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return answer;
  const std::string credentials = std::string("admin:") + k_sim_passphrase;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

json::object parse_object(const SimAnswer& answer, const std::string& what) {
  INFO(what << " answered " << answer.status << ": " << answer.body);
  REQUIRE(answer.status == 200);
  json::value value = json::parse(answer.body);
  REQUIRE(value.is_object());
  return value.as_object();
}

}  // namespace

CozySim::CozySim(const fs::path& dir, const fs::path& accounts_csv, const std::string& clock,
                 const std::vector<std::string>& extra) {
  // Trusted private networks: imports fetch from other simulators on 127.0.0.1.
  std::vector<std::string> argv{PASSAGE_SIM_BIN,     "--port",         "0",
                                "--passphrase",      k_sim_passphrase, "--instances-from",
                                accounts_csv.string(), "--trust-private-networks"};
  if (!clock.empty()) {
    argv.push_back("--clock");
    argv.push_back(clock);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  const fs::path out = dir / "sim.out";
  const fs::path err = dir / "sim.err";
  m_process = std::make_unique<BackgroundProcess>(argv, dir, out, err);
  const bool started = wait_until(
      [&] { return !m_process->running() || read_file(out).find('\n') != std::string::npos; },
      Millis(10000));
  const std::string text = read_file(out);
  const std::string prefix = "listening 127.0.0.1:";
  if (!started || text.rfind(prefix, 0) != 0)
    throw std::runtime_error("simulator did not start: " + read_file(err));
  m_port = std::stoi(text.substr(prefix.size()));
}

CozySim::~CozySim() = default;  // BackgroundProcess kills and reaps it

SimAnswer CozySim::call(const std::string& method, const std::string& path,
                        const std::string& body) const {
  return perform(method, base() + path, body);
}

json::object CozySim::stats() const { return parse_object(call("GET", "/_sim/stats"), "stats"); }

void CozySim::put_faults(const std::string& faults_json) const {
  parse_object(call("PUT", "/_sim/faults", faults_json), "PUT /_sim/faults " + faults_json);
}

std::string CozySim::advance_clock(std::int64_t seconds) const {
  json::object now = parse_object(
      call("POST", "/_sim/clock?advance=" + std::to_string(seconds)), "POST /_sim/clock");
  return std::string(now.at("now").as_string());
}

json::value CozySim::export_of(const std::string& domain) const {
  SimAnswer answer = call("GET", "/_sim/exports/" + domain);
  if (answer.status == 404) return nullptr;
  return parse_object(answer, "GET /_sim/exports/" + domain);
}

json::object CozySim::instance_attributes(const std::string& domain) const {
  SimAnswer answer = call("GET", "/instances/" + domain);
  if (answer.status == 404) return {};
  json::value document = parse_object(answer, "GET /instances/" + domain);
  return document.at("data").at("attributes").as_object();
}

std::int64_t stat(const json::object& stats, const char* key) {
  const json::value* value = stats.if_contains(key);
  return value && value->is_number() ? value->to_number<std::int64_t>() : 0;
}

std::int64_t disk_usage_files(const CozySim& sim, const std::string& domain) {
  SimAnswer answer = sim.call("GET", "/instances/" + domain + "/disk-usage");
  INFO("disk-usage of " << domain << ": " << answer.status << " " << answer.body);
  REQUIRE(answer.status == 200);
  const json::value usage = json::parse(answer.body);  // alive while `files` points into it
  const json::value* files = usage.as_object().if_contains("files");
  return files && files->is_string() ? std::stoll(std::string(files->as_string())) : 0;
}

std::int64_t route_count(const json::object& stats, const std::string& route,
                         const std::string& status) {
  const json::value* requests = stats.if_contains("requests");
  const json::value* counts =
      requests && requests->is_object() ? requests->as_object().if_contains(route) : nullptr;
  if (!counts || !counts->is_object()) return 0;
  std::int64_t total = 0;
  for (const auto& [answer, n] : counts->as_object())
    if (status.empty() || answer == status) total += n.to_number<std::int64_t>();
  return total;
}

std::int64_t total_requests(const json::object& stats) {
  std::int64_t total = 0;
  for (const auto& [route, counts] : stats.at("requests").as_object())
    total += route_count(stats, std::string(route));
  return total;
}

std::string requests_text(const json::object& stats) {
  const json::value* requests = stats.if_contains("requests");
  return requests ? json::serialize(*requests) : "{}";
}

void use_cozy_config(Workspace& ws, int port, const CozyConfig& config) {
  std::ostringstream text;
  text << "database: var/passage.db\n"
          "timezone: Europe/Paris\n"
          "allow_future_purge: true\n"
          "stacks:\n"
          "  - name: academy\n"
          "    backend: cozy-admin\n"
          "    url: http://127.0.0.1:"
       << port << "\n"
       << "    passphrase_env: " << k_passphrase_variable << "\n"
       << "    domains: [\"*.mytoutatice.cloud\"]\n"
          "    rate: { per_second: "
       << config.per_second << ", burst: " << config.burst << " }\n"
       << "    max_in_flight: " << config.max_in_flight << "\n"
       << "    max_exports_in_flight: " << config.max_exports_in_flight << "\n"
       << "    export_deadline: " << config.export_deadline << "\n"
       << "notify: { notifier: outbox, dir: var/outbox }\n"
          "reports: { dir: var/reports }\n"
          "purge: { max_per_run: 5000 }\n"
          "export: { delivery: "
       << config.delivery << " }\n"
       << "serve: { public_listen: 127.0.0.1:0, public_url: " << k_public_url << " }\n";
  ws.write("c.yaml", text.str());
  ws.set_environment({{k_passphrase_variable, k_sim_passphrase}});
}

fs::path write_export_accounts(const Workspace& ws, const std::string& name, int count,
                               const std::string& departure_date) {
  std::ostringstream text;
  text << "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= count; ++n) {
    const std::string login = login_of(n);
    text << login << ',' << login << ".mytoutatice.cloud,export," << login << "@example.org,,"
         << departure_date << ",left\n";
  }
  return ws.write(name, text.str());
}

json::array report_accounts(const Workspace& ws, const std::string& campaign) {
  ProcessResult report = ws.passage({"report", campaign, "--format", "json", "--out", "-"});
  INFO("report stderr: " << report.err);
  REQUIRE(report.exit_code == 0);
  json::value document = json::parse(report.out);
  return document.at("accounts").as_array();
}

}  // namespace passage::testing
