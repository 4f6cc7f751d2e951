#include "engine/app/account_json.hpp"

#include <boost/json.hpp>

namespace passage {

namespace {

boost::json::value instant_or_null(const std::optional<Instant>& at) {
  if (!at) return nullptr;
  return boost::json::value(format_utc(*at));
}

boost::json::value evidence_json(const Evidence& evidence) {
  if (evidence.empty()) return nullptr;
  boost::json::array parts;
  for (const PartEvidence& part : evidence.parts)
    parts.push_back(boost::json::object{{"n", part.n}, {"bytes", part.bytes},
                                        {"entries", part.entries}, {"sha256", part.sha256}});
  return boost::json::object{{"kind", evidence.kind}, {"export_id", evidence.export_id}, {"parts", parts}};
}

}  // namespace

boost::json::object account_json(const Account& account, const Config& config) {
  boost::json::value deletion = nullptr;
  if (account.grace_end) deletion = format_date(local_date(*account.grace_end, config.zone));
  return boost::json::object{
      {"login", account.login},
      {"domain", account.domain},
      {"action", to_string(account.action)},
      {"state", std::string(to_string(account.state))},
      {"reason", account.state_reason},
      {"departure_date", format_date(account.departure_date)},
      {"verified_at", instant_or_null(account.verified_at)},
      {"deletion_date", deletion},
      {"purged_at", instant_or_null(account.purged_at)},
      {"purge_kind", account.purge_kind.empty() ? boost::json::value(nullptr) : boost::json::value(account.purge_kind)},
      {"evidence", evidence_json(account.evidence)},
  };
}

}  // namespace passage
