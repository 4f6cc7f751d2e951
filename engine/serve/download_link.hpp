#pragma once
// Personal, expiring download links of `archive` delivery (CONTRACT.md
// "Meaning of 'safely out'", "Two servers"): a new link with each notice
// that points to the archive, its URL <serve.public_url>/d/<token> put in
// that notice only; the database keeps the token's hash.

#include <string>
#include <string_view>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"
#include "engine/store/db.hpp"

namespace passage {

enum class LinkNeed {
  none,      // the notice has no link (space delivery, a move, another kind)
  optional,  // a link if serve.public_url is set (deletion_done: the space is gone anyway)
  required,  // without a link the notice must not go (it would send the person nowhere)
};

// With archive delivery and exported parts: export_ready, reexport,
// move_fallback, deletion_reminder and deletion_date_changed need a link,
// deletion_done takes one; nothing else does.
LinkNeed download_link_need(const Account& account, std::string_view kind);

// A link issued at `now` expires after serve.link_ttl, but never after the
// archive may be removed: export.archive_retention after the deletion (or
// after grace end, the earliest deletion, while the space is not deleted).
Instant download_link_expiry(const Account& account, const Config& config, Instant now);

struct IssuedLink {
  std::string url;  // holds the token: goes into the notice and nowhere else
  Instant expires_at;
};

// Makes a new random token, stores its hash for the account and returns
// the link. config.serve.public_url must be set.
IssuedLink issue_download_link(Database& db, const Config& config, const Account& account,
                               const std::string& message_id, Instant now);

}  // namespace passage
