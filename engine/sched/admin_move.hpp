#pragma once
// The admin-driven move (CONTRACT.md "Admin moves", COZY.md "Moves",
// "Import"): the stack has no move call, so Passage
//   1. (the runner checked that `passage serve --public` answers) checks
//      the target: it
//      exists, is not blocked, holds no data (unless `move.overwrite`, or
//      the data is provably Passage's own earlier import of this account,
//      move_target.hpp: else, once a part was served there, the data may be
//      the person's since that import and the failure has needs_person: the
//      account is HELD, nothing touched), has room;
//   2. blocks the source MOVING (nothing the person does after the snapshot
//      can be lost), exports it, downloads and verifies every part as an
//      `archive` export (content-checked);
//   3. asks the target to import <serve.public_url>/move/exports/<token>:
//      the target fetches the parts Passage verified, never the stack's own
//      (unreachable) routes. Once the request passed the target stack's
//      gate, right before it is sent, the account is read again and the
//      import_request intent committed as a compare-and-set, then the token
//      stored: a hold or cancel committed before wins (nothing sent, the
//      source given back); one committed after finds the import on its way;
//   4. follows the import by what `serve --public` recorded in `served` and
//      by the target: success when every part was fetched, the target was
//      seen importing and is unblocked, and its `files` bytes equal the
//      verified export's; a stall (nothing fetched and no change on the
//      target for `move.stall_timeout`) or the import deadline ends it;
//   5. blocks the source MOVED.
// A failure revokes the token and gives the source back (unblocked).
// A run killed or stopped while following step 4 leaves the import to the
// next run, which follows it again (follow_admin_move) from step 4.

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/sched/move_check.hpp"
#include "engine/store/store.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

struct AdminMoveContext {
  boost::asio::io_context& io;
  Store& store;
  const Config& config;
  const Clock& clock;
  Backend& source;
  Backend& target;
  Millis import_deadline;  // the source stack's
  const bool& stopping;    // the run is ending: stop following, leave things as they are
  const std::string& actor;  // who commits the import's intent
  // Called once the source's export ended (its event, deadline or failure):
  // the runner gives its export slot back (max_exports_in_flight).
  std::function<void()> export_ended = {};
};

// The intent committed, as a compare-and-set on the account, right before
// the target is asked to import (the move's own "import" intent, committed
// when it started, is the attempt's); finished when the import ended.
inline constexpr const char* k_import_request_intent = "import_request";

// Evidence kind "moved" with the verified export's parts and content.
// A failure after the source's export was requested has after_export set.
boost::asio::awaitable<Outcome<Evidence>> run_admin_move(AdminMoveContext context, Account account);

// Steps 4 and 5 again for an import an earlier run requested and did not
// see end (check_admin_move found it): the same success check, the same
// give-back on failure, the deadline the move started with (not the
// restart's: context.import_deadline is not used). The target is never
// asked to import again here.
boost::asio::awaitable<Outcome<Evidence>> follow_admin_move(AdminMoveContext context, Account account,
                                                            LeftImport import);

}  // namespace passage
