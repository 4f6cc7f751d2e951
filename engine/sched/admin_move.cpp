#include "engine/sched/admin_move.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/archive/archive_paths.hpp"
#include "engine/sched/move_target.hpp"
#include "engine/serve/token.hpp"
#include "engine/store/move_tokens.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr Millis k_poll_interval = std::chrono::milliseconds(500);
// Commits refused in a row (someone else committed the account each time)
// before the import is given up for this attempt.
constexpr int k_max_intent_reads = 5;

Failure failure(FailureKind kind, std::string reason) { return Failure{kind, std::move(reason), {}}; }

// Once the source's export may have been queued, a failure can no longer
// say "nothing happened remotely": the 24-hour rule holds the retry.
Failure after_export(Failure failed) {
  if (failed.kind == FailureKind::retryable || failed.kind == FailureKind::rate_limited)
    failed.kind = FailureKind::unknown_outcome;
  failed.after_export = true;
  return failed;
}

std::string bytes_text(std::int64_t bytes) { return std::to_string(bytes) + " bytes"; }

// The snapshot the target imports: the verified export and where it came from.
struct Snapshot {
  ExportDone done;
  Evidence evidence;
};

class AdminMove {
 public:
  AdminMove(const AdminMoveContext& context, Account account)
      : m_c(context), m_account(std::move(account)),
        m_deadline_clock(context.clock.now() + context.import_deadline),
        m_deadline_steady(std::chrono::steady_clock::now() + context.import_deadline),
        m_stall(approximate_length(context.config.move.stall_timeout)) {}

  asio::awaitable<Outcome<Evidence>> run() {
    if (auto refused = check_public_url()) co_return *refused;
    if (auto refused = co_await check_target()) co_return *refused;
    auto blocked = co_await m_c.source.set_block(m_account.domain, "MOVING");
    if (!blocked.ok()) co_return blocked.failure();
    auto moved = co_await export_and_import();
    co_await end(moved);
    co_return moved;
  }

  // The import was requested by a run that is gone: followed again, with
  // its token and the deadline it was given.
  asio::awaitable<Outcome<Evidence>> follow_again(const LeftImport& import) {
    m_token_hash = import.token_hash;
    m_deadline_clock = import.deadline;
    m_deadline_steady = std::chrono::steady_clock::now() + (import.deadline - m_c.clock.now());
    auto moved = co_await import_then_mark_moved(import.evidence);
    co_await end(moved);
    co_return moved;
  }

 private:
  // Unless the import is left running for the next run: a failed move gives
  // the source back, and the import's intent, if one was committed, says
  // how it ended.
  asio::awaitable<void> end(const Outcome<Evidence>& moved) {
    if (m_left_running) co_return;
    if (!moved.ok()) co_await give_back();
    m_c.store.finish_open_intents(m_account.id, k_import_request_intent,
                                  moved.ok() ? "moved" : "given_back", m_c.clock.now());
  }

  const std::string& domain() const { return m_account.domain; }
  const std::string& target_host() const { return m_account.target_host; }

  bool deadline_passed() const {
    return m_c.clock.now() >= m_deadline_clock || std::chrono::steady_clock::now() >= m_deadline_steady;
  }

  // The runner starts a move only once serve --public answered
  // (Runner::public_server_unreachable); without its address, no move.
  std::optional<Failure> check_public_url() const {
    if (m_c.config.serve.public_url) return std::nullopt;
    return failure(FailureKind::permanent,
                   "admin-driven moves need serve.public_url (passage serve --public)");
  }

  // Missing, blocked, holding data or too small: refused before anything
  // is touched; a person decides (FAILED with the reason).
  asio::awaitable<std::optional<Failure>> check_target() {
    auto info = co_await m_c.target.lookup(target_host());
    if (!info.ok()) co_return info.failure();
    if (!info.value().exists)
      co_return failure(FailureKind::permanent, "target_missing: " + target_host() + " not found");
    if (info.value().blocked) co_return failure(FailureKind::permanent, target_blocked(info.value()));
    auto usage = co_await m_c.target.disk_usage(target_host());
    if (!usage.ok()) co_return usage.failure();
    const std::int64_t held = usage.value().files + usage.value().versions;
    if (held > 0 && !m_c.config.move.overwrite) {
      if (!move_parts_served(m_c.store.db(), m_account.id))
        co_return failure(FailureKind::permanent, "target_holds_data: " + target_host() + " holds " +
                                                      bytes_text(held) + " (move.overwrite is off)");
      if (auto written = co_await written_after_own_import(usage.value())) co_return *written;
    }
    auto source_usage = co_await m_c.source.disk_usage(domain());
    if (!source_usage.ok()) co_return source_usage.failure();
    if (info.value().quota > 0 && info.value().quota < source_usage.value().used)
      co_return failure(FailureKind::permanent,
                        "target_quota: " + target_host() + " has a quota of " +
                            bytes_text(info.value().quota) + " for " +
                            bytes_text(source_usage.value().used));
    co_return std::nullopt;
  }

  // Data on the target after a part of an earlier move of this account was
  // served there: overwritten (the import wipes first) only when it is
  // exactly what Passage's own import put there and nobody used the target
  // since (move_target.hpp). Else nothing is touched and a person decides:
  // the person may have written there since the stack mailed them.
  asio::awaitable<std::optional<Failure>> written_after_own_import(const DiskUsage& usage) {
    auto own = import_matching_target(m_c.store.db(), m_account.id, usage);
    if (!own)
      co_return written_on_target("it holds files " + bytes_text(usage.files) + ", old versions " +
                                  bytes_text(usage.versions) +
                                  ": not exactly the parts an earlier import of Passage was sent (written, changed or "
                                  "deleted since)");
    auto activity = co_await m_c.target.last_activity(target_host());
    if (!activity.ok()) co_return activity.failure();
    if (used_since_import(activity.value(), own->created_at))
      co_return written_on_target("it was used on " + format_date(activity.value()) +
                                  ", on or after the day before Passage's import of " + format_utc(own->created_at));
    co_return std::nullopt;
  }

  Failure written_on_target(const std::string& why) const {
    Failure held = failure(FailureKind::permanent, "target_written_after_import: " + target_host() + ": " + why +
                                                       ": nothing was touched (move.overwrite is off)");
    held.needs_person = true;
    return held;
  }

  // A target still IMPORTING after Passage's own earlier import of this
  // source fetched parts is that import, stalled for good: the stack has no
  // way to cancel it, its hoster must unblock the target.
  std::string target_blocked(const InstanceInfo& info) const {
    std::string reason = "target_blocked: " + target_host() + " is blocked (" + info.blocking_reason + ")";
    if (info.blocking_reason == "IMPORTING" && move_parts_served(m_c.store.db(), m_account.id))
      reason += ": Passage's earlier import of this space never finished and the stack cannot cancel it; "
                "the target's hoster must unblock it";
    return reason;
  }

  asio::awaitable<Outcome<Evidence>> export_and_import() {
    auto snapshot = co_await export_source();
    if (!snapshot.ok()) co_return snapshot.failure();
    auto imported = co_await import_on_target(snapshot.value());
    if (!imported.ok()) co_return imported.failure();
    co_return co_await mark_moved(snapshot.value().evidence);
  }

  asio::awaitable<Outcome<Evidence>> import_then_mark_moved(const Evidence& evidence) {
    auto imported = co_await follow_import(evidence);
    if (!imported.ok()) co_return imported.failure();
    co_return co_await mark_moved(evidence);
  }

  // The target's import succeeded (import_ended): unless the source was
  // written meanwhile, the token is no longer served and the source MOVED.
  asio::awaitable<Outcome<Evidence>> mark_moved(const Evidence& verified) {
    if (auto changed = co_await source_changed(verified, "while the target imported")) co_return *changed;
    revoke_move_token(m_c.store.db(), m_token_hash, m_c.clock.now());
    auto marked = co_await m_c.source.set_block(domain(), "MOVED");
    if (!marked.ok()) co_return after_export(marked.failure());
    Evidence evidence = verified;
    evidence.kind = "moved";
    co_return evidence;
  }

  // The source's export, downloaded and content-checked like an `archive`
  // export: these are the parts the target will fetch.
  asio::awaitable<Outcome<Snapshot>> export_source() {
    auto usage = co_await m_c.source.disk_usage(domain());
    if (!usage.ok()) co_return usage.failure();
    const Instant requested = m_c.clock.now();
    auto queued = co_await m_c.source.request_export(domain());
    // A request that may have been queued is waited for like a queued one.
    if (!queued.ok() && queued.failure().kind != FailureKind::unknown_outcome)
      co_return queued.failure();
    const Instant since = queued.ok() && queued.value().queued_at ? *queued.value().queued_at
                                                                   : requested - k_export_clock_allowance;
    auto done = co_await m_c.source.await_export(domain(), since, m_deadline_clock);
    if (m_c.export_ended) m_c.export_ended();  // the stack no longer runs it: the slot serves the next
    if (!done.ok()) co_return after_export(done.failure());
    const fs_path archive_dir = m_c.config.export_.archive_dir;
    FetchRequest request{domain(), done.value(), "archive",
                         archive_folder(archive_dir, domain(), m_account.id), archive_dir / ".work",
                         usage.value()};
    auto evidence = co_await m_c.source.fetch_export(request);
    if (!evidence.ok()) co_return after_export(evidence.failure());
    if (auto gap = content_gap(evidence.value()))
      co_return after_export(failure(FailureKind::retryable, std::string(k_evidence_incomplete) +
                                                                 ": the source's export: " + *gap));
    if (auto changed = co_await source_changed(evidence.value(), "while its parts downloaded"))
      co_return *changed;
    co_return Snapshot{done.value(), evidence.value()};
  }

  // A file written in the source since its disk usage was read before the
  // export (a part streams a file written meanwhile whole and old when an
  // old version is kept; a konnector or a sharing still writes into a
  // blocked space) is not in the snapshot the target imports: only the
  // disk usage read again tells. Export again (the 24-hour rule first).
  asio::awaitable<std::optional<Failure>> source_changed(const Evidence& evidence, const std::string& when) {
    auto after = co_await m_c.source.disk_usage(domain());
    if (!after.ok()) co_return after_export(after.failure());
    std::optional<std::string> written =
        evidence.usage ? written_during_download(*evidence.usage, after.value())
                       : std::optional<std::string>("no disk usage recorded before the export");
    if (!written) co_return std::nullopt;
    co_return after_export(failure(FailureKind::retryable,
                                   "source_changed: the source was written " + when + ": " + *written +
                                       ": export again"));
  }

  asio::awaitable<Outcome<Done>> import_on_target(const Snapshot& snapshot) {
    // The export and its download can take an hour: the target's owner
    // may have written there meanwhile. Checked again, as before the move.
    if (auto refused = co_await check_target()) co_return after_export(*refused);
    const std::string token = random_token();
    // With the evidence the target must match: a run that dies after the
    // MOVED block can still prove the move its own (move_check.hpp).
    const MoveToken issued{token_hash(token), m_account.id, export_done_to_json(snapshot.done), m_c.clock.now(),
                           m_deadline_clock, {}, evidence_to_json(snapshot.evidence)};
    const std::string manifest = *m_c.config.serve.public_url + "/move/exports/" + token;
    std::optional<Failure> withdrawn;
    auto queued = co_await m_c.target.import_from(target_host(), manifest,
                                                  [&] { return commit_import_request(issued, withdrawn); });
    if (withdrawn) co_return after_export(*withdrawn);
    // An import that may have been queued (502/504, reset after sending) is
    // followed like a queued one: what was fetched tells.
    if (!queued.ok() && queued.failure().kind != FailureKind::unknown_outcome)
      co_return after_export(queued.failure());
    co_return co_await follow_import(snapshot.evidence);
  }

  // The import's compare-and-set (CONTRACT.md "Lock and concurrency"),
  // called right before the request is sent, nothing awaited in between:
  // the account is read again and its import_request intent committed only
  // if nobody committed the account since that read (else read again).
  // A hold or a cancel the desk committed before wins: nothing is sent to
  // the target, whose data an import wipes, and the source is given back.
  // Then the token, which the target fetches with, is stored.
  bool commit_import_request(const MoveToken& token, std::optional<Failure>& withdrawn) {
    for (int read = 0; read < k_max_intent_reads; ++read) {
      auto fresh = m_c.store.account(m_account.id);
      if (!fresh || fresh->state != State::moving) {
        const std::string now_in = fresh ? std::string(to_string(fresh->state)) : std::string("gone");
        withdrawn = failure(FailureKind::retryable, "stopped before the import: the account is " + now_in);
        return false;
      }
      const Transition intent_only{*fresh, {}, "", {}};
      const IntentSpec intent{k_import_request_intent, m_c.store.next_intent_key(*fresh, k_import_request_intent)};
      if (!m_c.store.commit(*fresh, intent_only, m_c.clock.now(), m_c.actor, intent)) continue;
      MoveToken stored = token;
      stored.created_at = m_c.clock.now();  // after the intent: the attempt's (move_check.cpp)
      insert_move_token(m_c.store.db(), stored);
      m_token_hash = stored.token_hash;
      return true;
    }
    withdrawn = failure(FailureKind::retryable, "stopped before the import: the account kept changing");
    return false;
  }

  // Polls what serve --public sent for the token and the target, until the
  // import ended, stalled or passed its deadline.
  asio::awaitable<Outcome<Done>> follow_import(const Evidence& evidence) {
    const int parts = static_cast<int>(evidence.parts.size());
    bool started = false;  // the target was seen IMPORTING, or fetched the manifest
    std::int64_t progress = -1;
    auto last_progress = std::chrono::steady_clock::now();
    while (true) {
      if (m_c.stopping) {
        // The source's export was requested: the 24-hour rule must hold
        // the next attempt. The next run reconciles (the deadline, then a retry).
        m_left_running = true;
        co_return after_export(failure(FailureKind::retryable, "shutting down"));
      }
      const MoveServed served = move_served(m_c.store.db(), m_token_hash, parts);
      auto info = co_await m_c.target.lookup(target_host());
      if (served.manifest) started = true;
      if (info.ok() && info.value().blocked && info.value().blocking_reason == "IMPORTING") started = true;
      if (info.ok() && !info.value().exists)
        co_return after_export(failure(FailureKind::permanent,
                                       "target_missing: " + target_host() + " disappeared during the import"));
      std::int64_t target_bytes = 0;
      if (started && info.ok() && !info.value().blocked) co_return co_await import_ended(evidence, served);
      if (started) {
        auto usage = co_await m_c.target.disk_usage(target_host());
        if (usage.ok()) target_bytes = usage.value().files + usage.value().versions;
      }
      if (served.total_bytes + target_bytes != progress) {
        progress = served.total_bytes + target_bytes;
        last_progress = std::chrono::steady_clock::now();
      }
      if (deadline_passed())
        co_return after_export(failure(FailureKind::retryable, "import_deadline: " + fetched(served, parts)));
      if (std::chrono::steady_clock::now() - last_progress >= m_stall)
        co_return after_export(failure(FailureKind::retryable,
                                       "import_stalled: nothing fetched and nothing changed on the target "
                                       "for " + std::to_string(m_stall.count() / 1000) + " s, " +
                                           fetched(served, parts)));
      co_await pause(k_poll_interval);
    }
  }

  // The target is unblocked after it started: it says the import ended.
  // Success only when every part was fetched whole and its files add up.
  asio::awaitable<Outcome<Done>> import_ended(const Evidence& evidence, const MoveServed& served) {
    const int parts = static_cast<int>(evidence.parts.size());
    for (int n = 0; n < parts; ++n)
      if (served.part_bytes[static_cast<std::size_t>(n)] < evidence.parts[static_cast<std::size_t>(n)].bytes)
        co_return after_export(failure(FailureKind::retryable,
                                       "import_failed: the target ended its import with " +
                                           fetched(served, parts)));
    auto usage = co_await m_c.target.disk_usage(target_host());
    if (!usage.ok()) co_return after_export(usage.failure());
    if (usage.value().files != evidence.content.file_bytes)
      co_return after_export(failure(FailureKind::retryable,
                                     "target_size_mismatch: the target holds " +
                                         bytes_text(usage.value().files) + " of files for " +
                                         bytes_text(evidence.content.file_bytes) + " verified"));
    co_return Done{};
  }

  static std::string fetched(const MoveServed& served, int parts) {
    int whole = 0;
    for (std::int64_t bytes : served.part_bytes) whole += bytes > 0 ? 1 : 0;
    return std::to_string(whole) + " of " + std::to_string(parts) + " parts fetched";
  }

  // The token is revoked and the source unblocked. A failed unblock leaves
  // it blocked MOVING, which Passage recorded as its own block.
  asio::awaitable<void> give_back() {
    if (!m_token_hash.empty()) revoke_move_token(m_c.store.db(), m_token_hash, m_c.clock.now());
    co_await m_c.source.set_block(domain(), "");
  }

  asio::awaitable<void> pause(Millis duration) {
    asio::steady_timer timer(m_c.io, duration);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  using fs_path = std::filesystem::path;

  AdminMoveContext m_c;
  Account m_account;
  Instant m_deadline_clock;
  std::chrono::steady_clock::time_point m_deadline_steady;
  Millis m_stall;
  std::string m_token_hash;
  bool m_left_running = false;
};

}  // namespace

asio::awaitable<Outcome<Evidence>> run_admin_move(AdminMoveContext context, Account account) {
  AdminMove move(context, std::move(account));
  auto outcome = co_await move.run();
  co_return outcome;
}

asio::awaitable<Outcome<Evidence>> follow_admin_move(AdminMoveContext context, Account account,
                                                    LeftImport import) {
  AdminMove move(context, std::move(account));
  auto outcome = co_await move.follow_again(import);
  co_return outcome;
}

}  // namespace passage
