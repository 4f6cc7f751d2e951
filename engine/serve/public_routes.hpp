#pragma once
// What `passage serve --public` answers, without the network (the Beast
// server in public_server.cpp carries it out): GET /d/<token> is the page
// of the link's archive, GET /d/<token>/<n> one part, streamed from its
// file. An unknown, expired or removed link, a part that is not there and
// any other path are the same 404; another method on /d/ is 405. The move
// routes (/move/exports/…) are in move_routes.hpp.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "engine/config/config.hpp"
#include "engine/store/db.hpp"

namespace passage {

struct PublicAnswer {
  int status = 404;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;                          // when no file
  std::optional<std::filesystem::path> file;  // a part, streamed from disk
  std::string download_name;                 // Content-Disposition: attachment; filename=…
  // For the `served` record (a link was used); the token is never kept.
  std::optional<std::int64_t> account_id;
  std::string token_hash;
  std::string served_path;  // the route with the token masked: "/d/*", "/d/*/0"
};

// GET /healthz answers 200 "ok": `run` checks that the public server
// answers at serve.public_url before it starts an admin-driven move.
inline constexpr std::string_view k_public_health_path = "/healthz";

// `target` is the request target as received ("/d/abc…?x" included).
PublicAnswer answer_public(Database& db, const Config& config, std::string_view method,
                           std::string_view target, Instant now);

}  // namespace passage
