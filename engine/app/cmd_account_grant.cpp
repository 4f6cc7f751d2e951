// passage account grant-access ID --days N --reason TEXT --by NAME: the
// "imperative reason to access it" of the user guide, during the month
// after a move (issue 13). Lifts the MOVED block Passage put on the source
// of an admin-driven move for N days (at most support.max_grant); the first
// run after that puts it back (engine/sched/access_close). The deletion
// date does not move. This command talks to the stack: it reads its
// passphrase, unlike the other account commands.

#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/app/account_select.hpp"
#include "engine/app/app.hpp"
#include "engine/notices/notices.hpp"
#include "engine/sched/stacks.hpp"
#include "engine/store/access_grants.hpp"
#include "engine/support/access.hpp"
#include "engine/support/local_time.hpp"

namespace passage {

namespace {

constexpr const char* k_moved_block = "MOVED";

// Runs one call of the stack's backend to its end.
template <class T>
Outcome<T> on_stack(boost::asio::io_context& io, boost::asio::awaitable<Outcome<T>> call) {
  std::optional<Outcome<T>> result;
  auto task = [&](boost::asio::awaitable<Outcome<T>> pending) -> boost::asio::awaitable<void> {
    result = co_await std::move(pending);
  };
  boost::asio::co_spawn(io, task(std::move(call)), [&](std::exception_ptr error) {
    if (error) result = Failure{FailureKind::retryable, "the stack call failed", {}};
  });
  io.restart();
  io.run();
  return result.value_or(Failure{FailureKind::retryable, "the stack did not answer", {}});
}

// Lifts the block on the stack; the outcome closing the grant when it did not.
std::optional<std::string> open_on_stack(boost::asio::io_context& io, Backend& backend, const std::string& domain,
                                         bool& already_open) {
  Outcome<InstanceInfo> info = on_stack(io, backend.lookup(domain));
  if (!info.ok()) return "not opened: " + info.failure().reason;
  if (!info.value().exists) return "not opened: the stack has no space " + domain;
  if (info.value().moved) return "not opened: the stack closed " + domain + " itself (moved: true)";
  if (info.value().blocked && info.value().blocking_reason != k_moved_block)
    return "not opened: blocked " + info.value().blocking_reason + " by someone other than Passage";
  already_open = !info.value().blocked;
  if (already_open) return std::nullopt;
  Outcome<Done> opened = on_stack(io, backend.set_block(domain, ""));
  if (!opened.ok()) return "not opened: " + opened.failure().reason;
  return std::nullopt;
}

std::string granted_message(const Account& account, const AccessGrant& grant, const Config& config,
                            bool already_open) {
  std::string text = account.login + ": " + account.domain + (already_open ? " was already open" : " is open again") +
                     " until " + format_local_minute(grant.until, config.zone) + " (" + zone_name(config.zone) +
                     "); the first run after that blocks it " + k_moved_block + " again";
  if (account.grace_end) {
    const std::string deletion = format_long_date(local_date(*account.grace_end, config.zone), "en");
    text += ". The deletion date does not move: from " + deletion;
    if (*account.grace_end < grant.until) text += ", before this access ends (postpone it too if the person needs it)";
  }
  // The purge's stale rule: work after the move's snapshot would be lost.
  return text + ". If the person works in it, that activity after the move holds the account for a person to "
                "decide (activity_after_move) instead of deleting it";
}

}  // namespace

int cmd_account_grant(AppContext& app) {
  const CommandLine& line = app.line();
  if (!line.days) throw BadInput("grant-access: --days N is required");
  if (!line.reason || line.reason->empty()) throw BadInput("grant-access: --reason TEXT is required");
  const std::string actor = app.support_actor();
  const Config& config = app.config();
  Account account = find_one_account(app, app.word(2, "account ID (login, domain or e-mail)"));
  const Instant now = app.clock().now();
  GrantCheck check = check_grant(account, *line.days, config.support_max_grant,
                                 open_access_grant(app.store().db(), account.id), now, config.zone);
  if (!check.allowed) throw BadInput(account.login + ": " + check.problem);

  boost::asio::io_context io;
  Stacks stacks = build_stacks(io, config, app.clock());
  auto stack = stacks.find(account.stack);
  if (stack == stacks.end()) throw BadInput(account.login + ": stack " + account.stack + " is not configured");
  restore_cooldowns(stacks, app.store());

  // Recorded before the stack is touched: whatever happens next, a run
  // closes it (and blocks the source again) when its time is up.
  AccessGrant grant;
  grant.account_id = account.id;
  grant.domain = account.domain;
  grant.block = k_moved_block;
  grant.granted_at = now;
  grant.until = add_span(now, CalendarSpan{*line.days, SpanUnit::day}, config.zone);
  grant.reason = *line.reason;
  grant.actor = actor;
  grant.id = record_access_grant(app.store().db(), grant,
                                 format_local_minute(grant.until, config.zone) + " " + zone_name(config.zone));

  bool already_open = false;
  std::optional<std::string> failed = open_on_stack(io, *stack->second.backend, account.domain, already_open);
  save_buckets(stacks, app.store());
  if (failed) {
    close_access_grant(app.store().db(), grant, app.clock().now(), actor, *failed);
    app.err() << "passage: " << account.login << ": " << *failed << "\n";
    return k_exit_failed;
  }
  if (!line.quiet) app.out() << granted_message(account, grant, config, already_open) << "\n";
  return k_exit_done;
}

}  // namespace passage
