// The runner's work on one account: apply the lifecycle, commit, act, and
// feed the outcome back, until the account has nothing due now.

#include <iostream>

#include <boost/asio/use_awaitable.hpp>

#include "engine/archive/archive_paths.hpp"
#include "engine/env/local_write.hpp"
#include "engine/lifecycle/move_check_failed.hpp"
#include "engine/lifecycle/reminders.hpp"
#include "engine/notices/notices.hpp"
#include "engine/sched/notice_once.hpp"
#include "engine/sched/admin_move.hpp"
#include "engine/sched/move_check.hpp"
#include "engine/sched/export_window.hpp"
#include "engine/serve/public_routes.hpp"
#include "engine/sched/runner_impl.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr int k_max_steps_per_drive = 64;  // a bound on one account's loop
constexpr int k_max_stale_reads = 4;       // commits refused as stale, per drive
constexpr auto k_public_health_ttl = std::chrono::seconds(10);  // one health check serves this long

bool wants_export(const Account& account) {
  return account.action == Action::export_ || account.fallback_export;
}

bool contains(const std::vector<Effect>& effects, Effect effect) {
  return std::find(effects.begin(), effects.end(), effect) != effects.end();
}

// Two reminders share kind and date: their key also says which one
// ("deletion_reminder-168h"), or `otherwise` when none is due by offset.
std::string reminder_key(const std::string& kind, const std::optional<CalendarSpan>& offset,
                         const char* otherwise) {
  if (!offset) return kind + "-" + otherwise;
  auto hours = std::chrono::duration_cast<std::chrono::hours>(approximate_length(*offset));
  return kind + "-" + std::to_string(hours.count()) + "h";
}

// A failed move's intent: "nothing happened remotely" failures did not
// export the source (the 24-hour rule ignores them); the others may have.
std::string move_outcome(const Outcome<Evidence>& outcome) {
  if (outcome.ok()) return "moved";
  switch (outcome.failure().kind) {
    case FailureKind::retryable:
    case FailureKind::rate_limited:
    case FailureKind::not_found:
      // After the source's export was requested, even a 404 (from the
      // target's import, or from blocking) leaves that export behind.
      return outcome.failure().after_export ? "failed_after_export" : "not_queued";
    case FailureKind::unknown_outcome:
    case FailureKind::export_error:
      return "unknown";
    case FailureKind::permanent:
      // Refused before the export (the target blocked, holding data or
      // written since Passage's import): no export to wait 24 hours for.
      return outcome.failure().after_export ? "failed" : "not_queued";
  }
  return "failed";
}

}  // namespace

Event Runner::with_jitter(Event event) {
  event.jitter = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
  return event;
}

Event Runner::failure_event(const Account& account, const Failure& failure) {
  if (failure.local_write) {
    // The disk, not the stack nor the account: no new work; what is in
    // flight finishes (an export's event is never left behind: it would
    // cost a day), and the next run resumes once the disk takes writes.
    std::cerr << "passage: account " << account.login << ": " << failure.reason << '\n';
    if (!m_stopped_by) m_stopped_by = std::make_exception_ptr(LocalWriteError(failure.reason));
    m_stopping = true;
  }
  if (failure.kind == FailureKind::rate_limited && failure.retry_after) {
    // The stack asked every caller to slow down: remember it across runs,
    // in real time (restore_cooldowns).
    Instant until = std::chrono::floor<Millis>(std::chrono::system_clock::now()) + *failure.retry_after;
    m_store.set_cooldown(account.stack, until);
    stack_of(account).gate->pause_until(std::chrono::steady_clock::now() + *failure.retry_after);
  }
  Event event{EventKind::failure};
  event.failure = failure.kind;
  event.detail = failure.reason;
  event.retry_after = failure.retry_after;
  for (const std::string& file : failure.incomplete_files) event.payload += file + "\n";
  return with_jitter(event);
}

// The step is committed with the other drives' steps of this turn of the
// loop (GroupCommit); the drive goes on, and acts, only once it is.
asio::awaitable<bool> Runner::commit(Account& account, Transition transition,
                                     std::optional<IntentSpec> intent) {
  StepCommit step{account, transition, m_clock.now(), m_options.actor, std::move(intent)};
  const bool written = co_await m_group.commit(std::move(step));
  if (!written) co_return false;
  std::int64_t version = account.version;
  account = std::move(transition.next);
  account.version = version + 1;
  ++m_summary.steps;
  co_return true;
}

std::string Runner::notice_kind(const Account& account) const {
  if (account.evidence.kind == "moved") return "move_done";
  // A move that fell back to an export after the invitation: say why the
  // export came instead. Never invited (too close): the export notice, with
  // move_not_offered saying why.
  if (account.action == Action::move && account.fallback_export && account.reexports == 0 &&
      account.move_deadline)
    return "move_fallback";
  return account.reexports > 0 ? "reexport" : "export_ready";
}

// The intent committed with a transition whose effects act remotely.
std::optional<IntentSpec> Runner::intent_for(const Account& account,
                                             const std::vector<Effect>& effects) {
  if (contains(effects, Effect::request_export)) return IntentSpec{"export", m_store.next_intent_key(account, "export")};
  if (contains(effects, Effect::start_move)) return IntentSpec{"import", m_store.next_intent_key(account, "import")};
  if (contains(effects, Effect::send_reminder)) {
    const Policy& policy = stack_of(account).policy;
    auto latest = due_reminder(account, m_clock.now(), policy);
    // A date changed since the person was told (a postpone, a release): the
    // deletion_date_changed notice the command queued, with its Message-ID.
    std::string kind = deletion_date_changed_untold(account, policy)
                           ? std::string("deletion_date_changed")
                           : reminder_key("deletion_reminder", latest, "date");
    return IntentSpec{"notice", message_id_for(kind, account, local_date(*account.grace_end, m_config.zone))};
  }
  if (contains(effects, Effect::send_move_reminder)) {
    auto latest = due_move_reminder(account, m_clock.now(), stack_of(account).policy);
    Instant end = grace_end_for(m_clock.now(), account.departure_date, stack_of(account).policy);
    std::string kind = reminder_key("move_reminder", latest, "deadline");
    return IntentSpec{"notice", message_id_for(kind, account, local_date(end, m_config.zone))};
  }
  if (contains(effects, Effect::send_notice) || contains(effects, Effect::send_invitation)) {
    std::string kind = contains(effects, Effect::send_invitation) ? "move_instructions"
                                                                   : notice_kind(account);
    Instant end = account.grace_end.value_or(
        grace_end_for(m_clock.now(), account.departure_date, stack_of(account).policy));
    return IntentSpec{"notice", message_id_for(kind, account, local_date(end, m_config.zone))};
  }
  return std::nullopt;
}

asio::awaitable<void> Runner::drive(Account account, EventKind first) {
  const Policy& policy = stack_of(account).policy;
  std::optional<Event> next = Event{first};
  int stale_reads = 0;
  for (int step = 0; next && step < k_max_steps_per_drive && !m_stopping; ++step) {
    // Back to the queue within this drive (a part to export again): a new
    // export waits for a slot like any other; the runner starts it again.
    if (export_bound(account) && !take_export_slot(account)) co_return;
    Instant now = m_clock.now();
    Event event = *next;
    // The export window gates every new export request, a move's export
    // of its source included.
    const auto& window = stack_of(account).config->export_window;
    if (event.kind == EventKind::due && account.state == State::queued &&
        (wants_export(account) || account.admin_move) && window) {
      if (auto reopens = export_window_reopens(*window, now, m_config.zone)) {
        event = Event{EventKind::window_closed};
        event.at = reopens;
      }
    }
    // An admin move starts only when the target can fetch from serve
    // --public: otherwise it waits, nothing touched, no attempt counted.
    if (event.kind == EventKind::due && account.state == State::queued && account.admin_move &&
        !stack_of(account).backend->stands_in_for_moves()) {
      std::string unreachable = co_await public_server_unreachable();
      if (!unreachable.empty()) {
        event = Event{EventKind::window_closed};
        event.at = now + approximate_length(m_config.move.poll_interval);
        event.detail = unreachable;
      }
    }
    StepResult result = apply(account, event, now, policy);
    if (std::holds_alternative<Refusal>(result)) co_return;  // e.g. a stale timer: nothing to do
    const Transition& transition = std::get<Transition>(result);
    std::optional<IntentSpec> intent = intent_for(transition.next, transition.effects);
    const bool written = co_await commit(account, transition, intent);
    if (!written) {
      // Someone committed the account since it was read (a hold, a
      // postpone): decide again on the fresh row; a hold always wins.
      auto fresh = m_store.account(account.id);
      if (!fresh || ++stale_reads > k_max_stale_reads || !runner_acts_on(fresh->state)) co_return;
      account = *fresh;
      next = event;
      continue;
    }
    if (!export_bound(account)) give_back_export_slot(account);
    if (transition.effects.empty()) {
      bool due_now = account.due_at && *account.due_at <= m_clock.now();
      next = due_now && runner_acts_on(account.state) ? std::optional<Event>(Event{EventKind::due})
                                                      : std::nullopt;
      continue;
    }
    // Named locals, not temporaries, across co_await: g++ 12 mishandles
    // temporaries of a conditional expression inside a coroutine.
    std::vector<Effect> effects = transition.effects;
    std::string intent_key;
    if (intent) intent_key = intent->key;
    next = co_await perform(account, effects, intent_key);
    // Stopping: a failure caused by the shutdown is not the account's; its
    // intents already say what was done.
    if (m_stopping && next && next->kind == EventKind::failure) co_return;
  }
}

asio::awaitable<std::optional<Event>> Runner::perform(Account& account,
                                                      const std::vector<Effect>& effects,
                                                      const std::string& intent_key) {
  Backend& backend = *stack_of(account).backend;
  for (Effect effect : effects) {
    switch (effect) {
      case Effect::lookup:
        co_return co_await do_lookup(account, false);
      case Effect::poll_move:
        co_return co_await do_lookup(account, true);
      case Effect::request_export:
        if (auto event = co_await do_export(account, intent_key)) co_return event;
        break;
      case Effect::await_export:
        co_return co_await do_await(account);
      case Effect::fetch_export:
        co_return co_await do_fetch(account);
      case Effect::start_move: {
        Event moved = co_await do_move(account, intent_key);
        // A move that gave up at its import deadline is left MOVING: its
        // timer, read back from the store with the move's export request,
        // applies the 24-hour rule (moving_due) instead of a quick retry.
        bool gave_up = moved.kind == EventKind::failure && moved.failure != FailureKind::permanent &&
                       moved.failure != FailureKind::not_found && account.due_at &&
                       m_clock.now() >= *account.due_at;
        if (gave_up) co_return std::nullopt;
        co_return moved;
      }
      case Effect::check_move:
        co_return co_await do_check_move(account);
      case Effect::send_invitation: {
        Event sent = co_await do_notice(account, "move_instructions", intent_key);
        if (sent.kind == EventKind::failure) co_return sent;
        break;
      }
      case Effect::announce_user_move:
        backend.expect_user_move(account.domain);
        break;
      case Effect::send_move_reminder:
        co_return co_await do_notice(account, "move_reminder", intent_key);
      case Effect::send_reminder: {
        std::string kind = deletion_notice_kind(account, stack_of(account).policy);
        co_return co_await do_notice(account, kind, intent_key);
      }
      case Effect::send_notice:
        co_return co_await do_notice(account, notice_kind(account), intent_key);
      case Effect::check_activity:
        co_return co_await do_activity(account);
    }
  }
  co_return std::nullopt;
}

asio::awaitable<Event> Runner::do_lookup(const Account& account, bool poll) {
  auto outcome = co_await stack_of(account).backend->lookup(account.domain);
  if (!outcome.ok()) co_return failure_event(account, outcome.failure());
  const InstanceInfo& info = outcome.value();
  ++m_summary.lookups;
  if (!info.exists) co_return missing_or_storm();
  if (info.moved) co_return Event{EventKind::lookup_moved};
  // A block Passage recorded itself (its admin move's MOVING) is no
  // reason to wait: the move is Passage's own, resumed here.
  bool own_block = !account.own_block.empty() && info.blocking_reason == account.own_block;
  if (info.blocked && !poll && !own_block) {
    Event event{EventKind::lookup_blocked};
    event.detail = info.blocking_reason.empty() ? "UNKNOWN" : info.blocking_reason;
    co_return event;
  }
  co_return Event{EventKind::lookup_ok};
}

// NO_SPACE is final: concluded only while 404s are rare in this run. Past
// the storm threshold every further 404 holds its account for a person.
Event Runner::missing_or_storm() {
  ++m_summary.lookups_404;
  if (!is_lookup_404_storm(m_summary.lookups_404, m_summary.lookups)) return Event{EventKind::lookup_missing};
  ++m_summary.storm_held;
  Event held{EventKind::hold};
  held.detail = k_lookup_404_storm;
  return held;
}

// POST the export. A 202 is journaled at once; an answer that says it was
// not queued lets the 24-hour rule ignore this request.
asio::awaitable<std::optional<Event>> Runner::do_export(Account& account,
                                                        const std::string& intent_key) {
  Backend& backend = *stack_of(account).backend;
  // What the export's files must add up to, read just before asking.
  auto usage = co_await backend.disk_usage(account.domain);
  if (!usage.ok()) {
    m_group.finish(IntentFinish{intent_key, account.id, "export", "not_queued", m_clock.now()});
    co_return failure_event(account, usage.failure());
  }
  account.usage_at_request = usage.value();
  account.export_queued_at.reset();
  auto outcome = co_await backend.request_export(account.domain);
  Instant now = m_clock.now();
  if (!outcome.ok()) {
    bool maybe_queued = outcome.failure().kind == FailureKind::unknown_outcome;
    std::string finished_as = "not_queued";
    if (maybe_queued) finished_as = "unknown";
    m_group.finish(IntentFinish{intent_key, account.id, "export", finished_as, now});
    co_return failure_event(account, outcome.failure());
  }
  // The outcome goes with the next step's commit (GroupCommit::finish).
  m_group.finish(IntentFinish{intent_key, account.id, "export", "queued", now});
  account.export_queued_at = outcome.value().queued_at;
  StepResult result = apply(account, Event{EventKind::export_queued}, now, stack_of(account).policy);
  if (auto* transition = std::get_if<Transition>(&result)) {
    Transition queued = *transition;
    std::optional<IntentSpec> no_intent;
    co_await commit(account, queued, no_intent);
  }
  co_return std::nullopt;
}

// Waits for the export's event until the account's timer, but never longer
// than the stack's export_deadline from now: after the clock stepped back,
// the timer can be hours away, and a run must not sit on it (it ends with
// no event; the timer, unchanged, brings the account back later).
asio::awaitable<std::optional<Event>> Runner::do_await(const Account& account) {
  const Instant due = account.due_at.value_or(m_clock.now());
  const Instant deadline = std::min(due, m_clock.now() + stack_of(account).policy.export_deadline);
  // Stack time from which an export is this request's: the job's queued_at,
  // else (an unknown answer) the request's time with a clock allowance.
  Instant since = account.export_queued_at.value_or(
      account.last_export_request.value_or(m_clock.now()) - k_export_clock_allowance);
  auto outcome = co_await stack_of(account).backend->await_export(account.domain, since, deadline);
  record_foreign_exports();
  if (outcome.ok()) {
    // The event settles every request still open for this account.
    m_group.finish(IntentFinish{{}, account.id, "export", "done", m_clock.now()});
    Event event{EventKind::export_done};
    event.detail = outcome.value().export_id;
    event.payload = export_done_to_json(outcome.value());
    co_return event;
  }
  if (m_clock.now() >= due) co_return with_jitter(Event{EventKind::due});
  if (m_clock.now() >= deadline) co_return std::nullopt;  // capped: the timer is still ahead
  co_return failure_event(account, outcome.failure());
}

// Exports Passage did not request, seen on the stacks' sockets: recorded on
// every unfinished account of the instance (CONTRACT.md "Export events and
// foreign exports": Passage's next request waits 24 hours after them).
void Runner::record_foreign_exports() {
  for (auto& [name, stack] : m_stacks)
    for (const ForeignExport& foreign : stack.backend->take_foreign_exports())
      for (const Account& account : m_store.find_accounts(foreign.domain))
        if (account.domain == foreign.domain && !is_final(account.state))
          m_store.record_foreign_export(account, foreign.export_id, m_clock.now());
}

asio::awaitable<Event> Runner::do_fetch(const Account& account) {
  auto done = export_done_from_json(account.export_doc);
  if (!done) {
    // No document to download from: ask for a new export (24-hour rule first).
    Event event{EventKind::failure};
    event.failure = FailureKind::not_found;
    event.detail = "export document lost";
    co_return with_jitter(event);
  }
  Backend& backend = *stack_of(account).backend;
  FetchRequest request{account.domain, *done, account.delivery,
                       archive_folder(m_config.export_.archive_dir, account.domain, account.id),
                       m_config.export_.archive_dir / ".work", account.usage_at_request};
  if (!request.usage) {
    // Requested before usage was recorded (an older version): the parts
    // list the files as they are when downloaded, so now is as good.
    auto usage = co_await backend.disk_usage(account.domain);
    if (!usage.ok()) co_return failure_event(account, usage.failure());
    request.usage = usage.value();
  }
  auto outcome = co_await backend.fetch_export(request);
  if (!outcome.ok()) co_return failure_event(account, outcome.failure());
  if (auto gap = content_gap(outcome.value())) co_return co_await gap_event(account, *gap);
  // A file written while its part streamed, with its old content kept as
  // an old version, streams whole and old: only the disk usage now tells.
  auto after = co_await backend.disk_usage(account.domain);
  if (!after.ok()) co_return failure_event(account, after.failure());
  if (auto gap = written_during_download(*request.usage, after.value())) co_return co_await gap_event(account, *gap);
  Event event{EventKind::evidence_ok};
  event.evidence = outcome.value();
  co_return event;
}

// Every part is sound but they do not add up to the space: the person
// changed it since the export was requested (export again, 24-hour rule
// first), or something is missing (evidence_incomplete: export again, and
// FAILED when it is still missing from the next export).
asio::awaitable<Event> Runner::gap_event(const Account& account, const std::string& gap) {
  auto activity = co_await stack_of(account).backend->last_activity(account.domain);
  if (!activity.ok()) co_return failure_event(account, activity.failure());
  Event event{EventKind::failure};
  if (activity_since_request(account, activity.value())) {
    event.failure = FailureKind::not_found;
    event.detail = "the space changed since the export was requested (" + gap + "): export again";
  } else {
    event.failure = FailureKind::retryable;
    event.detail = std::string(k_evidence_incomplete) + ": " + gap;
    event.payload = "(the files' total bytes)\n";
  }
  co_return with_jitter(event);
}

// Empty when `passage serve --public` answers at serve.public_url (checked
// at most every k_public_health_ttl), else why not.
asio::awaitable<std::string> Runner::public_server_unreachable() {
  const auto now = std::chrono::steady_clock::now();
  if (m_public_checked && now - m_public_checked->first < k_public_health_ttl)
    co_return m_public_checked->second;
  std::string why;
  if (!m_config.serve.public_url) {
    why = "waiting for serve.public_url: admin-driven moves are fetched from passage serve --public";
  } else {
    HttpRequest request;
    request.url = *m_config.serve.public_url + std::string(k_public_health_path);
    request.total_timeout = std::chrono::seconds(10);
    HttpResponse response = co_await m_public_http.perform(std::move(request));
    if (response.status != 200)
      why = "waiting for passage serve --public at " + *m_config.serve.public_url + " (" +
            (response.status ? "http " + std::to_string(response.status) : response.error) + ")";
  }
  m_public_checked = std::make_pair(std::chrono::steady_clock::now(), why);
  co_return why;
}

asio::awaitable<Event> Runner::do_move(const Account& account, const std::string& intent_key) {
  const StackConfig* target_stack = m_config.stack_for(account.target_host);
  if (!target_stack) {
    Event event{EventKind::failure};
    event.failure = FailureKind::permanent;
    event.detail = "no stack serves " + account.target_host;
    co_return event;
  }
  Backend& source = *stack_of(account).backend;
  auto outcome = co_await source.stand_in_move(account.domain);
  if (!outcome) {
    AdminMoveContext context{m_io, m_store, m_config, m_clock, source,
                             *m_stacks.at(target_stack->name).backend,
                             stack_of(account).policy.import_deadline, m_stopping, m_options.actor};
    context.export_ended = [this, account] { give_back_export_slot(account); };
    outcome = co_await run_admin_move(context, account);
    record_foreign_exports();
  }
  m_store.finish_intent(intent_key, move_outcome(*outcome), m_clock.now());
  if (!outcome->ok() && outcome->failure().needs_person) {
    // Retrying would wipe what someone wrote (admin_move.cpp): held.
    Event held{EventKind::hold};
    held.detail = outcome->failure().reason;
    co_return held;
  }
  if (!outcome->ok()) co_return failure_event(account, outcome->failure());
  Event event{EventKind::evidence_ok};
  event.evidence = outcome->value();
  co_return event;
}

// A move left open by a crash or a refused commit: ask before anything is
// retried (move_check.hpp). An import the last run left running is
// followed to its end now. Otherwise not finished before the import
// deadline: no event, the account waits for it; past it: the retry, as a
// failure.
asio::awaitable<std::optional<Event>> Runner::do_check_move(const Account& account) {
  // No stack serves the target any more (the config changed): the move
  // cannot be told finished, the deadline decides.
  const StackConfig* target_stack = m_config.stack_for(account.target_host);
  Backend& source = *stack_of(account).backend;
  Outcome<std::optional<Evidence>> outcome = std::optional<Evidence>();
  if (target_stack) {
    Backend& target = *m_stacks.at(target_stack->name).backend;
    if (source.stands_in_for_moves()) {
      outcome = co_await source.check_move(account.domain, account.target_host, target);
    } else {
      auto started = m_store.latest_intent(account.id, "import");
      std::optional<Instant> attempt_started;
      if (started) attempt_started = started->created_at;
      auto read = co_await check_admin_move(MoveCheckContext{m_store.db(), source, target, attempt_started},
                                            account);
      if (read.ok() && read.value().importing)
        co_return co_await follow_left_import(account, target, *read.value().importing);
      if (read.ok() && read.value().not_imported)
        co_return retry_unimported_move(account, *read.value().not_imported);
      if (read.ok()) outcome = read.value().moved;
      else outcome = read.failure();
    }
  }
  if (!outcome.ok()) {
    Event failed = failure_event(account, outcome.failure());
    failed.payload = std::string(k_move_check_failed);
    co_return failed;
  }
  if (!outcome.value()) {
    if (!account.due_at || m_clock.now() < *account.due_at) co_return std::nullopt;
    Event late{EventKind::failure};
    late.failure = FailureKind::retryable;
    late.detail = "import deadline passed";
    co_return late;
  }
  m_store.finish_open_intents(account.id, "import", "moved (checked after restart)", m_clock.now());
  m_store.finish_open_intents(account.id, k_import_request_intent, "moved (checked after restart)", m_clock.now());
  Event event{EventKind::evidence_ok};
  event.evidence = *outcome.value();
  co_return event;
}

// The import is never requested again while it may still run: its end
// decides, as for the run that asked for it (MOVED, or the source given
// back and a retry). Stopping again leaves it to the next run: no event.
asio::awaitable<std::optional<Event>> Runner::follow_left_import(const Account& account, Backend& target,
                                                                 const LeftImport& import) {
  AdminMoveContext context{m_io, m_store, m_config, m_clock, *stack_of(account).backend, target,
                           stack_of(account).policy.import_deadline, m_stopping, m_options.actor};
  Outcome<Evidence> outcome = co_await follow_admin_move(context, account, import);
  if (m_stopping && !outcome.ok()) co_return std::nullopt;
  m_store.finish_open_intents(account.id, "import", move_outcome(outcome) + " (followed after restart)",
                              m_clock.now());
  if (!outcome.ok()) co_return failure_event(account, outcome.failure());
  Event event{EventKind::evidence_ok};
  event.evidence = outcome.value();
  co_return event;
}

// The move's latest attempt ended before it asked the target to import,
// and check_admin_move gave Passage's MOVING block back: the account
// retries now, never waiting for the import deadline with nothing on its
// way to the target. That attempt's export may have been queued (a run
// killed with its intent open cannot tell): the intent stays counted, and
// moving_failure holds the next export for the 24-hour rule.
Event Runner::retry_unimported_move(const Account& account, const std::string& why) {
  m_store.finish_open_intents(account.id, "import", "unknown (no import requested: read back)",
                              m_clock.now());
  // Committed just before a request the run did not live to send.
  m_store.finish_open_intents(account.id, k_import_request_intent, "not sent (read back)", m_clock.now());
  Event event{EventKind::failure};
  event.failure = FailureKind::retryable;
  event.detail = why;
  return with_jitter(event);
}

// Each (account, kind, deletion date) is sent once: an intent already
// finished as sent is not sent again; an open one is resent with the same
// Message-ID.
asio::awaitable<Event> Runner::do_notice(const Account& account, const std::string& kind,
                                         const std::string& message_id) {
  auto outcome = co_await send_notice_once(m_store, *m_notifier, m_config, account, kind, message_id,
                                           m_clock.now(), export_link_extras(account));
  if (outcome.ok()) co_return Event{EventKind::notice_sent};
  if (outcome.failure().kind == FailureKind::permanent) {
    Event refused{EventKind::failure};
    refused.failure = FailureKind::permanent;
    // No public URL for an archive link (k_no_public_url), or refused.
    refused.detail = outcome.failure().reason == k_no_public_url ? std::string(k_no_public_url)
                                                                 : "notice_refused";
    co_return refused;
  }
  Event failed = failure_event(account, outcome.failure());
  if (!outcome.failure().local_write) {
    // The relay, not the person: the notice waits for it, and the run
    // tells monitoring the relay was down even if it answers again later.
    failed.detail = std::string(k_relay_unavailable) + ": " + failed.detail;
    m_relay_was_down = true;
  }
  co_return failed;
}

// Activity after the evidence makes it stale (activity_after_evidence).
asio::awaitable<Event> Runner::do_activity(const Account& account) {
  auto outcome = co_await stack_of(account).backend->last_activity(account.domain);
  if (!outcome.ok()) co_return failure_event(account, outcome.failure());
  co_return Event{activity_after_evidence(account, outcome.value()) ? EventKind::activity_stale
                                                                    : EventKind::activity_clean};
}

}  // namespace passage
