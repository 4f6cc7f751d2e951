#pragma once
// `passage serve` (CONTRACT.md "Two servers", "Desk login"): the support
// desk page on serve.listen, answering with DeskRoutes (desk_routes.hpp).
// Same shape as the public server: one io_context, one coroutine per
// connection, a deadline on every read and write; SIGTERM and SIGINT stop
// it. No lock: each action is one short transaction, so the desk works
// while a run or the nightly holds the lock.

#include <filesystem>
#include <iosfwd>
#include <string>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/serve/desk_agents.hpp"

namespace passage {

// The shared desk token: the file serve.token_file names (its first line),
// else the variable serve.token_env names (PASSAGE_SERVE_TOKEN when not
// set). Throws std::runtime_error when there is none or it is empty: the
// desk never starts without a token.
std::string desk_token(const ServeConfig& serve);

// Serves until SIGTERM or SIGINT. Prints "listening http://ADDRESS:PORT"
// on `out` once it accepts, then one line per login and action (never a
// token). Throws std::runtime_error when the address cannot be bound.
void run_desk_server(const Config& config, const ListenAddress& listen, const std::filesystem::path& database,
                     const Clock& clock, const DeskCredentials& credentials, std::ostream& out,
                     std::ostream& err);

}  // namespace passage
