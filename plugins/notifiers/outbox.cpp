#include "plugins/notifiers/outbox.hpp"

#include <unistd.h>

#include "engine/env/faults.hpp"
#include "engine/env/file_modes.hpp"
#include "engine/env/local_write.hpp"


#include <date/date.h>

#include <boost/beast/core/detail/base64.hpp>

namespace passage {

namespace {

std::string base64_lines(const std::string& text) {
  namespace b64 = boost::beast::detail::base64;
  std::string encoded(b64::encoded_size(text.size()), '\0');
  encoded.resize(b64::encode(encoded.data(), text.data(), text.size()));
  std::string wrapped;
  for (std::size_t i = 0; i < encoded.size(); i += 76) wrapped += encoded.substr(i, 76) + "\r\n";
  return wrapped;
}

// RFC 2047 encoded-word, so accented subjects survive every relay.
std::string encode_subject(const std::string& subject) {
  namespace b64 = boost::beast::detail::base64;
  std::string encoded(b64::encoded_size(subject.size()), '\0');
  encoded.resize(b64::encode(encoded.data(), subject.data(), subject.size()));
  return "=?UTF-8?B?" + encoded + "?=";
}

class OutboxNotifier final : public Notifier {
 public:
  explicit OutboxNotifier(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  boost::asio::awaitable<Outcome<Done>> send(Notice notice) override {
    std::error_code error;
    std::filesystem::create_directories(m_dir, error);
    std::filesystem::path final_path = m_dir / (notice.message_id + ".eml");
    // Two commands may tell the same notice at once (a run and a desk
    // action): each writes its own temporary file, the last rename wins.
    std::filesystem::path temporary = final_path;
    temporary += "." + std::to_string(::getpid()) + ".tmp";
    try {
      // The mail holds a personal download link: private.
      write_whole_file(temporary, format_message(notice), k_private_file_mode,
                       faults::disk_error(faults::Site::outbox_mail));
      // Accepted means on disk: once the notice is recorded as sent, the
      // person's deletion date runs from it, so a power failure must not
      // take the mail back (about 0.7 ms a mail here, on the loop).
      sync_file_data(temporary, faults::disk_error(faults::Site::outbox_sync));
    } catch (const LocalWriteError& failed) {
      remove_quietly(temporary);
      co_return local_write_failure(failed.what());
    }
    std::filesystem::rename(temporary, final_path, error);
    if (error) {
      remove_quietly(temporary);  // it holds a personal link
      co_return local_write_failure("cannot rename into " + m_dir.string() + ": " + error.message());
    }
    try {
      sync_folder(m_dir);
    } catch (const LocalWriteError& failed) {
      co_return local_write_failure(failed.what());
    }
    co_return Done{};
  }

 private:
  std::filesystem::path m_dir;
};

}  // namespace

std::string format_message(const Notice& notice) {
  std::string message;
  // RFC 5322 requires a Date; the time the message is written.
  auto now = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  message += "Date: " + date::format("%a, %d %b %Y %H:%M:%S +0000", now) + "\r\n";
  message += "Message-ID: <" + notice.message_id + ">\r\n";
  message += "From: " + notice.from + "\r\n";
  message += "To: " + notice.to + "\r\n";
  message += "Subject: " + encode_subject(notice.subject) + "\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=UTF-8\r\n";
  message += "Content-Transfer-Encoding: base64\r\n";
  for (const auto& [name, value] : notice.headers) message += name + ": " + value + "\r\n";
  message += "\r\n";
  message += base64_lines(notice.body);
  return message;
}

std::unique_ptr<Notifier> make_outbox_notifier(const std::filesystem::path& dir) {
  return std::make_unique<OutboxNotifier>(dir);
}

}  // namespace passage
