#include "engine/serve/download_link.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "engine/serve/token.hpp"
#include "engine/store/download_links.hpp"

namespace passage {

namespace {

constexpr std::array<std::string_view, 5> k_link_notices = {
    "export_ready", "reexport", "move_fallback", "deletion_reminder", "deletion_date_changed"};

}  // namespace

LinkNeed download_link_need(const Account& account, std::string_view kind) {
  if (account.delivery != "archive" || account.evidence.kind != "export") return LinkNeed::none;
  if (std::find(k_link_notices.begin(), k_link_notices.end(), kind) != k_link_notices.end())
    return LinkNeed::required;
  return kind == "deletion_done" ? LinkNeed::optional : LinkNeed::none;
}

Instant download_link_expiry(const Account& account, const Config& config, Instant now) {
  Instant expiry = add_span(now, config.serve.link_ttl, config.zone);
  const std::optional<Instant> deletion = account.purged_at ? account.purged_at : account.grace_end;
  if (deletion)
    expiry = std::min(expiry, add_span(*deletion, config.export_.archive_retention, config.zone));
  return expiry;
}

IssuedLink issue_download_link(Database& db, const Config& config, const Account& account,
                               const std::string& message_id, Instant now) {
  if (!config.serve.public_url) throw std::logic_error("issue_download_link without serve.public_url");
  const std::string token = random_token();
  const Instant expires = download_link_expiry(account, config, now);
  insert_download_link(db, DownloadLink{token_hash(token), account.id, message_id, now, expires});
  return IssuedLink{*config.serve.public_url + "/d/" + token, expires};
}

}  // namespace passage
