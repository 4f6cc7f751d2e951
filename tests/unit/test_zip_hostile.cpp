// Hostile parts (issue 12): entries named with `../` or an absolute path,
// symlinks, and zip bombs are refused as evidence with a reason code, and
// checking them writes nothing anywhere.
#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/archive/entry_safety.hpp"
#include "engine/archive/zip_check.hpp"

using namespace passage;
using passage::testing::TempDir;

namespace {

struct Item {
  std::string name;
  std::string content;
  unsigned type = AE_IFREG;
  std::string link_target;  // for AE_IFLNK
};

void write_zip(const std::filesystem::path& file, const std::vector<Item>& items) {
  std::unique_ptr<archive, int (*)(archive*)> writer(archive_write_new(), archive_write_free);
  REQUIRE(archive_write_set_format_zip(writer.get()) == ARCHIVE_OK);
  REQUIRE(archive_write_zip_set_compression_deflate(writer.get()) == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(writer.get(), file.c_str()) == ARCHIVE_OK);
  for (const Item& item : items) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), item.name.c_str());
    archive_entry_set_filetype(entry.get(), item.type);
    archive_entry_set_perm(entry.get(), 0644);
    if (item.type == AE_IFLNK) archive_entry_set_symlink(entry.get(), item.link_target.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(item.content.size()));
    REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
    if (!item.content.empty())
      REQUIRE(archive_write_data(writer.get(), item.content.data(), item.content.size()) ==
              static_cast<la_ssize_t>(item.content.size()));
  }
  REQUIRE(archive_write_close(writer.get()) == ARCHIVE_OK);
}

Item regular(std::string name, std::string content) { return Item{std::move(name), std::move(content), AE_IFREG, ""}; }

const Item k_instance = regular("My Cozy/Data/instance.json", R"({"domain":"alice.mycozy.cloud"})");

std::size_t files_under(const std::filesystem::path& dir) {
  std::size_t count = 0;
  for (const auto& each : std::filesystem::recursive_directory_iterator(dir)) count += each.is_regular_file() ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("zip hostile: entry_danger names what an extractor would do wrong", "[zip_check][hostile]") {
  CHECK_FALSE(entry_danger("My Cozy/Files/notes..txt", EntryType::regular));
  CHECK_FALSE(entry_danger("My Cozy/Files/Photos/", EntryType::directory));
  CHECK(entry_danger("../../etc/cron.d/x", EntryType::regular) == "`..` in the path");
  CHECK(entry_danger("My Cozy/Files/../../x", EntryType::regular) == "`..` in the path");
  CHECK(entry_danger("My Cozy\\..\\..\\x", EntryType::regular) == "`..` in the path");
  CHECK(entry_danger("My Cozy/Files/..\\..\\..\\x", EntryType::regular) == "`..` in the path");
  CHECK(entry_danger("My Cozy/Files/a\\../../x", EntryType::regular) == "`..` in the path");
  // Names cozy-stack allows (only `/`, NUL, CR, LF are refused): a Windows
  // reading of the backslash stays inside the archive.
  CHECK_FALSE(entry_danger("My Cozy/Files/Docs/..\\notes.txt", EntryType::regular));
  CHECK_FALSE(entry_danger("My Cozy/Files/..\\..\\x", EntryType::regular));
  CHECK_FALSE(entry_danger("My Cozy/Files/a\\b\\c", EntryType::regular));
  CHECK(entry_danger("My Cozy/Files/..", EntryType::regular) == "`..` in the path");
  CHECK(entry_danger("/etc/passwd", EntryType::regular) == "an absolute path");
  CHECK(entry_danger("\\\\server\\share", EntryType::regular) == "an absolute path");
  CHECK(entry_danger("C:/Windows/x", EntryType::regular) == "an absolute path");
  CHECK(entry_danger("My Cozy/Files/link", EntryType::symlink) == "a symbolic link");
  CHECK(entry_danger("My Cozy/Files/link", EntryType::hardlink) == "a hard link");
  CHECK(entry_danger("My Cozy/Files/fifo", EntryType::other) == "neither a file nor a directory");
  CHECK(entry_danger("", EntryType::regular) == "an entry without a name");
  CHECK(printable_entry_name("a\nb\x1b[31m") == "a?b?[31m");
  CHECK(printable_entry_name(std::string(300, 'x')).size() == 103);
}

TEST_CASE("zip hostile: a part with a `../` or absolute entry is refused and nothing is written", "[zip_check][hostile]") {
  TempDir dir;
  const std::filesystem::path inner = dir.path() / "work";
  std::filesystem::create_directories(inner);
  for (const std::string name : {"../escaped.txt", "My Cozy/../../escaped.txt", "/tmp/passage-escaped.txt"}) {
    INFO(name);
    const std::filesystem::path file = inner / "part000.zip";
    write_zip(file, {k_instance, regular(name, "owned")});
    const ZipCheck check = check_zip_part(file, true);
    CHECK_FALSE(check.valid);
    CHECK(check.refused == k_zip_unsafe_entry);
    CHECK(check.problem.starts_with("zip_unsafe_entry: "));
    CHECK(files_under(dir.path()) == 1);  // the part itself, nothing else
    CHECK_FALSE(std::filesystem::exists("/tmp/passage-escaped.txt"));
  }
}

TEST_CASE("zip hostile: a symbolic link entry is refused", "[zip_check][hostile]") {
  TempDir dir;
  const std::filesystem::path file = dir.path() / "part000.zip";
  write_zip(file, {k_instance, {"My Cozy/Files/passwd", "", AE_IFLNK, "/etc/passwd"}});
  const ZipCheck check = check_zip_part(file, true);
  CHECK_FALSE(check.valid);
  CHECK(check.refused == k_zip_unsafe_entry);
  CHECK(check.problem == "zip_unsafe_entry: My Cozy/Files/passwd: a symbolic link");
}

TEST_CASE("zip hostile: a part expanding beyond its bound is refused as a zip bomb", "[zip_check][hostile]") {
  TempDir dir;
  const std::filesystem::path file = dir.path() / "part000.zip";
  write_zip(file, {k_instance, regular("My Cozy/Data/io.cozy.notes/n1.json", std::string(32 * 1024 * 1024, '\0'))});
  REQUIRE(std::filesystem::file_size(file) < 1024 * 1024);  // a ratio over 32:1
  const ZipCheck bomb = check_zip_part(file, true, 4 * 1024 * 1024);
  CHECK_FALSE(bomb.valid);
  CHECK(bomb.refused == k_zip_bomb);
  CHECK(bomb.problem.starts_with("zip_bomb: expands beyond 4194304 bytes"));
  // Refused on what it declares, before decompressing it.
  CHECK(bomb.uncompressed_bytes < 4 * 1024 * 1024);
  // Within a bound that the space's usage allows, the same part is fine.
  const ZipCheck fine = check_zip_part(file, true, 64 * 1024 * 1024);
  CHECK(fine.valid);
  CHECK(fine.refused.empty());
}
