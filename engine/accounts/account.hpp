#pragma once
// One account as the engine sees it: what the accounts file said, and where
// it stands in its lifecycle. Stored in the `accounts` table; the lifecycle
// (engine/lifecycle) is a pure function over this value.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "engine/accounts/accounts_file.hpp"
#include "engine/env/time.hpp"
#include "engine/lifecycle/state.hpp"

namespace passage {

// File contents an export carried that matched their metadata (size and
// MD5), summed over a part or over all parts (engine/archive/part_content.hpp).
struct ContentTotals {
  std::int64_t files = 0;
  std::int64_t file_bytes = 0;
  std::int64_t versions = 0;       // old versions of files
  std::int64_t version_bytes = 0;

  ContentTotals& operator+=(const ContentTotals& other);
};

// GET /instances/:domain/disk-usage: `files` and `versions` are the bytes an
// export carries when nobody writes meanwhile (COZY.md).
struct DiskUsage {
  std::int64_t used = 0;
  std::int64_t files = 0;
  std::int64_t versions = 0;
};

struct PartEvidence {
  int n = 0;
  std::int64_t bytes = 0;
  std::int64_t entries = 0;
  std::string sha256;
  ContentTotals content;
};

// What proves that a person's data is safely out: verified export parts,
// or a move the stack reports as finished.
struct Evidence {
  std::string kind;  // "export" or "moved"
  std::string export_id;
  std::vector<PartEvidence> parts;
  // An export's: what its parts carried, and the disk usage read just
  // before it was requested, which the file bytes must equal.
  ContentTotals content;
  std::optional<DiskUsage> usage;

  bool empty() const { return kind.empty(); }
};

std::string evidence_to_json(const Evidence& evidence);
std::string disk_usage_to_json(const DiskUsage& usage);
// For an export's evidence with the disk usage read before it: how its file
// and version bytes differ from that usage ("files 10 of 12 bytes ..."),
// nullopt when they are equal (or nothing can be compared).
std::optional<std::string> content_gap(const Evidence& evidence);
// Empty when the space's files and old versions are as they were before
// the export (`before`), else what changed: a write during the download.
std::optional<std::string> written_during_download(const DiskUsage& before, const DiskUsage& after);
// Empty when the space's files and old versions are as the evidence's disk
// usage (read before its export) says, or the evidence has none; else what
// changed since: files the evidence does not hold (a konnector, a sharing,
// a desktop client write without a login the last-activity date shows).
std::optional<std::string> files_changed_since(const Evidence& evidence, const DiskUsage& now);
// The activity_stale event's detail when the files changed (not the date).
inline constexpr std::string_view k_files_changed = "files_changed";
// The failure reason of a part or an export whose files are not all there.
inline constexpr std::string_view k_evidence_incomplete = "evidence_incomplete";
std::optional<DiskUsage> disk_usage_from_json(const std::string& text);
// nullopt when the text is not an evidence document.
std::optional<Evidence> evidence_from_json(const std::string& text);

struct Account {
  // From the accounts file.
  std::int64_t id = 0;
  std::int64_t campaign_id = 0;
  std::string login;
  std::string domain;
  Action action = Action::export_;
  std::string email;
  std::string target;
  std::string target_host;
  bool admin_move = false;
  date::year_month_day departure_date;
  std::string reason;
  std::string stack;

  // Lifecycle.
  std::int64_t version = 0;         // bumped by every commit (compare-and-set)
  State state = State::queued;
  std::optional<State> held_from;   // HELD: the state to go back to
  // HELD: every reason it is held for; each is lifted by its own mechanism
  // (release for support and interlock holds, a list that includes the
  // account again for "dropped_from_list").
  std::vector<std::string> hold_reasons;
  std::optional<State> retry_step;  // RETRY_WAIT: the state to retry
  std::string state_reason;         // why HELD, FAILED, RETRY_WAIT
  std::optional<Instant> due_at;    // the durable timer; none = no timer
  int attempts = 0;                 // failed attempts of the current step
  // The last export request for this instance (domain), by any account or
  // campaign, that may have been queued (derived from the intents).
  std::optional<Instant> last_export_request;
  // The space's disk usage read just before this account's export request:
  // what the export's files must add up to (kept until verified).
  std::optional<DiskUsage> usage_at_request;
  // The `queued_at` (stack time) of the job the last export request's 202
  // returned: an export event is this request's outcome when its document
  // was created at or after it.
  std::optional<Instant> export_queued_at;
  // The files an export's evidence lacked (one per line), until verified:
  // the same files missing on the next export too → FAILED.
  std::string incomplete_files;
  bool delete_in_flight = false;    // a DELETE intent without outcome (derived)
  // The block Passage itself put on the instance ("MOVING", "MOVED"), if
  // any, and since when: the lookup and the purge ignore Passage's own.
  std::string own_block;
  std::optional<Instant> own_block_since;
  std::optional<Instant> blocked_since;        // first seen MOVING/IMPORTING
  std::optional<Instant> move_deadline;        // user-driven move fallback
  bool fallback_export = false;     // a move that fell back to an export
  std::string delivery = "space";   // "space" or "archive"
  std::string export_id;
  std::string export_doc;           // the finished export document (JSON), until verified
  std::optional<Instant> export_completed_at;
  std::optional<Instant> verified_at;
  Evidence evidence;
  std::optional<Instant> grace_end;
  std::optional<date::year_month_day> told_deletion_date;
  std::optional<CalendarSpan> reminded;  // the last deletion reminder sent for grace_end
  std::optional<Instant> purged_at;
  std::string purge_kind;           // "deleted" or "already_gone"
  int reexports = 0;
  // Who asked for the latest export again: "support" (account reexport),
  // empty when activity after the export brought it (its notice says which).
  std::string reexport_requested_by;
};

}  // namespace passage
