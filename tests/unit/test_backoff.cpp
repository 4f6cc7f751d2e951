#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "engine/app/app.hpp"
#include "engine/sched/backoff.hpp"
#include "engine/sched/runner.hpp"

using namespace passage;
using namespace std::chrono_literals;

TEST_CASE("backoff: attempt 0 waits up to base", "[backoff]") {
  CHECK(full_jitter_backoff(0, 1000ms, 600000ms, 0.0) == 0ms);
  CHECK(full_jitter_backoff(0, 1000ms, 600000ms, 0.5) == 500ms);
  CHECK(full_jitter_backoff(0, 1000ms, 600000ms, 0.999999) < 1000ms);
}

TEST_CASE("backoff: the ceiling doubles per attempt up to the cap", "[backoff]") {
  CHECK(full_jitter_backoff(1, 1000ms, 600000ms, 0.5) == 1000ms);
  CHECK(full_jitter_backoff(3, 1000ms, 600000ms, 0.5) == 4000ms);
  CHECK(full_jitter_backoff(9, 1000ms, 600000ms, 0.5) == 256000ms);
  CHECK(full_jitter_backoff(10, 1000ms, 600000ms, 0.5) == 300000ms);
  CHECK(full_jitter_backoff(30, 1000ms, 600000ms, 0.5) == 300000ms);
}

TEST_CASE("backoff: huge attempts and bases never overflow", "[backoff]") {
  const Millis huge{std::numeric_limits<Millis::rep>::max() / 2};
  for (int attempt : {61, 62, 63, 64, 100, 1000, std::numeric_limits<int>::max()}) {
    CHECK(full_jitter_backoff(attempt, 1000ms, 600000ms, 0.5) == 300000ms);
    CHECK(full_jitter_backoff(attempt, huge, 600000ms, 0.5) == 300000ms);
  }
  CHECK(full_jitter_backoff(5, huge, 600000ms, 0.5) == 300000ms);
}

TEST_CASE("backoff: odd inputs stay in range", "[backoff]") {
  CHECK(full_jitter_backoff(-3, 1000ms, 600000ms, 0.5) == 500ms);  // as attempt 0
  CHECK(full_jitter_backoff(2, 1000ms, 600000ms, 1.0) == 3999ms);  // strictly below
  CHECK(full_jitter_backoff(2, 1000ms, 600000ms, 7.0) == 3999ms);
  CHECK(full_jitter_backoff(2, 1000ms, 600000ms, -1.0) == 0ms);
  CHECK(full_jitter_backoff(2, 1000ms, 600000ms, std::nan("")) == 0ms);
  CHECK(full_jitter_backoff(2, 0ms, 600000ms, 0.5) == 0ms);
  CHECK(full_jitter_backoff(2, 1000ms, 0ms, 0.5) == 0ms);
}

TEST_CASE("backoff: every draw lies between 0 and the ceiling", "[backoff]") {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const Millis ceiling = std::min<Millis>(600000ms, Millis{1000LL << attempt});
    for (int i = 0; i < 100; ++i) {
      const Millis delay = full_jitter_backoff(attempt, 1000ms, 600000ms, i / 100.0);
      CHECK(delay >= 0ms);
      CHECK(delay < ceiling);
    }
  }
}

TEST_CASE("retry_delay: Retry-After is waited exactly, neither jittered nor capped",
          "[backoff]") {
  CHECK(retry_delay(3000ms, 0, 1000ms, 600000ms, 0.0) == 3000ms);
  CHECK(retry_delay(3000ms, 5, 1000ms, 600000ms, 0.9) == 3000ms);
  CHECK(retry_delay(Millis{3600000}, 0, 1000ms, 600000ms, 0.1) == Millis{3600000});
  CHECK(retry_delay(-5ms, 0, 1000ms, 600000ms, 0.5) == 0ms);
}

TEST_CASE("retry_delay: without Retry-After it is full jitter", "[backoff]") {
  for (int attempt = 0; attempt < 12; ++attempt)
    CHECK(retry_delay(std::nullopt, attempt, 1000ms, 600000ms, 0.37) ==
          full_jitter_backoff(attempt, 1000ms, 600000ms, 0.37));
}

TEST_CASE("a 404 storm is more than max(5, 10 %) of a run's lookups", "[sched][reading]") {
  CHECK_FALSE(passage::is_lookup_404_storm(5, 5));
  CHECK(passage::is_lookup_404_storm(6, 6));
  CHECK_FALSE(passage::is_lookup_404_storm(10, 100));
  CHECK(passage::is_lookup_404_storm(11, 100));
  CHECK_FALSE(passage::is_lookup_404_storm(0, 0));
}

TEST_CASE("a command doing several things exits with the code that matters most: 5, 4, 7, 6, 1, 0",
          "[app][exit]") {
  using namespace passage;
  CHECK(worst_exit(k_exit_done, k_exit_done) == k_exit_done);
  CHECK(worst_exit(k_exit_failed, k_exit_degraded) == k_exit_degraded);
  CHECK(worst_exit(k_exit_degraded, k_exit_breaker) == k_exit_breaker);
  CHECK(worst_exit(k_exit_audit_broken, k_exit_breaker) == k_exit_audit_broken);
  CHECK(worst_exit(k_exit_done, k_exit_failed) == k_exit_failed);
}
