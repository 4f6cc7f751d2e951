// What the admin-move recovery tests read on the failure matrix's stand
// (fault_stand.hpp): the mover's row and journal, a space's block, the
// move's intents and tokens. The mover is the stand's last account.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tests/integration/fault_stand.hpp"

namespace passage::testing::faults {

// How long a move test waits for a state, and the routes it counts.
inline constexpr Millis k_wait{60000};
inline const std::string k_export_post = "POST /instances/:domain/export";
inline const std::string k_import_post = "POST /instances/:domain/import";

// The stand's admin-driven mover: login, source space, target space.
std::string mover_login(const FaultStand& stand);
std::string mover_source(const FaultStand& stand);
std::string mover_target(const FaultStand& stand);

// The space's blocking reason on `sim` ("UNKNOWN" when blocked without
// one), or "" when it is not blocked. REQUIREs the space to exist.
std::string blocking_reason(const CozySim& sim, const std::string& domain);

// `passage account ACTION <mover> --reason REASON --by desk`, the clocks
// unmoved.
ProcessResult desk_action(FaultStand& stand, const std::string& action, const std::string& reason);

// The desk releases the held mover (`reason`), REQUIREd to succeed; then
// `passage run --until-idle` once the clocks moved by `after`. Returns that
// run.
ProcessResult release_then_run(FaultStand& stand, const std::string& reason, std::chrono::seconds after);

// One column of the mover's row in `accounts` (NULL as "NULL").
std::string mover_column(FaultStand& stand, const std::string& column);

// The journal, one "kind: detail" line per entry, for failure messages.
std::string journal_text(FaultStand& stand);

// True when a move's import intent is still open (a run died with it).
bool import_intent_open(FaultStand& stand);

// Move tokens issued, and those revoked.
std::int64_t move_tokens_issued(FaultStand& stand);
std::int64_t move_tokens_revoked(FaultStand& stand);

}  // namespace passage::testing::faults
