#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/sched/archive_retention.hpp"
#include "tests/support/temp_dir.hpp"
#include "engine/store/journal.hpp"

using namespace passage;

namespace {

struct Fixture {
  passage::testing::TempDir temp{"passage-archive-test"};
  std::filesystem::path dir = temp.path();
  Config config;
  std::unique_ptr<Store> store;

  Fixture() {
    config.zone = date::locate_zone("Europe/Paris");
    config.export_.archive_dir = dir / "archive";
    config.export_.archive_retention = CalendarSpan{90, SpanUnit::day};
    store = std::make_unique<Store>(dir / "passage.db");
  }
  ~Fixture() { store.reset(); }  // closed before its folder goes

  // An account PURGED at `purged_at` whose archive folder holds one part.
  std::int64_t purged_with_archive(const std::string& login, Instant purged_at) {
    NewAccount account;
    account.row.login = login;
    account.row.domain = login + ".mytoutatice.cloud";
    account.row.email = login + "@example.org";
    account.row.departure_date = date::year{2026} / 11 / 1;
    account.stack = "academy";
    account.due_at = purged_at;
    std::int64_t campaign = store->create_campaign("c-" + login, "a.csv", {account}, purged_at, "test");
    Account before = store->accounts_of(campaign).front();
    Transition transition{before, {}, "state", "test: purged"};
    transition.next.state = State::purged;
    transition.next.purged_at = purged_at;
    transition.next.due_at.reset();
    REQUIRE(store->commit(before, transition, purged_at, "test"));
    std::filesystem::create_directories(config.export_.archive_dir / account.row.domain);
    std::ofstream(config.export_.archive_dir / account.row.domain / "part000.zip") << "zip";
    return before.id;
  }
};

const Instant k_purged = Instant{} + std::chrono::seconds(1'798'000'000);

}  // namespace

TEST_CASE("archives are removed only once the retention after deletion has passed", "[archive]") {
  Fixture f;
  f.purged_with_archive("old", k_purged);
  f.purged_with_archive("recent", k_purged + std::chrono::days(30));
  Instant now = k_purged + std::chrono::days(91);
  CHECK(remove_expired_archives(f.config, *f.store, now, "nightly") == 1);
  CHECK_FALSE(std::filesystem::exists(f.config.export_.archive_dir / "old.mytoutatice.cloud"));
  CHECK(std::filesystem::exists(f.config.export_.archive_dir / "recent.mytoutatice.cloud" / "part000.zip"));
  // Nothing left to do for the old one; the recent one waits its turn.
  CHECK(remove_expired_archives(f.config, *f.store, now, "nightly") == 0);
  CHECK(remove_expired_archives(f.config, *f.store, k_purged + std::chrono::days(121), "nightly") == 1);
  CHECK(verify_journal(f.store->db()).ok);
}
