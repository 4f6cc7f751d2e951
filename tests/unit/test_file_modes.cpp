// File modes whatever the umask (engine/env/file_modes.hpp): the database,
// its WAL files and the lock 0600; parts 0640; an existing file given its
// mode again. Run under umask 000 and 077 (CI runs as root: the modes
// themselves are checked, not access denial).

#include <catch2/catch.hpp>

#include <fstream>

#include "engine/app/lock.hpp"
#include "engine/archive/zip_check.hpp"
#include "engine/env/file_modes.hpp"
#include "engine/store/db.hpp"
#include "tests/support/file_mode.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;
using passage::testing::mode_of;
using passage::testing::TempDir;
using passage::testing::Umask;

TEST_CASE("file modes: prepare_file gives the mode whatever the umask, and again to an existing file",
          "[modes]") {
  for (const mode_t mask : {mode_t(0), mode_t(077)}) {
    const Umask scoped(mask);
    TempDir dir;
    const auto file = dir.path() / "report.json";
    REQUIRE(prepare_file(file, k_shared_file_mode));
    CHECK(mode_of(file) == 0640);
    std::ofstream(file) << "kept";
    ::chmod(file.c_str(), 0666);
    REQUIRE(prepare_file(file, k_private_file_mode));
    CHECK(mode_of(file) == 0600);
    std::ifstream in(file);
    std::string content;
    in >> content;
    CHECK(content == "kept");
    CHECK(set_mode_if_exists(dir.path() / "missing", 0600));
  }
}

TEST_CASE("file modes: the database and its WAL files and the lock are 0600, a part 0640, under umask 000 and 077",
          "[modes]") {
  for (const mode_t mask : {mode_t(0), mode_t(077)}) {
    INFO("umask " << std::oct << mask);
    const Umask scoped(mask);
    TempDir dir;
    const auto db_file = dir.path() / "passage.db";
    {
      Database db(db_file);
      db.exec("CREATE TABLE t (x)");
      db.exec("INSERT INTO t VALUES (1)");
      CHECK(mode_of(db_file) == 0600);
      for (const char* suffix : {"-wal", "-shm"}) {
        const std::filesystem::path side = db_file.string() + suffix;
        if (std::filesystem::exists(side)) CHECK(mode_of(side) == 0600);
      }
    }
    // An older database left 0644 is given 0600 when opened.
    ::chmod(db_file.c_str(), 0644);
    { Database again(db_file); }
    CHECK(mode_of(db_file) == 0600);

    LockAttempt lock = try_lock_database(db_file, "test", Instant{});
    REQUIRE(lock.lock);
    CHECK(mode_of(db_file.string() + ".lock") == 0600);

    PartWriter writer(dir.path() / "part000.zip.part");
    REQUIRE(writer.write("PK"));
    REQUIRE(writer.finish().ok);
    CHECK(mode_of(dir.path() / "part000.zip.part") == 0640);
  }
}
