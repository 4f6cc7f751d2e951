#pragma once
// Reaching stacks and the mail relay once, all at once: `config check`
// reaches every one to say which answered; the night reaches those it did
// not call, so that monitoring learns whether they answer (CONTRACT.md
// exit 7, passage_stack_up, passage_relay_up). One function for both.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "engine/sched/stacks.hpp"
#include "plugins/notifiers/notifier.hpp"

namespace passage {

// What each call found; nullopt: nothing to reach (a dry-run stack, the
// outbox).
struct ReachAnswers {
  std::map<std::string, std::optional<ReachResult>> stacks;  // by stack name
  std::optional<ReachResult> relay;
};

// Calls check_reach() on the stacks `names` and on `relay` (when not null)
// at once on `io`, runs `io` until they all answered, and restarts it for
// later use.
ReachAnswers reach_each(boost::asio::io_context& io, Stacks& stacks, const std::vector<std::string>& names,
                        Notifier* relay);

// True when a reach answered with the credentials accepted, or had nothing
// to reach.
bool reach_usable(const std::optional<ReachResult>& reach);

}  // namespace passage
