#include "engine/store/unsent_notices.hpp"

namespace passage {

std::vector<UnsentNotice> unsent_notices(Database& db, std::string_view kind) {
  auto statement = db.prepare(
      "SELECT account_id, key FROM intents WHERE kind = 'notice' AND substr(key, 1, ?) = ? "
      "AND (outcome IS NULL OR outcome LIKE 'failed:%') ORDER BY id");
  const std::string prefix = std::string(kind) + ".";
  statement.bind(1, static_cast<std::int64_t>(prefix.size())).bind(2, prefix);
  std::vector<UnsentNotice> notices;
  while (statement.step()) notices.push_back({statement.int_at(0), statement.text_at(1)});
  return notices;
}

}  // namespace passage
