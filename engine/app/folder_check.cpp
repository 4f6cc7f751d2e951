#include "engine/app/folder_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "engine/env/faults.hpp"
#include "engine/env/local_write.hpp"

namespace passage {

namespace {

namespace fs = std::filesystem;

struct Folder {
  std::string key;
  fs::path path;
  bool must_exist = false;
  faults::Site site;
};

// The errno of creating (then removing) a probe file in `folder`; 0 when
// the write went through.
int probe_write(const fs::path& folder, faults::Site site) {
  if (int injected = faults::disk_error(site)) return injected;
  fs::path probe = folder / (".passage-check-" + std::to_string(::getpid()));
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  int error = ::write(fd, "x", 1) == 1 ? 0 : errno;
  ::close(fd);
  ::unlink(probe.c_str());
  return error;
}

// The folder itself, or for one to be created its nearest existing parent.
std::optional<fs::path> existing_base(const fs::path& folder) {
  std::error_code ignored;
  for (fs::path at = fs::absolute(folder, ignored); !at.empty(); at = at.parent_path()) {
    if (fs::exists(at, ignored)) return at;
    if (at == at.parent_path()) break;
  }
  return std::nullopt;
}

FolderFinding check_one(const Folder& folder) {
  std::error_code ignored;
  const bool exists = fs::exists(folder.path, ignored);
  if (!exists && folder.must_exist)
    return {false, folder.key + ": folder " + folder.path.string() + " does not exist (create it: Passage does not)"};
  if (exists && !fs::is_directory(folder.path, ignored))
    return {false, folder.key + ": " + folder.path.string() + " is not a folder"};
  std::optional<fs::path> base = existing_base(folder.path);
  if (!base) return {false, folder.key + ": no existing parent of " + folder.path.string()};
  if (int error = probe_write(*base, folder.site))
    return {false, folder.key + ": " + cannot_write(folder.path, error)};
  if (exists) return {true, folder.key + ": folder " + folder.path.string() + " writable"};
  return {true, folder.key + ": folder " + folder.path.string() + " will be created (" + base->string() +
                    " writable)"};
}

}  // namespace

std::vector<FolderFinding> check_folders(const Config& config) {
  std::vector<Folder> folders;
  if (config.metrics_textfile)
    folders.push_back({"metrics.textfile", config.metrics_textfile->parent_path(), true, faults::Site::metrics});
  folders.push_back({"reports.dir", config.reports_dir, false, faults::Site::report});
  folders.push_back({"export.archive_dir", config.export_.archive_dir, false, faults::Site::part_file});
  if (config.notify.notifier == "outbox")
    folders.push_back({"notify.dir", config.notify.dir, false, faults::Site::outbox_mail});
  std::vector<FolderFinding> findings;
  for (const Folder& folder : folders) findings.push_back(check_one(folder));
  return findings;
}

}  // namespace passage
