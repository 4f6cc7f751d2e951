#pragma once
// The move routes of `passage serve --public` (CONTRACT.md "Two servers",
// COZY.md "Import"): a target stack importing an admin-driven move fetches
// GET /move/exports/<T> (the export document: `state: done`, the source's
// `parts_cursors` verbatim) and GET /move/exports/data/<T>[?cursor=C] (a
// part Passage verified, streamed from its archive file). T is a move token
// (engine/store/move_tokens.hpp). An unknown, expired or revoked token, an
// unknown cursor or a missing file: 404.

#include <optional>
#include <string_view>

#include "engine/config/config.hpp"
#include "engine/serve/public_routes.hpp"
#include "engine/store/db.hpp"

namespace passage {

// nullopt when `target` is not under /move/exports/.
std::optional<PublicAnswer> answer_move(Database& db, const Config& config, std::string_view target,
                                        Instant now);

}  // namespace passage
