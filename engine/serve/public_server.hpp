#pragma once
// `passage serve --public` (CONTRACT.md "Two servers"): an HTTP/1.1 server
// on serve.public_listen answering with answer_public() (public_routes.hpp):
// personal download links and their parts, streamed from disk. It takes no
// writer lock; of the database it reads links and accounts and writes only
// the `served` table. One io_context, one coroutine per connection, a
// deadline on every read and write; SIGTERM and SIGINT stop it.

#include <filesystem>
#include <iosfwd>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"

namespace passage {

// Serves until SIGTERM or SIGINT. Prints "listening http://ADDRESS:PORT"
// on `out` once it accepts. Throws std::runtime_error when the database
// is missing or older than this passage, or the address cannot be bound.
void run_public_server(const Config& config, const ListenAddress& listen,
                       const std::filesystem::path& database, const Clock& clock, std::ostream& out,
                       std::ostream& err);

}  // namespace passage
