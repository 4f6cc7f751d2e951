#pragma once
// The outbox notifier: one RFC 5322 `.eml` file per notice in a folder,
// for the demo and for sites that relay mail by other means. A file is
// written to a temporary name and renamed, so a reader never sees half.

#include <filesystem>
#include <memory>

#include "plugins/notifiers/notifier.hpp"

namespace passage {

std::unique_ptr<Notifier> make_outbox_notifier(const std::filesystem::path& dir);

// The whole message as written to disk (headers, blank line, base64 body).
std::string format_message(const Notice& notice);

}  // namespace passage
