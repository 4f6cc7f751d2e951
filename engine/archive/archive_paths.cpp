#include "engine/archive/archive_paths.hpp"

#include <cstdio>

namespace passage {

std::filesystem::path archive_folder(const std::filesystem::path& archive_dir,
                                     const std::string& domain, std::int64_t account_id) {
  return archive_dir / domain / std::to_string(account_id);
}

std::string archive_part_name(const std::string& export_id, int n) {
  std::string name;
  for (char c : export_id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    name += plain ? c : '_';
  }
  if (name.empty() || name.find_first_not_of('.') == std::string::npos) name = "export" + name;
  char number[16];
  std::snprintf(number, sizeof number, "-part%03d.zip", n);
  return name + number;
}

std::optional<std::filesystem::path> archived_part(const std::filesystem::path& archive_dir,
                                                   const std::string& domain,
                                                   std::int64_t account_id,
                                                   const std::string& export_id, int n) {
  const std::string name = archive_part_name(export_id, n);
  std::error_code error;
  for (const auto& folder : {archive_folder(archive_dir, domain, account_id), archive_dir / domain}) {
    std::filesystem::path file = folder / name;
    if (std::filesystem::is_regular_file(file, error)) return file;
  }
  return std::nullopt;
}

}  // namespace passage
