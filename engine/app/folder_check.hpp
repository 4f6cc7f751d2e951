#pragma once
// `config check`'s look at the folders Passage writes into (issue 14): a
// night that cannot write its metrics, reports, archives or outbox finds
// out at 01:00 (exit 7); `config check` says so when the config is
// written. The metrics folder must exist (node_exporter's textfile folder
// is not Passage's to create); the others may be missing if their nearest
// existing parent takes writes (the commands create them).

#include <string>
#include <vector>

#include "engine/config/config.hpp"

namespace passage {

struct FolderFinding {
  bool ok = false;
  // "metrics.textfile: folder /x writable", or what is wrong, naming the
  // key and the path ("reports.dir: cannot write /x: Read-only file system").
  std::string line;
};

// One finding per folder, in the order metrics, reports, archive, outbox
// (the outbox only with the outbox notifier). Writes are proved by
// creating and removing a probe file (root passes mode checks, so modes
// prove nothing); the faults seam (metrics, report, part_file,
// outbox_mail) fails that probe as a full or read-only disk would.
std::vector<FolderFinding> check_folders(const Config& config);

}  // namespace passage
