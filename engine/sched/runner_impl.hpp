#pragma once
// Internal to the runner (runner.cpp: the loop; runner_steps.cpp: the
// effects). Not for other modules.

#include <exception>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/net/http.hpp"
#include "engine/sched/group_commit.hpp"
#include "engine/sched/move_check.hpp"
#include "engine/sched/request_gate.hpp"
#include "engine/sched/runner.hpp"
#include "engine/sched/stacks.hpp"
#include "plugins/backends/backend.hpp"
#include "plugins/notifiers/notifier.hpp"

namespace passage {

class Runner {
 public:
  Runner(const Config& config, Store& store, const Clock& clock, const RunOptions& options);
  RunSummary run();

 private:
  // runner.cpp: the loop.
  boost::asio::awaitable<void> main_loop();
  boost::asio::awaitable<void> drain();
  void leave_awaited_exports();
  void resume_open_steps();
  void start_due(Instant now);
  bool try_start(const Account& account, EventKind first);
  void finish(const Account& account);
  bool take_export_slot(const Account& account);
  void give_back_export_slot(const Account& account);
  void set_group_gather();
  boost::asio::awaitable<void> wait_for_work(Instant now);
  bool export_bound(const Account& account) const;
  bool exports_instead_of_invite(const Account& account) const;
  bool no_export_slot_on(const std::string& stack_name) const;
  void print_progress(bool final_line);
  std::string stack_limit_text(const std::string& name, const StackRuntime& stack) const;

  // runner_steps.cpp: one account, and the effects.
  boost::asio::awaitable<void> drive(Account account, EventKind first);
  boost::asio::awaitable<std::optional<Event>> perform(Account& account,
                                                       const std::vector<Effect>& effects,
                                                       const std::string& intent_key);
  Event missing_or_storm();
  boost::asio::awaitable<Event> do_lookup(const Account& account, bool poll);
  boost::asio::awaitable<std::optional<Event>> do_export(Account& account,
                                                         const std::string& intent_key);
  boost::asio::awaitable<std::optional<Event>> do_await(const Account& account);
  void record_foreign_exports();
  boost::asio::awaitable<Event> do_fetch(const Account& account);
  boost::asio::awaitable<Event> gap_event(const Account& account, const std::string& gap);
  boost::asio::awaitable<Event> do_move(const Account& account, const std::string& intent_key);
  boost::asio::awaitable<std::optional<Event>> do_check_move(const Account& account);
  boost::asio::awaitable<std::optional<Event>> follow_left_import(const Account& account, Backend& target,
                                                                  const LeftImport& import);
  Event retry_unimported_move(const Account& account, const std::string& why);
  boost::asio::awaitable<std::string> public_server_unreachable();
  boost::asio::awaitable<Event> do_notice(const Account& account, const std::string& kind,
                                          const std::string& message_id);
  boost::asio::awaitable<Event> do_activity(const Account& account);
  boost::asio::awaitable<bool> commit(Account& account, Transition transition,
                                      std::optional<IntentSpec> intent = {});
  std::optional<IntentSpec> intent_for(const Account& account, const std::vector<Effect>& effects);
  std::string notice_kind(const Account& account) const;
  Event failure_event(const Account& account, const Failure& failure);
  Event with_jitter(Event event);
  StackRuntime& stack_of(const Account& account);

  const Config& m_config;
  Store& m_store;
  const Clock& m_clock;
  RunOptions m_options;
  boost::asio::io_context m_io;
  boost::asio::steady_timer m_wake;
  HttpClient m_public_http{m_io};  // admin moves: is `serve --public` there?
  std::optional<std::pair<std::chrono::steady_clock::time_point, std::string>> m_public_checked;
  Stacks m_stacks;
  // Every step of every drive is committed through it (issue 15).
  GroupCommit m_group;
  std::unique_ptr<Notifier> m_notifier;
  std::set<std::int64_t> m_active;
  // Accounts holding one of their stack's export slots: from before the
  // export POST until its event, deadline or failure (CONTRACT.md
  // "Limits"), not while its parts download.
  std::set<std::int64_t> m_export_slots;
  std::mt19937_64 m_random;
  RunSummary m_summary;
  // Why the run stopped early: the first account step that threw, or a
  // local write that failed (failure_event). Rethrown at the end of run().
  std::exception_ptr m_stopped_by;
  bool m_dirty = true;
  bool m_stopping = false;
  bool m_relay_was_down = false;  // a notice waited for the relay during this run
  int m_max_active = 8;
  std::chrono::steady_clock::time_point m_started{};
  std::chrono::steady_clock::time_point m_last_progress{};
  std::optional<int> m_settled_at_start;
};

}  // namespace passage
