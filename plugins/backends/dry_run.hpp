#pragma once
// The dry-run backend: a stack that is not there (`backend: dry-run`). No
// network. It exercises everything else for real: every operation passes
// the stack's RequestGate and takes a real (short) time drawn from
// `dry_run.min_duration_ms..max_duration_ms`.
//
// Outcomes are a pure function of (seed, domain, operation, attempt)
// (CONTRACT.md "Configuration keys"). `attempt` is an in-memory counter per
// (domain, operation), starting at 0 and bumped by every call; after a
// restart it starts again at 0. The final states are the same anyway:
// permanent failures are drawn per (seed, domain, operation) without the
// attempt, so they strike on every attempt of every run, and transient ones
// per attempt, so a retried step eventually passes in any run.
//
// What the stack "holds": every instance exists, unblocked, with a drawn
// disk usage up to 5 GB. Spaces announced by expect_user_move() report
// `moved` once a delay drawn within the duration range has passed on the
// Clock since the first announcement (unless drawn under
// `never_move_rate`); announcements live in memory, so the runner announces
// again after a restart. The last activity is always 2018-01-01 (dry-run
// people never come back after their export). Nothing is ever written to
// disk: fetch_export() returns evidence derived from the export id.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/backends/backend.hpp"

namespace passage {

// The pure parts, exposed for tests.
namespace dry_run {

// 64 well-mixed bits: FNV-1a over domain and `what`, folded with the seed
// and the attempt through splitmix64.
std::uint64_t draw_bits(std::uint64_t seed, std::string_view domain, std::string_view what,
                        std::uint64_t attempt);

// draw_bits() as a uniform double in [0, 1).
double draw(std::uint64_t seed, std::string_view domain, std::string_view what,
            std::uint64_t attempt);

// The stack's part-size rule (COZY.md "The export document"): at least
// 1 GiB, about sqrt(used / 1 GiB) GiB for larger spaces.
std::int64_t export_part_size(std::int64_t disk_used);

// ceil(disk_used / export_part_size(disk_used)), at least 1.
int export_part_count(std::int64_t disk_used);

// Lower-case hex SHA-256 (64 characters) of `text`.
std::string sha256_hex(std::string_view text);

}  // namespace dry_run

class DryRunBackend final : public Backend {
 public:
  explicit DryRunBackend(const BackendContext& context);

  boost::asio::awaitable<Outcome<InstanceInfo>> lookup(std::string domain) override;
  boost::asio::awaitable<Outcome<QueuedExport>> request_export(std::string domain) override;
  // Holds no gate slot while it waits: waiting for the event is not a request.
  // Draws no failure either: a failed export would look queued to the core
  // (24-hour rule) and keep a dry-run campaign from settling in one run;
  // failures are drawn at request_export instead. Only the deadline fails it.
  boost::asio::awaitable<Outcome<ExportDone>> await_export(std::string domain, Instant since,
                                                           Instant deadline) override;
  // One gate ticket and one drawn duration per part.
  boost::asio::awaitable<Outcome<Evidence>> fetch_export(FetchRequest request) override;
  boost::asio::awaitable<Outcome<date::year_month_day>> last_activity(std::string domain) override;
  boost::asio::awaitable<Outcome<Done>> delete_instance(std::string domain) override;
  boost::asio::awaitable<Outcome<Done>> import_from(std::string domain, std::string manifest_url,
                                                    std::function<bool()> go_ahead) override;
  boost::asio::awaitable<Outcome<Done>> set_block(std::string domain, std::string reason) override;
  // The whole move, drawn (no stack, no parts to serve).
  boost::asio::awaitable<std::optional<Outcome<Evidence>>> stand_in_move(std::string domain) override;
  bool stands_in_for_moves() const override { return true; }
  bool keeps_parts() const override { return false; }
  // The drawn outcome of stand_in_move, without performing it again.
  boost::asio::awaitable<Outcome<std::optional<Evidence>>> check_move(std::string domain,
                                                                      std::string target_host,
                                                                      Backend& target) override;
  boost::asio::awaitable<Outcome<Done>> clear_deleting(std::string domain) override;
  void expect_user_move(const std::string& domain) override;

 private:
  int next_attempt(const std::string& domain, std::string_view operation);
  boost::asio::awaitable<std::optional<Failure>> perform(const std::string& domain,
                                                         std::string_view operation,
                                                         int requests = 1);
  boost::asio::awaitable<void> sleep_for(Millis duration);
  std::optional<Failure> drawn_failure(const std::string& domain, std::string_view operation,
                                       int attempt) const;
  Millis drawn_duration(const std::string& domain, std::string_view what, int attempt) const;
  double draw(const std::string& domain, std::string_view what, int attempt) const;
  std::int64_t disk_used(const std::string& domain) const;
  bool has_moved(const std::string& domain) const;
  Evidence export_evidence(const FetchRequest& request) const;

  boost::asio::io_context& m_io;
  DryRunOptions m_options;
  const Clock& m_clock;
  RequestGate& m_gate;
  std::map<std::string, int> m_attempts;     // "domain\noperation" → next attempt
  std::map<std::string, Instant> m_invited;  // domain → first expect_user_move()
};

std::unique_ptr<Backend> make_dry_run_backend(const BackendContext& context);

}  // namespace passage
