#pragma once
// Injected failures, a test seam compiled into the real binary and off
// unless the environment asks for it (README "Reliability"; not for
// production):
//
//   PASSAGE_FAULTS="export_request:3,journal_write:1+:erofs"
//
// fails the 3rd export request and every SQLite commit from the 1st on of
// this process. An item is SITE:N (the N-th call only) or SITE:N+ (the N-th
// and every later one), optionally :enospc or :erofs for a local write
// (ENOSPC by default). PASSAGE_FAULTS_LOG=FILE appends "SITE N" for every
// call counted, so that a test can count a clean campaign's calls.
// Unset, each call below only reads a flag set once at start.

#include <optional>
#include <string>
#include <string_view>

namespace passage::faults {

enum class Site {
  // Remote side effects: an injected failure is a retryable failure before
  // anything is sent (the stack saw nothing).
  export_request,  // POST /instances/:d/export
  part_download,   // GET one part of an export
  import,          // POST /instances/:d/import
  block,           // PATCH ?Blocked=… (block and unblock)
  delete_,         // DELETE /instances/:d
  notice,          // a notice handed to the notifier (SMTP or outbox)
  // Local writes: an injected failure is the errno of a full disk or a
  // read-only file system.
  journal_write,   // the SQLite commit of a transaction (a step, its journal entry)
  part_file,       // a part streamed to disk
  report,          // a report or purge report
  outbox_mail,     // a mail written to the outbox
  metrics,         // the metrics textfile
  outbox_sync,     // a mail and its folder made durable (fdatasync, fsync)
};

const char* name_of(Site site);

// Reads PASSAGE_FAULTS and PASSAGE_FAULTS_LOG (main, once). A malformed
// value throws std::invalid_argument naming the variable and the item.
void load_from_environment();
// The same from values (unit tests): counts start again from zero; an empty
// spec and log turn the seam off.
void configure(const std::string& spec, const std::string& log_file);

// Counts one call of a remote side effect `site`; true when this call must fail.
bool fail(Site site);

// Counts one local write at `site`; the errno it must fail with, 0 if none.
int disk_error(Site site);

// "injected fault: export_request call 3": the reason of an injected failure.
std::string reason(Site site);

}  // namespace passage::faults
