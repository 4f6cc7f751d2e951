#pragma once
// Archives kept for `archive` delivery are removed `export.archive_retention`
// after the space's deletion (DESIGN.md "Export"). Run by purge and nightly.

#include <string>

#include "engine/config/config.hpp"
#include "engine/store/store.hpp"

namespace passage {

// Removes <archive_dir>/<domain>/ of every PURGED account whose retention
// ended; journaled. Returns how many folders were removed.
int remove_expired_archives(const Config& config, Store& store, Instant now, const std::string& actor);

}  // namespace passage
