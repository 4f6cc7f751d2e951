#pragma once
// A mail the person received, as the support desk shows it (issue 13): the
// outbox's own file when the notifier is the outbox (exactly what was
// sent), else the template rendered again as of the day it was sent, for
// the deletion date its Message-ID names (the personal link is not kept:
// a placeholder stands for it). A personal link's token is never shown: it
// opens the person's archive. Pure but for reading the outbox file.

#include <optional>
#include <string>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"
#include "engine/env/time.hpp"

namespace passage {

struct MailPreview {
  std::string message_id;
  std::string to;
  std::string subject;
  std::string body;
  bool exact = false;  // read back from the outbox (personal link tokens hidden)
  std::string note;    // how it may differ from what was sent
};

// The mail `message_id` (one of `account`'s notices, queued at `created_at`).
// nullopt when it can be neither read nor rendered (`why` says which).
std::optional<MailPreview> preview_mail(const Config& config, const Account& account, const std::string& message_id,
                                        Instant created_at, std::string& why);

// The parts of a message the outbox wrote (RFC 5322, base64 UTF-8 body and
// an RFC 2047 subject); nullopt when it is not one.
std::optional<MailPreview> parse_outbox_message(const std::string& text);

}  // namespace passage
