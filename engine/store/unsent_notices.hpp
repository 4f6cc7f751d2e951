#pragma once
// Notices to send again: a deletion_done whose sending failed (the relay
// down that night) or was cut short by a crash. The purge sends each again
// with the same Message-ID (CONTRACT.md: reused on retry) until the relay
// takes it or refuses it for good.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store/db.hpp"

namespace passage {

struct UnsentNotice {
  std::int64_t account_id = 0;
  std::string message_id;
};

// The notices whose Message-ID starts with `kind` + "." and whose intent is
// still open or ended "failed: …" (never "sent" nor "refused: …"), oldest
// first.
std::vector<UnsentNotice> unsent_notices(Database& db, std::string_view kind);

}  // namespace passage
