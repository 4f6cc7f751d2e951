#pragma once
// Did Passage's own admin-driven move of an account finish? Asked when a
// run finds the account MOVING without a move of its own in flight: after a
// crash or a refused commit, before and after the import deadline
// (CONTRACT.md "Passage's own blocks", "Admin moves").
//
// The source's MOVED block alone proves nothing: someone else can set it.
// The move is Passage's and finished only when all of these hold:
//   - the source is blocked MOVED and the last block Passage recorded is
//     its own MOVING (the block it put before exporting);
//   - the latest move token of the account records the verified export
//     (written before the import was requested);
//   - `serve --public` sent every part of it whole under that token;
//   - the target exists, is unblocked (its import ended) and holds exactly
//     the verified file bytes;
//   - the source's disk usage is still the one read before the export
//     (nothing written since that the target would lack; when it is not,
//     the move is Passage's own but stale: the source is unblocked, and
//     the retry moves it again).
// Then `moved` is that verified export, kind "moved". Otherwise nothing:
// not finished, or not Passage's; the caller waits or retries,
// and a foreign MOVED then stops the account at its lookup (FAILED).
//
// A source still blocked MOVING, with a token issued by the account's
// latest move attempt (at or after its import intent), is an import a run
// asked for and never saw end (killed, or stopped): `importing` says which,
// for follow_admin_move to follow it to its end at once, never asking the
// target again.
//
// Without such a token that attempt never asked for an import (the run
// ended during the source's export or the download of its parts): nothing
// was sent to the target, nothing can land there. Passage's own MOVING
// block is given back at once (the source unblocked; a block someone else
// set, MOVED or any other, stays) and `not_imported` says why the caller
// retries now rather than at the import deadline. The move is not continued
// from where it stopped: the export's document is only ever announced on
// the admin socket (an event sent while no run listened is lost for good),
// the disk usage read before it and the downloaded parts were the dead
// run's memory, so nothing proves which snapshot the target would get;
// and the person would keep an unusable space for no gain. The retry
// exports again once the 24-hour rule allows it.

#include <boost/asio/awaitable.hpp>

#include "engine/accounts/account.hpp"
#include "engine/store/db.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

struct MoveCheckContext {
  Database& db;
  Backend& source;
  Backend& target;
  std::optional<Instant> attempt_started;  // the latest import intent's creation
};

// An import requested by a run that did not see it end.
struct LeftImport {
  std::string token_hash;
  Instant deadline;   // the move's import deadline, counted from its start
  Evidence evidence;  // the verified export the target must hold
};

struct MoveReadBack {
  std::optional<Evidence> moved;         // finished, Passage's own
  std::optional<LeftImport> importing;   // the source still MOVING: follow this import
  std::optional<std::string> not_imported;  // never asked for an import: why the account retries now
};

boost::asio::awaitable<Outcome<MoveReadBack>> check_admin_move(MoveCheckContext context, Account account);

}  // namespace passage
