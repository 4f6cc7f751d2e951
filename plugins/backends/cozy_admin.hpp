#pragma once
// The cozy-admin backend: the Cozy stack admin API (COZY.md), thin. One
// HTTP client (libcurl multi on the io_context), one realtime websocket per
// stack (subscribed before the first export is requested), a small pool
// for zip checks. Every HTTP request passes the stack's RequestGate.
// Failures are classified (cozy_classify.hpp); the core decides retries.

#include <map>
#include <optional>
#include <set>
#include <vector>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "engine/archive/zip_check.hpp"
#include "engine/net/http.hpp"
#include "engine/net/realtime.hpp"
#include "plugins/backends/backend.hpp"
#include "plugins/backends/cozy_answers.hpp"

namespace passage {

// The bound of an admin API read (a first lookup may rebuild indexes).
inline constexpr Millis k_admin_read_timeout = std::chrono::seconds(60);
// The bound of `config check`'s call: an admin waits for it at a terminal.
inline constexpr Millis k_reach_timeout = std::chrono::seconds(10);

class CozyAdminBackend final : public Backend {
 public:
  explicit CozyAdminBackend(const BackendContext& context);
  ~CozyAdminBackend() override;

  boost::asio::awaitable<Outcome<InstanceInfo>> lookup(std::string domain) override;
  boost::asio::awaitable<Outcome<DiskUsage>> disk_usage(std::string domain) override;
  boost::asio::awaitable<Outcome<QueuedExport>> request_export(std::string domain) override;
  boost::asio::awaitable<Outcome<ExportDone>> await_export(std::string domain, Instant since,
                                                           Instant deadline) override;
  std::vector<ForeignExport> take_foreign_exports() override;
  // An invited person's move exports the space: listen for it, so the
  // fall-back export waits 24 hours after it instead of breaking the move.
  void expect_user_move(const std::string& domain) override;
  boost::asio::awaitable<Outcome<Evidence>> fetch_export(FetchRequest request) override;
  boost::asio::awaitable<Outcome<date::year_month_day>> last_activity(std::string domain) override;
  boost::asio::awaitable<Outcome<Done>> delete_instance(std::string domain) override;
  boost::asio::awaitable<Outcome<Done>> import_from(std::string domain, std::string manifest_url,
                                                    std::function<bool()> go_ahead) override;
  boost::asio::awaitable<Outcome<Done>> set_block(std::string domain, std::string reason) override;
  boost::asio::awaitable<Outcome<std::optional<Evidence>>> check_move(std::string domain,
                                                                      std::string target_host,
                                                                      Backend& target) override;
  boost::asio::awaitable<Outcome<Done>> clear_deleting(std::string domain) override;
  // GET /instances/count, bounded by k_reach_timeout.
  boost::asio::awaitable<std::optional<ReachResult>> check_reach() override;
  void shutdown() override;
  std::optional<bool> answered_last() const override { return m_answered_last; }

 private:
  // One admin API call through the gate; the body collected.
  boost::asio::awaitable<HttpResponse> call(std::string method, std::string path,
                                            bool idempotent, Millis total_timeout);
  // The same call once the caller holds its gate ticket.
  boost::asio::awaitable<HttpResponse> send(std::string method, std::string path,
                                            bool idempotent, Millis total_timeout);
  boost::asio::awaitable<Outcome<Evidence>> fetch_part(const FetchRequest& request, int n,
                                                       PartEvidence& evidence);
  void on_realtime(const RealtimeEvent& event);
  std::string url(const std::string& path) const;
  // A lookup's 404 means "no such instance" only while the stack counts
  // instances: nullopt then, else the failure to report instead.
  boost::asio::awaitable<std::optional<Failure>> missing_instance_doubt();


  boost::asio::io_context& m_io;
  const StackConfig& m_stack;
  const Clock& m_clock;
  RequestGate& m_gate;
  HttpClient m_http;
  RealtimeClient m_realtime;
  ZipCheckPool m_checks;
  // Export events (cozy_admin_exports.cpp). The stack time from which an
  // export of a domain is Passage's, while Passage waits for it; finished
  // exports by domain until awaited; ids already taken or reported.
  std::map<std::string, Instant> m_own_since;
  std::map<std::string, std::vector<ExportEvent>> m_finished;
  std::set<std::string> m_settled_ids;
  std::set<std::string> m_reported_ids;
  std::vector<ForeignExport> m_foreign;
  // Ids of exports that ended `done` while Passage waited for the domain,
  // without the announcement an admin request gets (yet).
  std::map<std::string, std::set<std::string>> m_unannounced;
  // Export events of a domain whose POST is waiting for its answer: whose
  // they are is known from the job's queued_at only.
  std::map<std::string, std::vector<ExportEvent>> m_posting;
  void classify_seen_while_posting(const std::string& domain);
  bool is_own(const ExportEvent& event) const;
  void report_foreign(const ExportEvent& event);
  void end_wait(const std::string& domain);
  std::optional<ExportEvent> take_own(const std::string& domain, Instant since);
  // Waiters per domain, woken by cancelling their timer.
  std::multimap<std::string, boost::asio::steady_timer*> m_waiters;
  bool m_shutting_down = false;
  std::optional<bool> m_answered_last;
};

std::unique_ptr<Backend> make_cozy_admin_backend(const BackendContext& context);

}  // namespace passage
