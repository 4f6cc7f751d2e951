#include "engine/sched/purge_report.hpp"

#include <boost/json.hpp>

namespace passage {

void PurgeReport::list(std::string_view result, const Account& account, const std::string& why) {
  if (dry_run && result == "deleted") result = "would_delete";
  listed[std::string(result)].push_back(PurgeListed{account.login, account.domain, why});
}

namespace {

boost::json::object accounts_json(const PurgeReport& report) {
  boost::json::object lists;
  for (std::string_view result : k_purge_results) {
    boost::json::array entries;
    if (auto it = report.listed.find(result); it != report.listed.end())
      for (const PurgeListed& one : it->second) {
        boost::json::object entry{{"login", one.login}, {"domain", one.domain}};
        if (!one.reason.empty()) entry["reason"] = one.reason;
        entries.push_back(std::move(entry));
      }
    lists[result] = std::move(entries);
  }
  return lists;
}

}  // namespace

std::string purge_report_json(const PurgeReport& report) {
  boost::json::object failures;
  for (const auto& [name, count] : report.interlock_failures) failures[name] = count;
  boost::json::object document{
      {"due", report.due},
      // A dry run deletes nothing: its count is what it would delete.
      {"deleted", report.dry_run ? 0 : report.deleted},
      {"would_delete", report.dry_run ? report.deleted : 0},
      {"already_gone", report.already_gone},
      {"held", report.held},
      {"reexport", report.reexport},
      {"unreadable", report.unreadable},
      {"delete_failed", report.delete_failed},
      {"deferred", report.deferred},
      {"interlock_failures", failures},
      {"directory_check", report.directory_check ? "on" : "off"},
      {"breaker", boost::json::object{{"tripped", report.tripped}, {"reason", report.reason}}},
      {"dry_run", report.dry_run},
      {"stopped_by_signal", report.stopped},
      {"stacks_not_answering", boost::json::value_from(report.stacks_unreached)},
      {"relay_answering", !report.relay_unreached},
      {"accounts", accounts_json(report)},
  };
  return boost::json::serialize(document) + "\n";
}

}  // namespace passage
