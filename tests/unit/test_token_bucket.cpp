#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "engine/sched/token_bucket.hpp"

using namespace passage;
using namespace std::chrono_literals;
using TimePoint = TokenBucket::TimePoint;

namespace {

const TimePoint k_t0 = TimePoint{} + 1000s;

// For each take, the number of takes in the closed one-second window that
// starts with it; the maximum over all of them is the busiest window
// (a busiest window can always be slid to start at a take).
std::size_t busiest_second(const std::vector<TimePoint>& takes,
                           std::chrono::nanoseconds window = 1s) {
  std::size_t busiest = 0;
  std::size_t end = 0;
  for (std::size_t begin = 0; begin < takes.size(); ++begin) {
    while (end < takes.size() && takes[end] <= takes[begin] + window) ++end;
    busiest = std::max(busiest, end - begin);
  }
  return busiest;
}

// Simulates `duration` in steps of `step`: at each step a random number of
// callers (often none, sometimes a crowd) try to take a token.
std::vector<TimePoint> simulate(RateLimit limit, std::chrono::nanoseconds step,
                                std::chrono::seconds duration, unsigned seed) {
  TokenBucket bucket(limit);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> crowd(0, 9);
  std::vector<TimePoint> takes;
  for (TimePoint now = k_t0; now < k_t0 + duration; now += step) {
    const int c = crowd(random);
    const int callers = c < 6 ? 0 : c < 9 ? 1 : 3 * limit.burst;
    for (int i = 0; i < callers; ++i)
      if (bucket.try_take(now)) takes.push_back(now);
  }
  return takes;
}

}  // namespace

TEST_CASE("token bucket: starts full with `burst` tokens", "[token_bucket]") {
  TokenBucket bucket(RateLimit{10, 5});
  for (int i = 0; i < 5; ++i) CHECK(bucket.try_take(k_t0));
  CHECK_FALSE(bucket.try_take(k_t0));
}

TEST_CASE("token bucket: refills at per_second", "[token_bucket]") {
  TokenBucket bucket(RateLimit{10, 2});
  CHECK(bucket.try_take(k_t0));
  CHECK(bucket.try_take(k_t0));
  CHECK_FALSE(bucket.try_take(k_t0 + 99ms));
  CHECK(bucket.try_take(k_t0 + 100ms));
  CHECK_FALSE(bucket.try_take(k_t0 + 100ms));
  // A long idle time refills to the burst, never beyond.
  const TimePoint later = k_t0 + 1h;
  CHECK(bucket.try_take(later));
  CHECK(bucket.try_take(later));
  CHECK_FALSE(bucket.try_take(later));
}

TEST_CASE("token bucket: wait_for_token says when the next take succeeds", "[token_bucket]") {
  TokenBucket bucket(RateLimit{3, 1});
  CHECK(bucket.wait_for_token(k_t0) == 0ms);
  CHECK(bucket.next_token_at(k_t0) == k_t0);
  REQUIRE(bucket.try_take(k_t0));
  const Millis wait = bucket.wait_for_token(k_t0);
  CHECK(wait == 334ms);  // 1/3 s, rounded up
  const TimePoint at = bucket.next_token_at(k_t0);
  CHECK(at > k_t0 + 333ms);
  CHECK(at <= k_t0 + wait);
  CHECK_FALSE(bucket.try_take(at - 1ns));
  CHECK(bucket.try_take(at));
}

TEST_CASE("token bucket: odd limits still pass something", "[token_bucket]") {
  TokenBucket zero_burst(RateLimit{10, 0});
  CHECK(zero_burst.try_take(k_t0));
  CHECK_FALSE(zero_burst.try_take(k_t0));
  TokenBucket zero_rate(RateLimit{0, 2});
  CHECK(zero_rate.try_take(k_t0));
  CHECK(zero_rate.try_take(k_t0));
  CHECK_FALSE(zero_rate.try_take(k_t0 + 10s));
}

TEST_CASE("token bucket: any 1-second window sees at most per_second + burst takes",
          "[token_bucket]") {
  struct Case {
    RateLimit limit;
    std::chrono::nanoseconds step;
  };
  const std::vector<Case> cases = {
      {{20, 40}, 1ms},   {{20, 40}, 250us}, {{3, 1}, 1ms},    {{2.5, 4}, 100us},
      {{7, 3}, 333us},   {{100, 1}, 1ms},   {{1, 1}, 10ms},   {{50, 10}, 7ms},
      {{0.5, 2}, 20ms},  {{1000, 5}, 100us},
  };
  for (const Case& c : cases) {
    for (unsigned seed = 1; seed <= 3; ++seed) {
      const auto takes = simulate(c.limit, c.step, 20s, seed);
      INFO("per_second " << c.limit.per_second << " burst " << c.limit.burst << " seed "
                         << seed);
      CHECK(busiest_second(takes) <= static_cast<std::size_t>(c.limit.per_second + c.limit.burst));
    }
  }
}

TEST_CASE("token bucket: a greedy caller gets the full rate", "[token_bucket]") {
  // Not stricter than promised: over 10 s, burst + 10 × per_second takes.
  TokenBucket bucket(RateLimit{20, 40});
  int takes = 0;
  for (TimePoint now = k_t0; now <= k_t0 + 10s; now += 1ms)
    while (bucket.try_take(now)) ++takes;
  CHECK(takes == 40 + 200);
}

namespace {

// A caller that wants every token: it asks, sleeps until the bucket says
// one is there and wakes `late()` after it (a loaded machine), then takes,
// charged as a caller waiting since it asked.
template <typename Lateness>
std::vector<TimePoint> greedy_late_caller(TokenBucket& bucket, TimePoint from,
                                          std::chrono::seconds duration, Lateness late) {
  std::vector<TimePoint> takes;
  TimePoint now = from;
  while (now < from + duration && takes.size() < 1'000'000) {
    const TimePoint since = now;
    now = bucket.next_token_at(now, since) + late();
    while (bucket.try_take(now, since)) takes.push_back(now);
  }
  return takes;
}

}  // namespace

TEST_CASE("token bucket: a waiting caller is charged to the schedule, however late it takes",
          "[token_bucket]") {
  TokenBucket bucket(RateLimit{100, 1});
  REQUIRE(bucket.try_take(k_t0));
  // Waiting since 1 ms, woken 3 ms late: the next token is still due at 20 ms.
  REQUIRE(bucket.try_take(k_t0 + 13ms, k_t0 + 1ms));
  CHECK(bucket.next_token_at(k_t0 + 13ms, k_t0 + 13ms) == k_t0 + 20ms);
  CHECK_FALSE(bucket.try_take(k_t0 + 20ms - 1ns, k_t0 + 13ms));
  // Woken 45 ms late: the tokens due at 20, 30, 40, 50 and 60 ms are caught up.
  int caught_up = 0;
  while (bucket.try_take(k_t0 + 65ms, k_t0 + 13ms)) ++caught_up;
  CHECK(caught_up == 5);
  CHECK(bucket.next_token_at(k_t0 + 65ms, k_t0 + 13ms) == k_t0 + 70ms);
}

TEST_CASE("token bucket: a caller that was not waiting gets `burst` tokens, never more",
          "[token_bucket]") {
  TokenBucket bucket(RateLimit{100, 3});
  REQUIRE(bucket.try_take(k_t0));
  const TimePoint later = k_t0 + 1h;
  for (int i = 0; i < 3; ++i) CHECK(bucket.try_take(later));
  CHECK_FALSE(bucket.try_take(later));
}

TEST_CASE("token bucket: late wake-ups lose no rate and never exceed per_second + burst",
          "[token_bucket]") {
  const std::vector<RateLimit> limits = {{100, 1}, {500, 1}, {3, 1}, {2.5, 4}, {20, 40}, {7, 3}};
  for (const RateLimit& limit : limits) {
    for (unsigned seed = 1; seed <= 3; ++seed) {
      std::mt19937 random(seed);
      std::uniform_real_distribution<double> kind(0, 1);
      std::uniform_int_distribution<std::int64_t> small(0, 3'000'000), large(0, 100'000'000);
      // Mostly under 3 ms late, and about every 2 s a wake-up up to 100 ms
      // late (a machine with more runnable processes than cores).
      const double stall = 0.5 / limit.per_second;
      auto late = [&] { return std::chrono::nanoseconds{kind(random) >= stall ? small(random) : large(random)}; };
      TokenBucket bucket(limit);
      const auto takes = greedy_late_caller(bucket, k_t0, 30s, late);
      INFO("per_second " << limit.per_second << " burst " << limit.burst << " seed " << seed);
      const auto allowed = static_cast<std::size_t>(limit.per_second + limit.burst);
      CHECK(busiest_second(takes) <= allowed);
      // 3/4 of an interval of margin for the network's jitter.
      CHECK(busiest_second(takes, 1s + std::chrono::nanoseconds{static_cast<std::int64_t>(7.5e8 / limit.per_second)} - 1ns) <= allowed);
      // Over 30 s a greedy caller gets burst + 30 × per_second takes, but
      // for what the last wake-up's lateness leaves out: within 0.5 %.
      const double expected = limit.burst + 30 * limit.per_second;
      const auto last = std::chrono::duration<double>(k_t0 + 30s - takes.back()).count();
      CHECK(static_cast<double>(takes.size()) >= (expected - last * limit.per_second) * 0.995 - 1);
    }
  }
}

TEST_CASE("token bucket: the next process never shares a window with a catch-up", "[token_bucket]") {
  const RateLimit limit{100, 1};
  TokenBucket first(limit);
  // Stalled 500 ms, then caught up: 50 tokens at once.
  std::vector<TimePoint> takes = greedy_late_caller(first, k_t0, 2s, [] { return 0ns; });
  const TimePoint since = takes.back();
  while (first.try_take(since + 500ms, since)) takes.push_back(since + 500ms);
  TokenBucket second(limit);
  second.continue_from(first.next_due());
  const auto more = greedy_late_caller(second, since + 500ms, 3s, [] { return 0ns; });
  takes.insert(takes.end(), more.begin(), more.end());
  CHECK(busiest_second(takes) <= 101);
}
