#pragma once
// What a backend is: the thin edge between the engine and one stack.
// Backends do one remote operation per call and classify its failure; the
// core (engine/sched, engine/lifecycle) owns retries, backoff and policy.
// Every remote request goes through the stack's RequestGate (rate, in-flight).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/lifecycle/failure.hpp"

namespace passage {

class RequestGate;

struct Failure {
  using Kind = FailureKind;
  Kind kind = Kind::retryable;
  std::string reason;  // short, no secrets: "http 503", "connection reset"
  std::optional<Millis> retry_after;
  // An admin-driven move failed after the source's export was requested:
  // that export may exist, whatever the kind (a 404 from the target's
  // import included), so the 24-hour rule holds the retry.
  bool after_export = false;
  // A local write failed (disk full, a read-only folder): `reason` names
  // the path. Not the stack's fault nor the account's: the run stops and
  // exits 7, and the account waits for the next run (README "Reliability").
  bool local_write = false;
  // Evidence incomplete (k_evidence_incomplete): the files missing, short or
  // different, by name, in the order found.
  std::vector<std::string> incomplete_files{};
  // Only a person can decide (an admin move's target written after
  // Passage's earlier import): the account is HELD with `reason`, never
  // retried nor FAILED by the run.
  bool needs_person = false;
};

// A local write that failed; `problem` names the path and the system's reason.
inline Failure local_write_failure(std::string problem) {
  Failure failure{FailureKind::retryable, std::move(problem), {}};
  failure.local_write = true;
  return failure;
}

// A value or a classified failure.
template <class T>
class Outcome {
 public:
  Outcome(T value) : m_value(std::move(value)) {}
  Outcome(Failure failure) : m_value(std::move(failure)) {}
  bool ok() const { return m_value.index() == 0; }
  const T& value() const { return std::get<0>(m_value); }
  const Failure& failure() const { return std::get<1>(m_value); }

 private:
  std::variant<T, Failure> m_value;
};

struct Done {};

// What one authenticated call that changes nothing found (`config check`).
enum class Reach {
  answered,     // it answered and accepted the credentials
  refused,      // it refused the credentials (HTTP 401/403, SMTP login denied)
  failing,      // it answered with an error (HTTP 5xx or 429, an SMTP 4xx)
  unreachable,  // no answer: connection refused or reset, timeout
};

struct ReachResult {
  Reach reach = Reach::unreachable;
  std::string detail;  // "http 401", "Couldn't connect to server"; no secrets
};

// The reason a lookup fails with when the listed domain is an alias of
// another instance (COZY.md "Reading answers safely").
inline constexpr std::string_view k_domain_alias = "domain_alias";

// The reason a lookup's 404 is not believed: the stack counts no instance
// (cozy-stack's global database missing answers 404 for every domain).
inline constexpr std::string_view k_no_instances_counted =
    "no_instances_counted: the stack answers 404 and counts 0 instances (its global database missing?)";

struct InstanceInfo {
  bool exists = true;  // false: GET /instances/:domain answered 404
  bool moved = false;
  bool blocked = false;
  std::string blocking_reason;
  bool deleting = false;
  std::int64_t disk_used = 0;
  std::int64_t quota = 0;  // `disk_quota`, bytes; 0: none
};

// The finished export document as the stack announced it. Kept on the
// account between the event and the download (a crash in between must not
// lose the cursors: the event is never sent again).
struct ExportDone {
  std::string export_id;
  int parts = 1;
  std::int64_t total_size = 0;
  std::vector<std::string> parts_cursors;  // n-1 cursors for n parts
};

std::string export_done_to_json(const ExportDone& done);
std::optional<ExportDone> export_done_from_json(const std::string& text);

// An export request the stack queued (202): its job's `queued_at`, stack
// time, from which an export document is the outcome of this request.
struct QueuedExport {
  std::optional<Instant> queued_at;
};

// Without a queued_at (before the 202, or an unknown answer), an export is a
// request's when created at most this long before the request was sent: an
// allowance for the clocks of Passage and the stack.
inline constexpr Millis k_export_clock_allowance = std::chrono::minutes(10);

// An export of an instance that Passage did not request (the person's own,
// a move's), seen on the admin socket: never Passage's evidence, and it
// delays Passage's next export request of that instance by 24 hours.
struct ForeignExport {
  std::string domain;
  std::string export_id;
  std::optional<Instant> created_at;  // stack time
};

struct FetchRequest {
  std::string domain;
  ExportDone export_done;
  std::string delivery;                 // "space" or "archive"
  // For "archive": where the valid parts end up, the account's own folder
  // <archive_dir>/<domain>/<account id>/ (engine/archive/archive_paths.hpp).
  std::filesystem::path archive_folder;
  std::filesystem::path work_dir;       // where .part files are written
  // The disk usage read just before the export was requested, recorded in
  // the evidence (the core compares it with what the parts carried).
  std::optional<DiskUsage> usage;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // GET /instances/:domain.
  virtual boost::asio::awaitable<Outcome<InstanceInfo>> lookup(std::string domain) = 0;

  // GET /instances/:domain/disk-usage: bytes used (plans), and the bytes of
  // files and versions an export must carry (evidence).
  virtual boost::asio::awaitable<Outcome<DiskUsage>> disk_usage(std::string domain);

  // POST /instances/:domain/export?admin-req=true. Success means queued.
  virtual boost::asio::awaitable<Outcome<QueuedExport>> request_export(std::string domain) = 0;

  // Waits until `deadline` (Clock time) for the end of the first export of
  // `domain` created at or after `since` (stack time), each export once.
  // The export ended in error: Failure::Kind::export_error with the stack's
  // reason. A deadline passed is Failure::Kind::retryable "export_deadline".
  virtual boost::asio::awaitable<Outcome<ExportDone>> await_export(std::string domain, Instant since,
                                                                   Instant deadline) = 0;

  // Exports seen since the last call that Passage did not request.
  virtual std::vector<ForeignExport> take_foreign_exports() { return {}; }

  // Downloads and verifies every part; the evidence of all parts.
  virtual boost::asio::awaitable<Outcome<Evidence>> fetch_export(FetchRequest request) = 0;

  // GET /instances/:domain/last-activity: the UTC day.
  virtual boost::asio::awaitable<Outcome<date::year_month_day>> last_activity(std::string domain) = 0;

  // DELETE /instances/:domain.
  virtual boost::asio::awaitable<Outcome<Done>> delete_instance(std::string domain) = 0;

  // PATCH /instances/:domain?Deleting=false: clears a deletion flag left
  // stuck by a deletion that failed midway (COZY.md).
  virtual boost::asio::awaitable<Outcome<Done>> clear_deleting(std::string domain) = 0;

  // POST /instances/:domain/import?manifest_url=U (204): the stack wipes
  // `domain`, blocks it IMPORTING, fetches the export `manifest_url` names
  // (Passage's own `<serve.public_url>/move/exports/<token>`), imports it
  // and unblocks it.
  // Success means the import was queued. Not idempotent.
  // `go_ahead` is called once the request has passed the stack's gate,
  // right before it is sent, nothing awaited in between: false, and
  // nothing is sent (a retryable failure). The engine commits the import's
  // intent there as a compare-and-set (admin_move.cpp).
  virtual boost::asio::awaitable<Outcome<Done>> import_from(std::string domain, std::string manifest_url,
                                                            std::function<bool()> go_ahead) = 0;

  // PATCH /instances/:domain?Blocked=true&BlockingReason=R (R empty:
  // Blocked=false), then the instance read back: a block that did not take
  // is a failure.
  virtual boost::asio::awaitable<Outcome<Done>> set_block(std::string domain, std::string reason) = 0;

  // A backend with no stack behind it (dry-run) stands for a whole
  // admin-driven move in one call. nullopt (a real stack): the engine runs
  // the move itself (engine/sched/admin_move.cpp).
  virtual boost::asio::awaitable<std::optional<Outcome<Evidence>>> stand_in_move(std::string /*domain*/) {
    co_return std::nullopt;
  }
  // True when stand_in_move() does the whole move (no serve --public needed).
  virtual bool stands_in_for_moves() const { return false; }
  // True when fetch_export() keeps each verified part of an `archive`
  // delivery in the request's folder, which the purge then finds there
  // before it deletes; the dry-run backend downloads nothing.
  virtual bool keeps_parts() const { return true; }

  // After a restart with a move's intent open: did the admin-driven move
  // of `domain` to `target_host` finish? Evidence "moved" if it did,
  // nullopt if it cannot be told yet.
  virtual boost::asio::awaitable<Outcome<std::optional<Evidence>>> check_move(
      std::string domain, std::string target_host, Backend& target) = 0;

  // The person behind `domain` was invited to move their space themselves
  // (user-driven move). A real stack's backend listens for the move's
  // export (a foreign export); the dry-run backend makes the space report
  // `moved` later.
  virtual void expect_user_move(const std::string& /*domain*/) {}

  // The run is ending: stop waiting for events (pending await_export calls
  // complete with a retryable "shutting down" failure, which the runner
  // does not record) and close long-lived connections.
  virtual void shutdown() {}

  // One authenticated call that changes nothing, for `config check`.
  // nullopt: there is no stack behind this backend (dry-run).
  virtual boost::asio::awaitable<std::optional<ReachResult>> check_reach() { co_return std::nullopt; }

  // Whether the stack answered this command's last call: nullopt before
  // any call, false when it failed without an HTTP answer (refused, reset,
  // timed out). A stack that cannot be reached degrades the run (exit 7).
  virtual std::optional<bool> answered_last() const { return std::nullopt; }
};

// What a backend is built from.
struct BackendContext {
  boost::asio::io_context& io;
  const StackConfig& stack;
  const Clock& clock;
  RequestGate& gate;
};

}  // namespace passage
