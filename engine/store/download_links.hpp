#pragma once
// The `download_links` and `served` tables (CONTRACT.md "Two servers"): a
// personal link is stored by the SHA-256 of its token only; `served`
// records what `passage serve --public` sent (its only writes). Plain
// functions over a Database, so the public server can use them without a
// Store (which migrates, a write it must not do).

#include <cstdint>
#include <optional>
#include <string>

#include "engine/env/time.hpp"
#include "engine/store/db.hpp"

namespace passage {

struct DownloadLink {
  std::string token_hash;  // SHA-256 hex of the token
  std::int64_t account_id = 0;
  std::string message_id;  // the notice that carried it
  Instant created_at;
  Instant expires_at;
};

void insert_download_link(Database& db, const DownloadLink& link);

// The link whose token hashes to `token_hash`, expired or not.
std::optional<DownloadLink> find_download_link(Database& db, const std::string& token_hash);

struct ServedRecord {
  Instant at;
  std::optional<std::int64_t> account_id;
  std::string token_hash;
  std::string path;  // the token masked: "/d/*", "/d/*/0"
  std::int64_t bytes = 0;
};

void record_served(Database& db, const ServedRecord& record);

}  // namespace passage
