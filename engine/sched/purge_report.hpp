#pragma once
// What one night's purge did, account by account (CONTRACT.md "Outputs",
// the purge report): the counts monitoring reads, and the lists the IT
// team and the support desk read (who was deleted, held and why, failed
// and why, left for the next nights).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/accounts/account.hpp"

namespace passage {

// One account in a purge report's lists.
struct PurgeListed {
  std::string login;
  std::string domain;
  std::string reason;  // why held, failed or unread; empty otherwise
};

// The lists, by result, in the order the report writes them. A dry run
// lists under "would_delete" what a real night lists under "deleted".
inline constexpr std::string_view k_purge_results[] = {
    "deleted", "would_delete", "already_gone", "held",      "failed",
    "deferred", "reexport",    "unreadable",   "not_yet"};

struct PurgeReport {
  int due = 0;
  int deleted = 0;
  int already_gone = 0;
  int held = 0;
  int reexport = 0;
  int unreadable = 0;   // stays PURGE_DUE, not counted by the breaker
  int delete_failed = 0;  // DELETE failed tonight: stays PURGE_DUE
  int deferred = 0;     // over max_per_run: next night
  int not_yet = 0;      // grace not ended by this purge's clock: a later night
  std::map<std::string, int> interlock_failures;
  bool directory_check = false;
  bool tripped = false;
  std::string reason;
  bool dry_run = false;  // decided only: nothing was changed
  bool stopped = false;  // a SIGINT or SIGTERM stopped it: the night is not done
  // Stacks whose last call got no answer, and the mail relay's likewise.
  std::vector<std::string> stacks_unreached;
  bool relay_unreached = false;
  // Local writes that failed tonight (an outbox mail on a full disk): each
  // names its path; the purge exits 7.
  std::vector<std::string> local_write_errors;
  // The accounts by result (one of k_purge_results), in decision order.
  std::map<std::string, std::vector<PurgeListed>, std::less<>> listed;

  // Lists `account` under `result` ("deleted" becomes "would_delete" in a
  // dry run). Counts are kept by the caller.
  void list(std::string_view result, const Account& account, const std::string& why = "");
};

// The purge report document (CONTRACT.md "Outputs"): the counts (a dry
// run's "deleted" is 0 and its "would_delete" what it would delete), and
// "accounts": {RESULT: [{"login", "domain", "reason"}]} with every result
// of k_purge_results present (empty lists included).
std::string purge_report_json(const PurgeReport& report);

}  // namespace passage
