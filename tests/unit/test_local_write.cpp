// write_streamed_file: a streamed report is whole or absent.

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "engine/env/file_modes.hpp"
#include "engine/env/local_write.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;
using passage::testing::TempDir;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("write_streamed_file: the whole text under the path, with its mode, nothing beside", "[local_write]") {
  TempDir dir;
  const auto path = dir.path() / "report.csv";
  write_streamed_file(path, k_shared_file_mode, [](std::ostream& out) { out << "login;state\nu1;GRACE\n"; });
  CHECK(read_text(path) == "login;state\nu1;GRACE\n");
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == k_shared_file_mode);
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("write_streamed_file: a reading that fails half-way leaves no file that looks whole", "[local_write]") {
  TempDir dir;
  const auto path = dir.path() / "report.json";
  auto half_then_fail = [](std::ostream& out) {
    out << "{\"accounts\": [";
    throw std::runtime_error("database disk image is malformed");
  };
  CHECK_THROWS_WITH(write_streamed_file(path, k_shared_file_mode, half_then_fail), "database disk image is malformed");
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(std::filesystem::is_empty(dir.path()));
  // An earlier report given as --out stays as it was.
  std::ofstream(path) << "earlier";
  CHECK_THROWS(write_streamed_file(path, k_shared_file_mode, half_then_fail));
  CHECK(read_text(path) == "earlier");
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("sync_file_data and sync_folder: a file and its folder made durable, a failure names the path",
          "[local_write]") {
  TempDir dir;
  const auto mail = dir.path() / "m.eml";
  passage::write_whole_file(mail, "Subject: x\r\n", 0600, 0);
  CHECK_NOTHROW(passage::sync_file_data(mail, 0));
  CHECK_NOTHROW(passage::sync_folder(dir.path()));
  try {
    passage::sync_file_data(mail, ENOSPC);
    FAIL("an injected failure must throw");
  } catch (const passage::LocalWriteError& error) {
    CHECK(std::string(error.what()).find(mail.string()) != std::string::npos);
    CHECK(std::string(error.what()).find("No space left") != std::string::npos);
  }
  CHECK_THROWS_AS(passage::sync_file_data(dir.path() / "missing.eml", 0), passage::LocalWriteError);
  CHECK_THROWS_AS(passage::sync_folder(dir.path() / "missing"), passage::LocalWriteError);
  CHECK_THROWS_AS(passage::sync_folder(mail), passage::LocalWriteError);  // not a folder
}
