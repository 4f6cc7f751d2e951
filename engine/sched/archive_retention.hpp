#pragma once
// Archives kept for `archive` delivery are removed `export.archive_retention`
// after the space's deletion (DESIGN.md "Export"). Run by purge and nightly.

#include <string>

#include "engine/config/config.hpp"
#include "engine/store/store.hpp"

namespace passage {

// Removes the archive of every PURGED account whose retention ended: its
// own folder <archive_dir>/<domain>/<account id>/ (never a sibling account's
// of the same domain), and its parts left directly in <archive_dir>/<domain>/
// by older versions; journaled. Removes nothing while the purge breaker is
// tripped (the night's list may be wrong). Returns how many accounts'
// archives were removed.
int remove_expired_archives(const Config& config, Store& store, Instant now, const std::string& actor);

}  // namespace passage
