#include "plugins/registry.hpp"

#include "plugins/backends/cozy_admin.hpp"
#include "plugins/backends/dry_run.hpp"
#include "plugins/notifiers/outbox.hpp"
#include "plugins/notifiers/smtp.hpp"

namespace passage {

namespace {

using BackendFactory = std::unique_ptr<Backend> (*)(const BackendContext&);
using NotifierFactory = std::unique_ptr<Notifier> (*)(const NotifyConfig&, boost::asio::io_context&);
using DirectoryFactory = std::unique_ptr<Directory> (*)(const DirectoryConfig&);

struct BackendEntry {
  const char* name;
  const char* description;
  BackendFactory make;
};

struct NotifierEntry {
  const char* name;
  const char* description;
  NotifierFactory make;
};

struct DirectoryEntry {
  const char* name;
  const char* description;
  DirectoryFactory make;
};

std::unique_ptr<Notifier> make_outbox(const NotifyConfig& notify, boost::asio::io_context&) {
  return make_outbox_notifier(notify.dir);
}

constexpr BackendEntry k_backends[] = {
    {"cozy-admin", "the Cozy stack admin API (HTTP, realtime websocket, verified parts)",
     make_cozy_admin_backend},
    {"dry-run", "no network: seeded, deterministic simulated outcomes", make_dry_run_backend},
};

constexpr NotifierEntry k_notifiers[] = {
    {"outbox", "one .eml file per notice in notify.dir", make_outbox},
    {"smtp", "libcurl SMTP to notify.smtp_url (STARTTLS), rate-limited by notify.rate", make_smtp_notifier},
};

constexpr DirectoryEntry k_directories[] = {
    {"csv", "a login,status file (active|departed), read once per purge", make_csv_directory},
    {"ldap", "an LDAP search per login (libldap, LDAPv3, simple bind)", make_ldap_directory},
};

struct OtherEntry {
  const char* kind;
  const char* name;
  const char* description;
};

constexpr OtherEntry k_reporters[] = {
    {"reporter", "csv", "one row per account, evidence parts flattened"},
    {"reporter", "json", "one document per campaign"},
    {"reporter", "html", "a self-contained page for admins and the support desk"},
};

}  // namespace

std::vector<PluginInfo> plugin_table() {
  std::vector<PluginInfo> table;
  for (const auto& entry : k_backends) table.push_back({"backend", entry.name, entry.description});
  for (const auto& entry : k_notifiers) table.push_back({"notifier", entry.name, entry.description});
  for (const auto& entry : k_directories)
    table.push_back({"directory", entry.name, entry.description});
  for (const auto& entry : k_reporters) table.push_back({entry.kind, entry.name, entry.description});
  return table;
}

std::unique_ptr<Backend> make_backend(const std::string& name, const BackendContext& context) {
  for (const auto& entry : k_backends)
    if (name == entry.name) return entry.make(context);
  return nullptr;
}

std::unique_ptr<Notifier> make_notifier(const NotifyConfig& notify, boost::asio::io_context& io) {
  for (const auto& entry : k_notifiers)
    if (notify.notifier == entry.name) return entry.make(notify, io);
  return nullptr;
}

std::unique_ptr<Directory> make_directory(const std::optional<DirectoryConfig>& directory) {
  if (!directory) return nullptr;
  for (const auto& entry : k_directories)
    if (directory->provider == entry.name) return entry.make(*directory);
  return nullptr;
}

}  // namespace passage
