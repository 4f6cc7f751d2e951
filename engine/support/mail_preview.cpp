#include "engine/support/mail_preview.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#include <boost/beast/core/detail/base64.hpp>

#include "engine/notices/notices.hpp"
#include "engine/support/say.hpp"

namespace passage {

namespace {

constexpr std::size_t k_largest_message = 1024 * 1024;

std::string base64_decoded(std::string_view text) {
  namespace b64 = boost::beast::detail::base64;
  std::string compact;
  for (char c : text)
    if (c != '\r' && c != '\n' && c != ' ') compact += c;
  std::string decoded(b64::decoded_size(compact.size()), '\0');
  decoded.resize(b64::decode(decoded.data(), compact.data(), compact.size()).first);
  return decoded;
}

// "=?UTF-8?B?…?=" as the outbox writes subjects; anything else as it is.
std::string decoded_subject(std::string_view value) {
  constexpr std::string_view prefix = "=?UTF-8?B?";
  if (!value.starts_with(prefix) || !value.ends_with("?=")) return std::string(value);
  return base64_decoded(value.substr(prefix.size(), value.size() - prefix.size() - 2));
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

std::optional<std::string> read_small_file(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
  if (std::filesystem::file_size(file, error) > k_largest_message || error) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return text.str();
}

// "deletion_reminder-168h.jdupont.example.a7.20270115@passage" →
// kind "deletion_reminder", date 2027-01-15.
struct MessageKey {
  std::string kind;
  date::year_month_day deletion_date;
};

std::optional<MessageKey> message_key(const std::string& message_id) {
  const auto at = message_id.rfind('@');
  const auto dot = message_id.rfind('.', at);
  if (at == std::string::npos || dot == std::string::npos || at - dot != 9) return std::nullopt;
  const std::string stamp = message_id.substr(dot + 1, 8);
  auto day = parse_iso_date(stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2));
  if (!day) return std::nullopt;
  std::string kind = message_id.substr(0, std::min(message_id.find('.'), message_id.find('-')));
  return MessageKey{kind, *day};
}

std::optional<MailPreview> rendered_again(const Config& config, const Account& account, const std::string& message_id,
                                          Instant created_at, std::string& why) {
  auto key = message_key(message_id);
  if (!key) {
    why = say(config.notify.language, "le Message-ID " + message_id + " ne nomme ni type de message ni date",
              "the Message-ID " + message_id + " names no notice kind and date");
    return std::nullopt;
  }
  Account as_told = account;
  as_told.grace_end = local_midnight(key->deletion_date, config.zone);
  NoticeExtras extras = export_link_extras(account);
  const bool french = config.notify.language == "fr";
  if (account.delivery == "archive") extras.download_url = french ? "[lien personnel]" : "[personal link]";
  try {
    Notice notice = render_notice(key->kind, as_told, config, created_at, extras);
    MailPreview preview{message_id, notice.to, notice.subject, notice.body, false, {}};
    const std::string& lang = config.notify.language;
    preview.note = config.notify.notifier == "outbox"
                       ? say(lang, "Plus dans la boîte d'envoi : rendu de nouveau avec les modèles d'aujourd'hui",
                             "Not in the outbox any more: rendered again from today's templates")
                       : say(lang, "Rendu de nouveau avec les modèles d'aujourd'hui, à la date de sa mise en file ; le "
                                   "serveur de courrier garde ce qui a été envoyé",
                             "Rendered again from today's templates as of the day it was queued; the mail server "
                             "keeps what was sent");
    if (extras.download_url) preview.note += say(lang, " (le lien personnel n'est pas conservé)",
                                                 " (the personal link is not kept)");
    return preview;
  } catch (const std::exception& error) {
    why = error.what();
    return std::nullopt;
  }
}

// A personal download link opens the person's archive: the desk shows
// where it pointed, never the token.
std::string without_link_tokens(const std::string& body, bool& hidden) {
  static const std::regex token(R"((/d/)[A-Za-z0-9_-]{16,})");
  std::string masked = std::regex_replace(body, token, "$1[…]");
  hidden = masked != body;
  return masked;
}

}  // namespace

std::optional<MailPreview> parse_outbox_message(const std::string& text) {
  const auto blank = text.find("\r\n\r\n");
  if (blank == std::string::npos) return std::nullopt;
  MailPreview preview;
  std::istringstream headers(text.substr(0, blank));
  bool base64 = false;
  for (std::string line; std::getline(headers, line);) {
    line = trimmed(line);
    if (line.starts_with("To: ")) preview.to = line.substr(4);
    else if (line.starts_with("Subject: ")) preview.subject = decoded_subject(line.substr(9));
    else if (line.starts_with("Message-ID: <") && line.ends_with(">")) preview.message_id = line.substr(13, line.size() - 14);
    else if (line == "Content-Transfer-Encoding: base64") base64 = true;
  }
  const std::string body = text.substr(blank + 4);
  preview.body = base64 ? base64_decoded(body) : body;
  preview.exact = true;
  return preview;
}

std::optional<MailPreview> preview_mail(const Config& config, const Account& account, const std::string& message_id,
                                        Instant created_at, std::string& why) {
  if (config.notify.notifier == "outbox")
    if (auto text = read_small_file(config.notify.dir / (message_id + ".eml")))
      if (auto preview = parse_outbox_message(*text); preview && preview->message_id == message_id) {
        bool hidden = false;
        preview->body = without_link_tokens(preview->body, hidden);
        if (hidden)
          preview->note = say(config.notify.language, "le jeton du lien personnel est masqué",
                              "the personal link's token is hidden");
        return preview;
      }
  return rendered_again(config, account, message_id, created_at, why);
}

}  // namespace passage
