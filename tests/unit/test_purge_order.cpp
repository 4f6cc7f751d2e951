// The order purge.max_per_run cuts the due accounts in (sort_for_purge):
// earliest grace end first, ties by account id, whatever order the store
// gave them in. The dry run and the night both go through it, so the dry
// run lists exactly the accounts the night deletes.

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "engine/sched/purge.hpp"

using namespace passage;

namespace {

Account due(std::int64_t id, int grace_end_s) {
  Account account;
  account.id = id;
  account.grace_end = Instant{} + std::chrono::seconds(grace_end_s);
  return account;
}

std::vector<std::int64_t> ids(const std::vector<Account>& accounts) {
  std::vector<std::int64_t> result;
  for (const Account& account : accounts) result.push_back(account.id);
  return result;
}

}  // namespace

TEST_CASE("purge order: earliest grace end first, then the account id, from any starting order", "[purge]") {
  // Forty accounts sharing four grace ends (more than std::sort's insertion
  // threshold, so an unstable sort without the id would reorder ties).
  std::vector<Account> accounts;
  for (std::int64_t id = 40; id >= 1; --id) accounts.push_back(due(id, static_cast<int>(id % 4) * 60));
  std::vector<Account> shuffled = accounts;
  std::rotate(shuffled.begin(), shuffled.begin() + 17, shuffled.end());
  sort_for_purge(accounts);
  sort_for_purge(shuffled);
  CHECK(ids(accounts) == ids(shuffled));
  std::vector<std::int64_t> expected;
  for (int end = 0; end < 4; ++end)
    for (std::int64_t id = 1; id <= 40; ++id)
      if (id % 4 == end) expected.push_back(id);
  CHECK(ids(accounts) == expected);
}

TEST_CASE("purge order: an account without a grace end comes first (it is never deletable, listed early)",
          "[purge]") {
  std::vector<Account> accounts{due(2, 10), due(1, 20)};
  Account no_end;
  no_end.id = 3;
  accounts.push_back(no_end);
  sort_for_purge(accounts);
  CHECK(ids(accounts) == std::vector<std::int64_t>{3, 2, 1});
}
