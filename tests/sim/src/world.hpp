#pragma once
// The stack's state: instances (derived, materialised lazily on first
// change), their exports, deletions, imports and the people's behaviour.
// Single-threaded: everything runs on the event loop.
#include "export_layout.hpp"
#include "faults.hpp"
#include "file_changes.hpp"
#include "hash.hpp"
#include "options.hpp"
#include "part_restore.hpp"
#include "population.hpp"
#include "runtime.hpp"
#include "sim_time.hpp"
#include "stats.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <array>
#include <unordered_map>
#include <vector>

namespace sim {

struct ExportDoc {
  std::string id;
  std::uint32_t rev = 1;
  std::string state = "exporting";  // exporting, done, error
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  std::int64_t total_size = -1;     // once done: bytes of part 0's JSON documents (json_documents_size)
  std::string instance_json;        // once done: the instance document the job wrote into part 0's archive
  PartPlan plan;  // parts_size, parts_cursors, and what each part declares
  std::string error;
  bool admin_req = true;
  bool events_lost = false;  // export_silent_fail: no event of it reaches the socket
  std::vector<bool> parts_read;
  bool fully_read = false;
  std::uint64_t content_rev = 0;  // the space's content_rev when the job packed it
};

// A person's own move away, on the source (cozy-stack `StartMove`, then
// `Finalize` called by the target). See README.md, People.
enum class MovePhase : std::uint8_t {
  none,       // not a mover, or not invited yet
  invited,    // waiting for the go
  going,      // gone: the move's export is queued, running or done; the target finalizes at the end
  moved,      // finalized: `moved`, unblocked; the manager deletes the source 30 days later
  prevented,  // the source refused the move's routes (blocked, not MOVING or IMPORTING) at the go or the end
  aborting,   // its done export of several parts was replaced: the target's import fails, aborts at the end
  broken,     // its export was replaced by another one, or refused because another was running
  failed,     // its export ended in error (the target aborts), or is gone
};

// An instance's databases as `_all_dbs` lists them (alphabetical: every
// name escaped alike, '.' as '-'), the order couchdb.DeleteAllDBs removes
// them in. What the admin routes read: disk-usage io.cozy.files and
// io.cozy.files.versions (FilesUsage, VersionsUsage, DBStatus),
// last-activity io.cozy.sessions.logins and io.cozy.oauth.clients (a
// missing io.cozy.sessions is tolerated), an export io.cozy.files. The
// export documents live in the global database (GlobalPrefixer), not here.
inline constexpr std::array<std::string_view, 16> k_instance_databases = {
    "io.cozy.accounts",      "io.cozy.apps",           "io.cozy.contacts",    "io.cozy.files",
    "io.cozy.files.versions", "io.cozy.jobs",          "io.cozy.konnectors",  "io.cozy.notifications",
    "io.cozy.oauth.clients", "io.cozy.permissions",    "io.cozy.sessions",    "io.cozy.sessions.logins",
    "io.cozy.settings",      "io.cozy.shared",         "io.cozy.sharings",    "io.cozy.triggers"};

struct InstanceState {
  bool deleted = false;
  bool blocked = false;
  bool deleting = false;
  bool deleting_now = false;  // a DELETE is being processed
  // Its clean-up is over and `deleting` cleared: the databases and files
  // are being removed (lifecycle.Destroy), the instance still answers.
  bool delete_tail = false;
  bool delete_cleanup_failed = false;  // delete_stuck: the DELETE ends in a 500, `deleting` left set
  std::chrono::steady_clock::time_point delete_ends;  // real time the DELETE being processed ends
  std::uint32_t delete_runs = 0;  // DELETEs started: a clean-up timer ends only its own
  // A DELETE failed after clearing `deleting` (delete_half): the instance
  // document stays, without the flag, and so do its databases from
  // `dbs_removed` on (alphabetical order, k_instance_databases) and its
  // files (VFS().Delete() runs only after every database is gone).
  bool half_deleted = false;
  std::uint32_t dbs_removed = 0;
  std::uint32_t half_runs = 0;  // half deletions so far: each draws its stop anew
  std::chrono::steady_clock::time_point tail_from;  // real time `deleting` cleared (delete_tail)
  // The removal under way fails (delete_half, drawn when it starts) after
  // `tail_stop` databases; without failure tail_stop is all of them.
  bool tail_fails = false;
  std::uint32_t tail_stop = 0;
  FileChanges files;  // files changed since the space was generated (world_edits.cpp)
  // The person's own counter (limits.ExportType): their exports,
  // /move/initialize and /move/authorize; 5 per 24 h from the first hit.
  std::int64_t person_hits_from_ms = 0;
  std::uint32_t person_hits = 0;
  std::string blocking_reason;
  std::optional<std::string> locale;
  std::optional<std::int64_t> quota;
  std::optional<ContentUsage> imported;  // what imports restored since the last wipe
  std::optional<std::int64_t> activity_day;
  std::optional<std::int64_t> invited_ms;
  MovePhase move = MovePhase::none;
  std::int64_t move_go_ms = 0;   // sim time of the go: the move's export is created then
  std::int64_t move_end_ms = 0;  // sim time the target finalizes (once the export is done)
  std::string move_export_id;    // the move's export document, once its job created it
  bool move_end_reached = false; // the end came while the export was still running
  bool move_export_replaced = false;  // its done, single-part export was replaced: the target finalizes anyway
  std::optional<std::int64_t> last_export_request_ms;
  std::unique_ptr<ExportDoc> current_export;
  // Exports a later one replaced, in any state: their documents stay, their
  // archive is gone (CleanPreviousExports). Unexpired ones only.
  std::vector<ExportDoc> replaced_exports;
  bool last_done_export_read = false;  // the latest finished export was read whole, or held what one read whole did
  std::uint64_t content_rev = 0;       // bumped by every change of the space's files, and an import's wipe
  std::optional<std::uint64_t> read_content_rev;  // the content_rev an export read whole packed
  bool activity_bumped = false;
  std::uint32_t rev = 1;
};

// What an instance looks like right now: derived facts plus changes.
struct InstanceView {
  std::uint32_t index = 0;
  std::string domain;
  Profile profile;
  bool blocked = false;
  std::string blocking_reason;
  bool deleting = false;
  bool moved = false;
  std::string locale;
  std::int64_t quota = 0;
  std::int64_t used = 0;  // declared; files + versions once imported
  std::optional<ContentUsage> imported;
  std::uint32_t rev = 1;
};

// An import job between its steps.
struct ImportJob {
  std::string manifest_url;
  std::vector<std::string> cursors;  // the manifest's parts_cursors
  std::size_t part = 0;              // the part to fetch next
  bool failed = false;               // a part after the first failed
  FolderIndex folders;               // what the wiped target holds so far
  std::string part_url() const;
};

class World {
public:
  World(const SimOptions& options, Population population, SimClock& clock, Stats& stats, Runtime& runtime,
        const Faults& faults);

  std::int64_t now_ms() const { return m_clock.now_ms(); }
  std::uint32_t live_count() const { return m_population.size() - m_deleted; }
  std::uint32_t population_size() const { return m_population.size(); }
  // A live (not deleted) instance.
  std::optional<std::uint32_t> find(std::string_view domain) const;
  bool is_live(std::uint32_t index) const;
  InstanceView view(std::uint32_t index) const;
  // The first admin GET of an instance invites its person to move.
  void note_admin_get(std::uint32_t index);
  // Runs the people's move steps (go, finalize, the manager's deletion) that
  // are due by the sim clock, in time order. Called before every request,
  // after every clock change and by a periodic tick, so a clock jump still
  // yields each step, and its export events, in order.
  void settle();
  // Starts the periodic tick (every 100 ms real) that settles due steps.
  void start_ticking();
  std::string last_activity(std::uint32_t index) const;

  struct Patch {
    std::optional<bool> blocked;
    std::optional<std::string> blocking_reason;
    std::optional<std::int64_t> disk_quota;
    std::optional<std::string> locale;
    std::optional<bool> deleting;
  };
  void patch(std::uint32_t index, const Patch& p);

  // Who asked for an export: the admin API, or the person from their
  // settings (/_sim/user-export). Only the admin API's requests count in
  // duplicate_exports_24h; both obey the stack's 24-hour conflict rule.
  // A person's move exports the source too (`move`: admin-req=false, no
  // mail on success, the target is told instead).
  enum class ExportOrigin { admin_api, person, move };
  // Queues an export job; returns the job's id.
  std::string request_export(std::uint32_t index, bool admin_req, ExportOrigin origin);
  const ExportDoc* current_export(std::uint32_t index) const;
  std::optional<std::uint32_t> export_owner(const std::string& export_id) const;
  // An unexpired export of the instance (any state) that a later export
  // replaced: its parts still answer (part 0 without its archive), as on the stack.
  const ExportDoc* replaced_export(std::uint32_t index, const std::string& id) const;
  // A replaced export of any live instance by its id (the public move
  // routes find it as cozy-stack's GetExport finds its document); sets `index`.
  const ExportDoc* replaced_export_by_id(const std::string& id, std::uint32_t& index) const;
  // Records that part `part` of export `id` was (or was not) read whole.
  void part_read(std::uint32_t index, const std::string& id, std::size_t part, bool whole);

  // A DELETE that takes `delay_ms` (real): `deleting` is set for the
  // clean-up (--delete-cleanup-share of it), then cleared while the
  // databases and files go. During that end (`during_tail`) the flag no
  // longer refuses a DELETE: the stack runs a second Destroy.
  enum class DeleteStart { started, already_requested, during_tail };
  DeleteStart begin_delete(std::uint32_t index, std::int64_t delay_ms);
  // Real milliseconds until the DELETE being processed ends (0 when none).
  std::int64_t delete_remaining_ms(std::uint32_t index) const;
  // A DELETE is being processed (its finish_delete not run yet).
  bool delete_running(std::uint32_t index) const;
  // How a DELETE ends after its real-time work (lifecycle.Destroy):
  // deleted; stuck in the konnector clean-up (`deleting` stays set); or
  // half done, failing once the flag was cleared, while removing the
  // databases and files (the instance stays, flag off: half_deleted).
  enum class DeleteEnd { deleted, stuck, half };
  DeleteEnd finish_delete(std::uint32_t index);
  // Its databases and files are gone but its document stays
  // (DeleteEnd::half), or are being removed (the end of a DELETE).
  bool half_deleted(std::uint32_t index) const;
  // The instance's database of `doctype` was removed by a Destroy (half
  // done, or removing them now), as couchdb.DeleteAllDBs goes: one by one in
  // _all_dbs order, stopping at the first error.
  bool database_gone(std::uint32_t index, std::string_view doctype) const;
  // Databases removed so far, in k_instance_databases order; all of them
  // (k_instance_databases.size()) when only VFS().Delete() failed.
  std::uint32_t databases_removed(std::uint32_t index) const;

  void request_import(std::uint32_t index, const std::string& manifest_url);

  // Counts `hits` on the person's own rate limit (cozy-stack's ExportType
  // counter: 5 per 24 h of sim time from the first hit, counted even when
  // refused); false when over it (the stack answers 404).
  bool person_hit(std::uint32_t index, std::uint32_t hits);

  // Files changed after an export (world_edits.cpp): `count` files of the
  // space, drawn among all its current files (not its old versions), are
  // rewritten, destroyed (with their old versions), moved to another folder
  // or renamed; or `count` new files are created. Returns them as they are
  // now (a destroyed one as it was). `activity`: the person did it,
  // last-activity becomes today.
  enum class FileOp { rewrite, rewrite_same, create, destroy, move, rename };
  std::vector<SpaceFile> change_files(std::uint32_t index, FileOp op, std::size_t count, bool activity);
  // Writes the file `id` of the space (edit_during_download).
  enum class EditOutcome {
    no_such_file,
    content_replaced,  // the old content is gone (no version kept)
    content_kept,      // the old content stays, as an old version
  };
  EditOutcome edit_file(std::uint32_t index, const std::string& id);
  // Whether the space keeps old versions when its files are rewritten.
  bool keeps_versions(std::uint32_t index) const;
  // The space's changed files, or null when none was.
  const FileChanges* file_changes(std::uint32_t index) const;

  Rng& rng() { return m_rng; }
  const SimOptions& options() const { return m_options; }
  const Faults& faults() const { return m_faults; }
  std::string domain(std::uint32_t index) const { return m_population.domain(index); }
  Profile profile(std::uint32_t index) const;
  std::string instance_json(std::uint32_t index) const;

private:
  InstanceState& touch(std::uint32_t index);
  const InstanceState* state(std::uint32_t index) const;
  // Moves (world_moves.cpp).
  enum class MoveStepKind : std::uint8_t { go, finalize, manager_delete };
  struct MoveStep {
    std::uint32_t index = 0;
    MoveStepKind kind = MoveStepKind::go;
  };
  std::optional<Range> move_delay_range(const Profile& p) const;
  void run_move_step(const MoveStep& step);
  void move_go(std::uint32_t index, InstanceState& s);
  void move_finalize_due(std::uint32_t index, InstanceState& s);
  void move_export_ended(std::uint32_t index, InstanceState& s);
  void move_export_replaced(InstanceState& s);
  void abort_move(std::uint32_t index, InstanceState& s);
  void finalize_move(std::uint32_t index, InstanceState& s);
  void manager_delete(std::uint32_t index, InstanceState& s);
  // The end of a DELETE's clean-up: `deleting` cleared, the removal begins.
  void delete_cleanup_done(std::uint32_t index, std::uint32_t run);
  void tick();
  struct QueuedExport {
    std::uint32_t index = 0;
    bool admin_req = true;
    ExportOrigin origin = ExportOrigin::admin_api;
  };
  void run_export(const QueuedExport& job);
  std::unique_ptr<ExportDoc> new_export_doc(std::uint32_t index, bool admin_req);
  void publish_export(const char* event, std::uint32_t index, const ExportDoc& e);
  // The instance document changed (its `rev` bumped) or was deleted: an
  // `instances` event on the realtime socket.
  void publish_instance(const char* event, std::uint32_t index);
  void start_next_export();
  void release_export_worker();
  void finish_export(std::uint32_t index, std::string id, const QueuedExport& job);
  void draw_removal_end(std::uint32_t index, InstanceState& s);
  void drop_export(InstanceState& s);
  void retire_export(InstanceState& s);
  void start_import(std::uint32_t index, const std::string& manifest_url);
  void import_fetched(std::uint32_t index, ImportJob job, FetchResult manifest);
  void wipe_for_import(std::uint32_t index);
  void import_part(std::uint32_t index, ImportJob job);
  void part_fetched(std::uint32_t index, ImportJob job, FetchResult part);
  void import_end(std::uint32_t index, bool ok);
  // The space's files now (world_edits.cpp), and one change to `file`.
  std::vector<SpaceFile> current_files(std::uint32_t index) const;
  // In a space that keeps versions, a rewrite may keep the old content
  // (keep_old_version); `kept`, when given, says whether it did.
  SpaceFile change_file(std::uint32_t index, InstanceState& s, const SpaceFile& file, FileOp op, bool* kept = nullptr);
  // The ids of the old versions of `file_id` the space was generated with, still there.
  std::vector<std::string> generated_versions(std::uint32_t index, const std::string& file_id) const;
  SpaceFile create_file(std::uint32_t index, InstanceState& s);
  // The export's parts, cut over the space as it is at its creation.
  void plan_export_doc(std::uint32_t index, ExportDoc& doc) const;

  SimOptions m_options;
  Population m_population;
  SimClock& m_clock;
  Stats& m_stats;
  Runtime& m_runtime;
  const Faults& m_faults;
  Rng m_rng;
  std::int64_t m_start_day;
  std::uint32_t m_deleted = 0;
  std::uint64_t m_sequence = 0;
  std::unordered_map<std::uint32_t, InstanceState> m_states;
  std::unordered_map<std::string, std::uint32_t> m_export_owner;
  std::deque<QueuedExport> m_export_queue;
  std::multimap<std::int64_t, MoveStep> m_move_steps;  // by due sim time; equal times in insertion order
  std::uint32_t m_exports_running = 0;
};

}  // namespace sim
