// passage audit verify, plugins.

#include <ostream>

#include "engine/app/app.hpp"
#include "engine/store/journal.hpp"
#include "plugins/registry.hpp"

namespace passage {

int cmd_audit(AppContext& app) {
  if (app.word(1, "verify") != "verify") throw BadInput("usage: passage audit verify");
  app.config();
  AuditResult result = verify_journal(app.store().db());
  if (!result.ok) {
    app.err() << "passage: audit: journal broken at " << result.problem << '\n';
    return k_exit_audit_broken;
  }
  if (!app.line().quiet) app.out() << "journal verified: " << result.entries << " entries\n";
  return k_exit_done;
}

int cmd_plugins(AppContext& app) {
  for (const PluginInfo& plugin : plugin_table())
    app.out() << plugin.kind << "  " << plugin.name << "  " << plugin.description << '\n';
  return k_exit_done;
}

}  // namespace passage
