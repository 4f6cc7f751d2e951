// Opening the database read-only (engine/store/db.hpp OpenMode::read_only,
// used by --dry-run): nothing is created, migrated or written.

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include "engine/env/local_write.hpp"
#include "engine/store/schema.hpp"
#include "engine/store/store.hpp"

using namespace passage;
using passage::testing::TempDir;

TEST_CASE("a read-only database is never created and never written", "[db]") {
  TempDir dir;
  const auto file = dir.path() / "passage.db";

  SECTION("a missing file is an error, and stays missing") {
    CHECK_THROWS_AS(Store(file, OpenMode::read_only), StoreError);
    CHECK_FALSE(std::filesystem::exists(file));
  }

  SECTION("an existing one is read as it is, and every write throws") {
    {
      Store store(file);
      store.set_breaker(true, "test", Instant{}, "admin:test");
    }
    Store store(file, OpenMode::read_only);
    CHECK(store.db().user_version() == latest_schema_version());
    CHECK(store.breaker().tripped);
    CHECK_THROWS_AS(store.set_breaker(false, "reset", Instant{}, "admin:test"), LocalWriteError);  // names the database (exit 7)
    CHECK_THROWS_AS(store.db().exec("CREATE TABLE x (y)"), LocalWriteError);
    CHECK(store.breaker().tripped);
  }

  SECTION("an old schema is left old: no migration") {
    {
      Database db(file);
      db.exec("CREATE TABLE t (x)");
    }
    Store store(file, OpenMode::read_only);
    CHECK(store.db().user_version() == 0);
  }
}
