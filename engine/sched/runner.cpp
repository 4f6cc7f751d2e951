// The runner's loop: which accounts start, when to wait, when to stop.

#include <csignal>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/sched/access_close.hpp"
#include "engine/sched/move_giveback.hpp"
#include "engine/sched/export_window.hpp"
#include "engine/sched/progress.hpp"
#include "engine/sched/runner_impl.hpp"
#include "plugins/registry.hpp"

namespace passage {

namespace asio = boost::asio;

bool is_lookup_404_storm(int lookups_404, int lookups) {
  return lookups_404 > std::max(5.0, 0.10 * lookups);
}

Runner::Runner(const Config& config, Store& store, const Clock& clock, const RunOptions& options)
    : m_config(config), m_store(store), m_clock(clock), m_options(options), m_wake(m_io),
      m_group(m_io, store, Millis(0)), m_random(std::random_device{}()) {
  m_stacks = build_stacks(m_io, config, clock);
  int capacity = 0;
  for (const StackConfig& stack : config.stacks)
    capacity += stack.max_in_flight * 2 + stack.max_exports_in_flight;
  m_max_active = std::max(8, capacity);
  m_notifier = make_notifier(config.notify, m_io);
  if (!m_notifier) throw std::runtime_error("notifier " + config.notify.notifier + " is not available");
}

RunSummary Runner::run() {
  m_started = std::chrono::steady_clock::now();
  restore_cooldowns(m_stacks, m_store);
  asio::signal_set signals(m_io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& error, int) {
    if (error) return;
    m_stopping = true;  // no new work; what is in flight finishes
    m_summary.stopped_by_signal = true;
    leave_awaited_exports();
  });
  std::exception_ptr failure;
  asio::co_spawn(m_io, main_loop(), [&](std::exception_ptr error) {
    failure = error;
    signals.cancel();
    for (auto& [name, stack] : m_stacks) stack.backend->shutdown();
    // Nothing is in flight any more: idle keep-alive connections and the
    // closing websocket need not hold the run open.
    m_io.stop();
  });
  m_io.run();
  save_buckets(m_stacks, m_store);
  if (failure) std::rethrow_exception(failure);
  // An account's step that threw (a commit the disk refused) or a local
  // write that failed stopped the run: the command says so and exits
  // non-zero, never 0 (README "Reliability").
  if (m_stopped_by) std::rethrow_exception(m_stopped_by);
  if (m_options.progress != RunOptions::Progress::none) print_progress(true);
  for (const auto& [state, count] : m_store.state_counts(m_options.campaign_id))
    if (state == State::failed) m_summary.failed = count;
  m_summary.stacks_unreached = unreached_stacks(m_stacks);
  m_summary.relay_unreached = m_relay_was_down || m_notifier->answered_last() == false;
  return m_summary;
}

asio::awaitable<void> Runner::main_loop() {
  Instant started = m_clock.now();
  resume_open_steps();
  // Access the desk granted to a moved space ends here (issue 13).
  co_await close_expired_grants(m_store, m_stacks, started, m_options.actor);
  // Sources of moves the desk stopped (or that failed) are not left blocked.
  co_await give_back_stopped_moves(m_store, m_stacks, started, m_options.actor);
  while (!m_stopping) {
    Instant now = m_clock.now();
    if (m_options.max_duration && now - started >= *m_options.max_duration) {
      m_summary.reached_max_duration = true;
      m_stopping = true;  // no new work; drain() settles what is in flight
      break;
    }
    start_due(now);
    if (m_active.empty()) {
      auto next = m_store.next_runner_due(m_options.campaign_id);
      Millis horizon = approximate_length(m_config.idle_horizon);
      if (m_options.until_idle && (!next || *next > now + horizon)) break;
    }
    co_await wait_for_work(now);
  }
  co_await drain();
  m_group.flush();  // the intents' outcomes gathered last
}

// What is in flight finishes. Past --max-duration, exports already requested
// are awaited for the drain only, then left to the next run (CONTRACT.md
// "--max-duration D").
asio::awaitable<void> Runner::drain() {
  std::optional<Instant> leave_at;
  if (m_summary.reached_max_duration) leave_at = m_clock.now() + m_options.drain;
  while (!m_active.empty()) {
    if (leave_at && m_clock.now() >= *leave_at) {
      leave_awaited_exports();
      leave_at.reset();
    }
    co_await wait_for_work(m_clock.now());
  }
}

// Stops waiting for export events: each account awaiting one stays
// EXPORTING with its timer, and the journal says the run left it.
void Runner::leave_awaited_exports() {
  Instant now = m_clock.now();
  for (std::int64_t id : m_active) {
    auto account = m_store.account(id);
    if (!account || account->state != State::exporting) continue;
    std::string until = account->due_at ? " until " + format_utc(*account->due_at) : "";
    m_store.journal(now, m_options.actor, id, "export_left",
                    "run stopped: the next run waits for this export's event" + until);
    ++m_summary.exports_left;
  }
  for (auto& [name, stack] : m_stacks) stack.backend->shutdown();
  m_wake.cancel();
}

// Accounts with a remote step still open when the last run stopped: wait
// for their event again (EXPORTING), resume the move (MOVING), announce the
// invitation again (INVITED).
void Runner::resume_open_steps() {
  Instant now = m_clock.now();
  for (State state : {State::exporting, State::moving, State::invited})
    for (const Account& account : m_store.in_state(state, m_options.campaign_id))
      if (account.due_at && *account.due_at > now) try_start(account, EventKind::resume);
}

void Runner::start_due(Instant now) {
  if (static_cast<int>(m_active.size()) >= m_max_active) return;
  // Thousands of exports waiting for a slot must not hide what is due after
  // them (a download after a restart, a notice, a departure): left out.
  std::vector<std::string> no_export_slot, with_export_slot;
  for (const auto& [name, stack] : m_stacks)
    (stack.exports_in_flight >= stack.config->max_exports_in_flight ? no_export_slot : with_export_slot)
        .push_back(name);
  // Ids first, one row at a time: most due rows are already active or wait
  // for an export slot. Once a stack's last slot is taken, the queue is
  // left to the next wake-up (which leaves that stack's new exports out):
  // reading a few hundred exports it could not start at every wake-up was
  // the run's largest cost (issue 15).
  m_store.visit_due_for_runner(now, m_options.campaign_id, no_export_slot, with_export_slot,
                               [&](const DueAccount& due) {
    if (static_cast<int>(m_active.size()) >= m_max_active) return DueVisit::stop;
    if (m_active.count(due.id)) return DueVisit::next;
    if (due.wants_new_export && no_export_slot_on(due.stack)) return DueVisit::queue_later;
    if (auto account = m_store.account(due.id)) try_start(*account, EventKind::due);
    return DueVisit::next;
  });
}

bool Runner::no_export_slot_on(const std::string& stack_name) const {
  auto found = m_stacks.find(stack_name);
  return found != m_stacks.end() &&
         found->second.exports_in_flight >= found->second.config->max_exports_in_flight;
}

bool Runner::export_bound(const Account& account) const {
  // An admin-driven move exports its source too: its slot is taken before
  // it starts and given back once that export ended (do_move).
  bool wants = account.action == Action::export_ || account.fallback_export || account.admin_move ||
               exports_instead_of_invite(account);
  if (account.state == State::exporting) return true;
  if (account.state == State::moving) return m_export_slots.count(account.id) > 0;
  if (account.state == State::queued) return wants;
  return account.state == State::retry_wait && account.retry_step == State::queued && wants;
}

// A user-driven move whose departure is too close to invite the person
// exports at once (start_user_move): that export needs a slot like any.
bool Runner::exports_instead_of_invite(const Account& account) const {
  auto stack = m_stacks.find(account.stack);
  return stack != m_stacks.end() && too_close_to_invite(account, m_clock.now(), stack->second.policy);
}

bool Runner::try_start(const Account& account, EventKind first) {
  if (m_active.count(account.id)) return false;
  if (export_bound(account) && !take_export_slot(account)) return false;
  m_active.insert(account.id);
  set_group_gather();
  asio::co_spawn(m_io, drive(account, first), [this, account](std::exception_ptr error) {
    finish(account);
    if (error) {
      m_stopping = true;
      if (!m_stopped_by) m_stopped_by = error;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        std::cerr << "passage: account " << account.login << ": " << e.what() << '\n';
      }
    }
  });
  return true;
}

// Exports already requested are in flight on the stack whatever the cap:
// an EXPORTING account always gets its slot back.
bool Runner::take_export_slot(const Account& account) {
  if (m_export_slots.count(account.id)) return true;
  StackRuntime& stack = stack_of(account);
  bool already_requested = account.state == State::exporting;
  if (!already_requested && stack.exports_in_flight >= stack.config->max_exports_in_flight) return false;
  ++stack.exports_in_flight;
  m_export_slots.insert(account.id);
  return true;
}

// The export's event came (or it failed): the slot serves the next export
// at once, while this account's parts download.
void Runner::give_back_export_slot(const Account& account) {
  if (m_export_slots.erase(account.id) == 0) return;
  --stack_of(account).exports_in_flight;
  m_dirty = true;
  m_wake.cancel();
}

void Runner::set_group_gather() {
  m_group.set_gather(m_active.size() >= k_gather_from_drives ? k_busy_gather : Millis(0));
}

void Runner::finish(const Account& account) {
  give_back_export_slot(account);
  m_active.erase(account.id);
  set_group_gather();
  m_dirty = true;
  m_wake.cancel();
}

asio::awaitable<void> Runner::wait_for_work(Instant now) {
  if (m_options.progress != RunOptions::Progress::none) print_progress(false);
  record_foreign_exports();
  if (m_dirty) {
    m_dirty = false;
    co_return;
  }
  Millis wait = std::chrono::seconds(1);
  if (auto next = m_store.next_runner_due(m_options.campaign_id); next && *next > now)
    wait = std::min<Millis>(wait, std::chrono::duration_cast<Millis>(*next - now));
  else if (next && m_active.empty())
    wait = Millis(10);  // due now but blocked by a cap: look again soon
  m_wake.expires_after(std::max(wait, Millis(1)));
  boost::system::error_code ignored;
  co_await m_wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  m_dirty = false;
}

void Runner::print_progress(bool final_line) {
  using Progress = RunOptions::Progress;
  auto now = std::chrono::steady_clock::now();
  const auto every = m_options.progress == Progress::live ? std::chrono::milliseconds(500)
                                                         : std::chrono::milliseconds(60000);
  if (!final_line && now - m_last_progress < every) return;
  m_last_progress = now;
  ProgressFigures figures;
  for (const auto& [state, count] : m_store.state_counts(m_options.campaign_id))
    figures.counts.emplace_back(state, count);
  if (!m_settled_at_start) m_settled_at_start = settled_count(figures.counts);
  figures.settled_at_start = *m_settled_at_start;
  figures.elapsed_seconds = std::chrono::duration<double>(now - m_started).count();
  figures.in_flight = static_cast<int>(m_active.size());
  for (const auto& [name, stack] : m_stacks) figures.stacks.push_back(stack_limit_text(name, stack));
  if (m_options.progress == Progress::live)
    std::cerr << "\r" << progress_line(figures) << "   " << (final_line ? "\n" : "") << std::flush;
  else
    std::cerr << "progress: " << progress_line(figures) << std::endl;
}

// "academy 50/s", or "academy paused 12 s" while a Retry-After holds it.
std::string Runner::stack_limit_text(const std::string& name, const StackRuntime& stack) const {
  auto paused = stack.gate->paused_until() - std::chrono::steady_clock::now();
  if (paused > std::chrono::seconds(0))
    return name + " paused " +
           std::to_string(std::chrono::ceil<std::chrono::seconds>(paused).count()) + " s";
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g/s", stack.config->rate.per_second);
  return name + " " + rate;
}

StackRuntime& Runner::stack_of(const Account& account) {
  auto found = m_stacks.find(account.stack);
  if (found == m_stacks.end())
    throw std::runtime_error("account " + account.login + " belongs to stack " + account.stack +
                             ", which the config no longer has");
  return found->second;
}

RunSummary run_accounts(const Config& config, Store& store, const Clock& clock,
                        const RunOptions& options) {
  Runner runner(config, store, clock, options);
  return runner.run();
}

}  // namespace passage
