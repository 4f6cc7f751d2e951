// The shared context of a command: config, clock, store, actors, lock.

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>

#include "engine/app/app.hpp"
#include "engine/app/lock.hpp"
#include "engine/store/schema.hpp"

namespace passage {

namespace {

// CONTRACT.md "Secrets by command": only the commands that talk to the
// stacks or the directory read the secrets (config check for its
// reachability test); the support desk, reports and serve never need them,
// except `account grant-access`, which opens a space on its stack.
bool needs_secrets(const CommandLine& line) {
  if (line.words.empty()) return false;
  const std::string& command = line.words[0];
  // account grant-access opens a space on its stack (issue 13).
  if (command == "account") return line.words.size() > 1 && line.words[1] == "grant-access";
  return command == "run" || command == "purge" || command == "nightly" || command == "plan" ||
         command == "config";
}

}  // namespace

AppContext::AppContext(CommandLine line, std::ostream& out, std::ostream& err)
    : m_line(std::move(line)), m_out(out), m_err(err) {}

std::string AppContext::config_file() const {
  std::string file = m_line.config.value_or("");
  if (!file.empty()) return file;
  const char* from_env = std::getenv("PASSAGE_CONFIG");
  return from_env ? from_env : "/etc/passage/passage.yaml";
}

const Config& AppContext::config() {
  if (m_config) return *m_config;
  ConfigResult result = load_config(config_file());
  if (!result.config) throw BadInputLines(result.errors);
  if (needs_secrets(m_line)) {
    std::vector<std::string> errors = resolve_secrets(*result.config);
    if (!errors.empty()) throw BadInputLines(errors);
  }
  m_config = std::move(result.config);
  return *m_config;
}

const Clock& AppContext::clock() {
  if (m_clock) return *m_clock;
  if (!m_line.now) {
    m_clock = std::make_unique<RunningClock>();
    return *m_clock;
  }
  auto start = parse_iso_instant(*m_line.now, config().zone);
  if (!start) throw BadInput("--now: '" + *m_line.now + "' is not an ISO 8601 date or date-time");
  m_clock = std::make_unique<RunningClock>(*start);
  return *m_clock;
}

std::filesystem::path AppContext::database_path() {
  if (m_line.db) return std::filesystem::absolute(*m_line.db);
  return config().database;
}

Store& AppContext::store() {
  if (m_store) return *m_store;
  std::filesystem::path path = database_path();
  if (m_line.dry_run) return open_read_only(path);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  m_store = std::make_unique<Store>(path);
  return *m_store;
}

// A dry run creates nothing and migrates nothing: the database must exist
// and already have this passage's schema.
Store& AppContext::open_read_only(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw BadInput("--dry-run: no database at " + path.string() + " (a dry run creates nothing)");
  auto store = std::make_unique<Store>(path, OpenMode::read_only);
  int version = store->db().user_version();
  if (version < latest_schema_version())
    throw BadInput("--dry-run: database " + path.string() + " has schema version " +
                   std::to_string(version) + ", this passage needs " +
                   std::to_string(latest_schema_version()) +
                   ": a command without --dry-run (e.g. passage status) must migrate it first");
  m_store = std::move(store);
  return *m_store;
}

std::string AppContext::admin_actor() const {
  if (m_line.by) return support_actor();
  const passwd* user = getpwuid(getuid());
  return std::string("admin:") + (user ? user->pw_name : std::to_string(getuid()));
}

std::string AppContext::support_actor() const {
  if (!m_line.by || m_line.by->empty()) throw BadInput("--by NAME is required (who does this)");
  const std::string& by = *m_line.by;
  if (by.rfind("admin:", 0) == 0 || by.rfind("support:", 0) == 0) return by;
  return "support:" + by;
}

const std::string& AppContext::word(std::size_t index, const char* what) const {
  if (index >= m_line.words.size())
    throw BadInput(std::string("missing ") + what + " (see passage " +
                   (m_line.words.empty() ? "" : m_line.words[0] + " ") + "--help)");
  return m_line.words[index];
}

std::shared_ptr<DatabaseLock> take_writer_lock(AppContext& app, const std::string& command) {
  // A dry run checks its database before making the lock file beside it.
  if (app.line().dry_run) app.store();
  std::filesystem::path db = app.database_path();
  if (db.has_parent_path()) std::filesystem::create_directories(db.parent_path());
  LockAttempt attempt = try_lock_database(db, command, app.clock().now());
  if (!attempt.lock)
    throw LockedError("database " + db.string() + " is locked by " + attempt.holder);
  return std::make_shared<DatabaseLock>(std::move(*attempt.lock));
}

}  // namespace passage
