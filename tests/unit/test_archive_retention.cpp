#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/archive/archive_paths.hpp"
#include "engine/sched/archive_retention.hpp"
#include "tests/support/temp_dir.hpp"
#include "engine/store/journal.hpp"

using namespace passage;

namespace {

namespace fs = std::filesystem;

struct Fixture {
  passage::testing::TempDir temp{"passage-archive-test"};
  fs::path dir = temp.path();
  Config config;
  std::unique_ptr<Store> store;

  Fixture() {
    config.zone = date::locate_zone("Europe/Paris");
    config.export_.archive_dir = dir / "archive";
    config.export_.archive_retention = CalendarSpan{90, SpanUnit::day};
    store = std::make_unique<Store>(dir / "passage.db");
  }
  ~Fixture() { store.reset(); }  // closed before its folder goes

  // An account of campaign `campaign` for `domain`, imported at `at`.
  Account imported(const std::string& campaign, const std::string& login, const std::string& domain,
                   Instant at) {
    NewAccount account;
    account.row.login = login;
    account.row.domain = domain;
    account.row.email = login + "@example.org";
    account.row.departure_date = date::year{2026} / 11 / 1;
    account.stack = "academy";
    account.due_at = at;
    account.delivery = "archive";
    std::int64_t id = store->create_campaign(campaign, "a.csv", {account}, at, "test");
    return store->accounts_of(id).front();
  }

  void commit_state(const Account& before, State state, std::optional<Instant> purged_at, Instant at) {
    Transition transition{before, {}, "state", "test"};
    transition.next.state = state;
    transition.next.purged_at = purged_at;
    transition.next.evidence = Evidence{"export", "exp-" + std::to_string(before.id),
                                        {PartEvidence{0, 3, 1, std::string(64, 'a'), {}}}, {}, {}};
    transition.next.due_at.reset();
    REQUIRE(store->commit(before, transition, at, "test"));
  }

  fs::path folder_of(const Account& account) const {
    return archive_folder(config.export_.archive_dir, account.domain, account.id);
  }

  void put_part(const Account& account) const {
    fs::create_directories(folder_of(account));
    std::ofstream(folder_of(account) / archive_part_name("exp-" + std::to_string(account.id), 0)) << "zip";
  }

  // An account PURGED at `purged_at` whose archive folder holds one part.
  Account purged_with_archive(const std::string& login, Instant purged_at) {
    Account account = imported("c-" + login, login, login + ".mytoutatice.cloud", purged_at);
    commit_state(account, State::purged, purged_at, purged_at);
    put_part(account);
    return account;
  }
};

const Instant k_purged = Instant{} + std::chrono::seconds(1'798'000'000);

}  // namespace

TEST_CASE("archives are removed only once the retention after deletion has passed", "[archive]") {
  Fixture f;
  Account old = f.purged_with_archive("old", k_purged);
  Account recent = f.purged_with_archive("recent", k_purged + std::chrono::days(30));
  Instant now = k_purged + std::chrono::days(91);
  CHECK(remove_expired_archives(f.config, *f.store, now, "nightly") == 1);
  CHECK_FALSE(fs::exists(f.folder_of(old)));
  CHECK_FALSE(fs::exists(f.config.export_.archive_dir / "old.mytoutatice.cloud"));
  CHECK(fs::exists(f.folder_of(recent) / archive_part_name("exp-" + std::to_string(recent.id), 0)));
  // Nothing left to do for the old one; the recent one waits its turn.
  CHECK(remove_expired_archives(f.config, *f.store, now, "nightly") == 0);
  CHECK(remove_expired_archives(f.config, *f.store, k_purged + std::chrono::days(121), "nightly") == 1);
  CHECK(verify_journal(f.store->db()).ok);
}

TEST_CASE("retention removes only the purged account's folder, never a re-listed sibling's of the same domain",
          "[archive]") {
  Fixture f;
  const std::string domain = "alice.mytoutatice.cloud";
  Account first = f.imported("c1", "alice", domain, k_purged - std::chrono::days(60));
  f.commit_state(first, State::purged, k_purged, k_purged);
  f.put_part(first);
  // Listed again later (another campaign, a new row): its own archive.
  Account again = f.imported("c2", "alice", domain, k_purged + std::chrono::days(80));
  f.commit_state(again, State::notified, std::nullopt, k_purged + std::chrono::days(85));
  f.put_part(again);
  REQUIRE(f.folder_of(first) != f.folder_of(again));
  REQUIRE(f.folder_of(first).parent_path() == f.folder_of(again).parent_path());

  CHECK(remove_expired_archives(f.config, *f.store, k_purged + std::chrono::days(91), "nightly") == 1);
  CHECK_FALSE(fs::exists(f.folder_of(first)));
  CHECK(fs::exists(f.folder_of(again) / archive_part_name("exp-" + std::to_string(again.id), 0)));
}

TEST_CASE("retention also removes the account's parts kept directly under archive_dir/<domain>/ by older versions",
          "[archive]") {
  Fixture f;
  const std::string domain = "bob.mytoutatice.cloud";
  Account first = f.imported("c1", "bob", domain, k_purged - std::chrono::days(60));
  f.commit_state(first, State::purged, k_purged, k_purged);
  fs::path legacy = f.config.export_.archive_dir / domain;
  fs::create_directories(legacy);
  std::ofstream(legacy / archive_part_name("exp-" + std::to_string(first.id), 0)) << "zip";
  std::ofstream(legacy / "another-export-part000.zip") << "zip";  // not this account's

  CHECK(remove_expired_archives(f.config, *f.store, k_purged + std::chrono::days(91), "nightly") == 1);
  CHECK_FALSE(fs::exists(legacy / archive_part_name("exp-" + std::to_string(first.id), 0)));
  CHECK(fs::exists(legacy / "another-export-part000.zip"));
}

TEST_CASE("nothing is removed while the purge breaker is tripped", "[archive]") {
  Fixture f;
  Account old = f.purged_with_archive("old", k_purged);
  Instant now = k_purged + std::chrono::days(91);
  f.store->set_breaker(true, "too many interlock failures", now, "nightly");
  CHECK(remove_expired_archives(f.config, *f.store, now, "nightly") == 0);
  CHECK(fs::exists(f.folder_of(old)));
  f.store->set_breaker(false, "reset", now, "support:ann");
  CHECK(remove_expired_archives(f.config, *f.store, now, "nightly") == 1);
  CHECK_FALSE(fs::exists(f.folder_of(old)));
}

TEST_CASE("archive paths: one folder per account row, part names from the export id", "[archive]") {
  CHECK(archive_folder("/srv/archive", "a.mytoutatice.cloud", 42) ==
        fs::path("/srv/archive/a.mytoutatice.cloud/42"));
  CHECK(archive_part_name("e1b2c3", 0) == "e1b2c3-part000.zip");
  CHECK(archive_part_name("e1b2c3", 12) == "e1b2c3-part012.zip");
  // An export id is the stack's text: never a path.
  CHECK(archive_part_name("../../etc/x", 1) == ".._.._etc_x-part001.zip");
  CHECK(archive_part_name("..", 0) == "export..-part000.zip");
  CHECK(archive_part_name("", 0) == "export-part000.zip");

  passage::testing::TempDir temp{"passage-paths-test"};
  fs::path dir = temp.path();
  CHECK_FALSE(archived_part(dir, "a.mytoutatice.cloud", 7, "exp", 0));
  fs::create_directories(dir / "a.mytoutatice.cloud");
  std::ofstream(dir / "a.mytoutatice.cloud" / "exp-part000.zip") << "old layout";
  CHECK(archived_part(dir, "a.mytoutatice.cloud", 7, "exp", 0) ==
        dir / "a.mytoutatice.cloud" / "exp-part000.zip");
  fs::create_directories(dir / "a.mytoutatice.cloud" / "7");
  std::ofstream(dir / "a.mytoutatice.cloud" / "7" / "exp-part000.zip") << "new layout";
  CHECK(archived_part(dir, "a.mytoutatice.cloud", 7, "exp", 0) ==
        dir / "a.mytoutatice.cloud" / "7" / "exp-part000.zip");
  CHECK_FALSE(archived_part(dir, "a.mytoutatice.cloud", 8, "other", 0));
}
