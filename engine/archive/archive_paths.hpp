#pragma once
// Where `archive` delivery keeps verified parts (CONTRACT.md "Keys"):
// <archive_dir>/<domain>/<account id>/<export id>-partNNN.zip. One folder
// per account row, so that a person listed again (a new row for the same
// domain) never shares, and never loses, another row's archive.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace passage {

// <archive_dir>/<domain>/<account_id>/
std::filesystem::path archive_folder(const std::filesystem::path& archive_dir,
                                     const std::string& domain, std::int64_t account_id);

// "<export id>-partNNN.zip"; characters of the export id other than
// letters, digits, '-', '_' and '.' become '_' (it comes from the stack).
std::string archive_part_name(const std::string& export_id, int n);

// The file of part `n` of export `export_id` kept for the account: in its
// folder, else where archives were kept before per-account folders
// (<archive_dir>/<domain>/, named by the export id); nullopt when neither
// exists.
std::optional<std::filesystem::path> archived_part(const std::filesystem::path& archive_dir,
                                                   const std::string& domain,
                                                   std::int64_t account_id,
                                                   const std::string& export_id, int n);

}  // namespace passage
