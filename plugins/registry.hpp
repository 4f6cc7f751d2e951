#pragma once
// The plugin table (DESIGN.md "Shape of the code"): one plain table
// name → factory per kind. No self-registration, no dlopen: adding a
// plugin is one line here, and the same table prints `passage plugins`.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "plugins/backends/backend.hpp"
#include "plugins/directories/directory.hpp"
#include "plugins/notifiers/notifier.hpp"

namespace passage {

struct PluginInfo {
  std::string kind;  // backend, notifier, directory, reporter
  std::string name;
  std::string description;
};

std::vector<PluginInfo> plugin_table();

// nullptr when no backend of that name exists.
std::unique_ptr<Backend> make_backend(const std::string& name, const BackendContext& context);

// nullptr when no notifier of that name exists. A notifier that does I/O
// (smtp) completes its sends on `io`, which must outlive it.
std::unique_ptr<Notifier> make_notifier(const NotifyConfig& notify, boost::asio::io_context& io);

// The directory of `directory.provider`; nullptr when none is configured
// (the directory interlock is then off) or the provider is unknown.
std::unique_ptr<Directory> make_directory(const std::optional<DirectoryConfig>& directory);

}  // namespace passage
