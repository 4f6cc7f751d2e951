// The runner's due ids (Store::due_ids_for_runner): one index-ordered
// search a state, merged (issue 15), must list exactly the accounts, in
// exactly the order, that the one query over every state lists
// (Store::due_for_runner): states mixed, equal due times, the no-export-
// slot filter, limits below and above the number due.

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <random>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/store.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

const Instant k_due_t0 = Instant{} + std::chrono::seconds(1'798'000'000);  // 2026-12-23

NewAccount due_account(int n, const std::string& stack, Action action) {
  NewAccount account;
  account.row.login = "u" + std::to_string(n);
  account.row.domain = account.row.login + ".cozy.example";
  account.row.action = action;
  account.row.email = account.row.login + "@example.org";
  if (action == Action::move) {
    account.row.target = "https://" + account.row.login + ".elsewhere.example";
    account.row.target_host = account.row.login + ".elsewhere.example";
  }
  account.row.departure_date = date::year{2027} / date::January / 15;
  account.stack = stack;
  account.due_at = k_due_t0;
  return account;
}

}  // namespace

TEST_CASE("due ids for the runner: the same accounts in the same order as due_for_runner, whatever the "
          "states, due times, export slots and limit",
          "[store][runner-due]") {
  passage::testing::TempDir dir;
  Store store(dir.path() / "passage.db");
  std::mt19937 random(15);
  std::vector<NewAccount> rows;
  for (int n = 0; n < 120; ++n)
    rows.push_back(due_account(n, n % 3 == 0 ? "other" : "main", n % 5 == 0 ? Action::move : Action::export_));
  std::int64_t first = store.create_campaign("first", "f.csv", rows, k_due_t0, "admin");
  std::int64_t second = store.create_campaign("second", "s.csv", {due_account(500, "main", Action::export_)},
                                              k_due_t0, "admin");
  const std::vector<State> states = {State::queued,   State::exporting, State::verifying, State::moving,
                                     State::invited,  State::verified,  State::notified,  State::grace,
                                     State::retry_wait, State::held,    State::purge_due, State::failed};
  for (Account account : store.accounts_of(first)) {
    Transition transition{account, {}, "state", "test"};
    transition.next.state = states[random() % states.size()];
    if (transition.next.state == State::retry_wait)
      transition.next.retry_step = random() % 2 ? State::queued : State::verifying;
    // Few distinct due times: many ties, broken by id.
    transition.next.due_at = k_due_t0 + std::chrono::minutes(random() % 6);
    if (random() % 10 == 0) transition.next.due_at.reset();
    REQUIRE(store.commit(account, transition, k_due_t0, "test"));
  }
  const Instant now = k_due_t0 + 4min;
  REQUIRE(store.due_for_runner(now, std::nullopt, 1000).size() > 40);  // the comparison below has rows to compare
  for (std::optional<std::int64_t> campaign : {std::optional<std::int64_t>{}, std::optional<std::int64_t>{first},
                                               std::optional<std::int64_t>{second}}) {
    for (std::vector<std::string> no_slot :
         {std::vector<std::string>{}, std::vector<std::string>{"main"}, std::vector<std::string>{"other"},
          std::vector<std::string>{"main", "other"}}) {
      // The stacks said to have a slot: none, some, a stack without rows,
      // or one also said to have none. While some stack has none, the new
      // exports of a stack not said to have one are left out too.
      for (std::vector<std::string> with_slot :
           {std::vector<std::string>{}, std::vector<std::string>{"other"}, std::vector<std::string>{"main", "other"},
            std::vector<std::string>{"elsewhere", "main"}}) {
      for (int limit : {1, 7, 30, 1000}) {
        INFO("campaign " << campaign.value_or(0) << ", stacks without a slot " << no_slot.size()
                         << (no_slot.empty() ? "" : " first " + no_slot.front()) << ", with a slot "
                         << with_slot.size() << ", limit " << limit);
        std::vector<std::string> left_out = no_slot;
        for (std::string stack : {"main", "other"})
          if (!no_slot.empty() && std::find(with_slot.begin(), with_slot.end(), stack) == with_slot.end())
            left_out.push_back(stack);
        std::vector<std::int64_t> whole, ids;
        for (const Account& account : store.due_for_runner(now, campaign, limit, left_out))
          whole.push_back(account.id);
        for (const DueAccount& due : store.due_ids_for_runner(now, campaign, limit, no_slot, with_slot)) {
          ids.push_back(due.id);
          Account account = *store.account(due.id);
          CHECK(due.stack == account.stack);
          bool export_bound = account.action == Action::export_ &&
                              (account.state == State::queued ||
                               (account.state == State::retry_wait && account.retry_step == State::queued));
          CHECK(due.wants_new_export == export_bound);
        }
        CHECK(ids == whole);
      }
      }
    }
  }
}

TEST_CASE("visiting the due accounts: after a stack's last export slot the queue waits for the next "
          "visit and the other states go on in order",
          "[store][runner-due]") {
  // The runner reads its due accounts one at a time, and once a stack has
  // no export slot left it stops reading QUEUED and RETRY_WAIT (its next
  // wake-up's search leaves that stack's exports out) instead of reading
  // hundreds of exports it cannot start at every wake-up (BENCHMARKS.md,
  // session 10).
  passage::testing::TempDir dir;
  Store store(dir.path() / "passage.db");
  std::mt19937 random(10);
  std::vector<NewAccount> rows;
  for (int n = 0; n < 90; ++n)
    rows.push_back(due_account(n, n % 3 == 0 ? "other" : "main", n % 5 == 0 ? Action::move : Action::export_));
  std::int64_t campaign = store.create_campaign("first", "f.csv", rows, k_due_t0, "admin");
  const std::vector<State> states = {State::queued, State::queued,     State::exporting, State::verified,
                                     State::grace,  State::retry_wait, State::notified};
  for (Account account : store.accounts_of(campaign)) {
    Transition transition{account, {}, "state", "test"};
    transition.next.state = states[random() % states.size()];
    if (transition.next.state == State::retry_wait)
      transition.next.retry_step = random() % 2 ? State::queued : State::verifying;
    transition.next.due_at = k_due_t0 + std::chrono::minutes(random() % 6);
    REQUIRE(store.commit(account, transition, k_due_t0, "test"));
  }
  const Instant now = k_due_t0 + 4min;
  // Once without a full stack (one search over QUEUED), once with "main"
  // full (QUEUED read by export slot key, several searches).
  for (const std::vector<std::string>& no_slot : {std::vector<std::string>{}, std::vector<std::string>{"main"}}) {
    std::vector<std::int64_t> all;
    for (const Account& account : store.due_for_runner(now, campaign, 1000, no_slot)) all.push_back(account.id);
    REQUIRE(all.size() > 30);
    for (int nth : {0, 1, 4}) {
      INFO("stacks without a slot " << no_slot.size() << ", the queue waits at new export number " << nth);
      std::vector<std::int64_t> visited;
      std::optional<std::size_t> later_at;
      int seen = 0;
      store.visit_due_for_runner(now, campaign, no_slot, {"other"}, [&](const DueAccount& due) {
        visited.push_back(due.id);
        if (!later_at && due.wants_new_export && seen++ == nth) {
          later_at = visited.size();
          return DueVisit::queue_later;
        }
        return DueVisit::next;
      });
      REQUIRE(later_at);
      std::vector<std::int64_t> expected(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(*later_at));
      for (std::size_t i = *later_at; i < all.size(); ++i) {
        const State state = store.account(all[i])->state;
        if (state != State::queued && state != State::retry_wait) expected.push_back(all[i]);
      }
      CHECK(visited == expected);
    }
  }
  // Stopped: nothing more is read.
  int visited = 0;
  store.visit_due_for_runner(now, campaign, {}, {}, [&](const DueAccount&) {
    ++visited;
    return visited == 3 ? DueVisit::stop : DueVisit::next;
  });
  CHECK(visited == 3);
}
