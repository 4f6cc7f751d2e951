#pragma once
// The `move_tokens` table and what `served` says of one token (CONTRACT.md
// "Two servers", "Admin moves"). A move token lets one target stack fetch
// one verified export from `passage serve --public` until the import
// deadline; only its SHA-256 is stored. Plain functions over a Database, so
// the public server can use them without a Store.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/env/time.hpp"
#include "engine/store/db.hpp"

namespace passage {

struct MoveToken {
  std::string token_hash;  // SHA-256 hex of the token
  std::int64_t account_id = 0;
  std::string export_doc;  // export_done_to_json of the verified export
  Instant created_at;
  Instant expires_at;
  std::optional<Instant> revoked_at;
  // evidence_to_json of the verified export, kind "export": what the target
  // must hold once its import ended. Empty for tokens older than migration 16.
  std::string evidence;

  bool live(Instant now) const { return !revoked_at && now < expires_at; }
};

void insert_move_token(Database& db, const MoveToken& token);

// The token whose hash is `token_hash`, live or not.
std::optional<MoveToken> find_move_token(Database& db, const std::string& token_hash);

// The latest token issued for one of `account_id`'s moves, live or not.
std::optional<MoveToken> latest_move_token(Database& db, std::int64_t account_id);

// Every token issued for `account_id`'s moves, live or not, newest first.
std::vector<MoveToken> move_tokens_of(Database& db, std::int64_t account_id);

// The move ended (or stalled): the token is no longer served.
void revoke_move_token(Database& db, const std::string& token_hash, Instant now);

// True when a target already fetched a part of one of this account's moves:
// data on the target may be Passage's own earlier import of this source.
bool move_parts_served(Database& db, std::int64_t account_id);

// What `served` recorded for one token: the manifest fetched, and per part
// the largest body sent in one answer.
struct MoveServed {
  bool manifest = false;
  std::vector<std::int64_t> part_bytes;  // by part number; 0: never sent
  std::int64_t total_bytes = 0;          // every body sent, repeats included
};

MoveServed move_served(Database& db, const std::string& token_hash, int parts);

// The `served` paths of the move routes, token masked.
inline constexpr std::string_view k_served_manifest = "/move/exports/*";
std::string served_part_path(int n);  // "/move/exports/data/*/<n>"

}  // namespace passage
