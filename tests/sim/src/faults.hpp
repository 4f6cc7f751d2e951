#pragma once
// The fault set: what goes wrong, and how often. Same JSON for --faults,
// GET and PUT /_sim/faults (a PUT replaces the whole set). Everything
// defaults to zero: no fault.
#include <cstdint>
#include <optional>
#include <string>

namespace sim {

struct Faults {
  struct Latency {
    std::int64_t min = 0, max = 0;
    double rate = 1;
  };
  struct Stall {
    double rate = 0;
    std::int64_t ms = 0;
  };
  struct Throttle {
    int status = 429;
    double rate = 0;
    std::optional<std::int64_t> retry_after_s;
  };
  Latency latency_ms;
  double http_5xx = 0;
  double reset_before = 0;
  double reset_after = 0;
  Stall stall_ms;
  // Like stall_ms, for export part downloads only: a slow archive route
  // beside fast API calls.
  Stall part_stall_ms;
  double truncate_part = 0;
  double part_missing_entries = 0;
  // Share of a space's files and old versions whose content the stack
  // cannot open (copyFiles, copyVersions: `continue` after the metadata).
  // Drawn per instance and file, not per request: the same files are
  // missing from every part that holds them, on every export and route,
  // as an unreadable file is; a file skipped at a rate is skipped at any
  // higher rate.
  double skip_file_content = 0;
  // Per part download holding files: one of them is written between its
  // metadata and its content. The stack stores each content as its own
  // object and removes the old one, so copyFiles cannot open it: the part
  // holds its old metadata without content; the edit stays (later
  // downloads and disk-usage see the new file).
  double edit_during_download = 0;
  // Per part download: just before the part lists its files, one file of
  // the space is created, destroyed, moved or renamed (drawn evenly), by a
  // konnector or a sharing (no activity); `_by_person`: by the person
  // (last-activity becomes today). The change stays.
  double files_change = 0;
  double files_change_by_person = 0;
  double ws_drop_every_s = 0;
  double export_silent_fail = 0;
  double export_error = 0;
  double export_never_finish = 0;
  double delete_stuck = 0;
  // Per DELETE: Destroy fails after it cleared `deleting`, removing the
  // databases or the files: the instance stays, half deleted, flag off.
  double delete_half = 0;
  // Per DELETE: the connection is held `ms` without an answer while the
  // deletion goes on behind it (lifecycle.Destroy reads no context: a
  // client that gives up does not stop it).
  Stall delete_hang;
  double import_never_finish = 0;
  Throttle throttle;
  double max_rps = 0;  // 0: no ceiling
  // The stack's global database is missing: every instance route answers
  // 404 and GET /instances/count answers 0 (web/instances countHandler).
  bool global_db_missing = false;
};

// Parses and validates; unknown keys, wrong types and rates outside 0..1
// are errors (the message names the key).
std::optional<Faults> parse_faults(const std::string& json, std::string& error);
std::string faults_to_json(const Faults& faults);

}  // namespace sim
