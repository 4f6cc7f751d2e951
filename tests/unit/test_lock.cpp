#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "engine/app/lock.hpp"

using namespace passage;

namespace {

using passage::testing::TempDir;

const Instant k_now = Instant{} + std::chrono::seconds(1'780'000'000);

// In a forked child: take the lock, tell the parent, then wait to be killed.
[[noreturn]] void hold_lock_until_killed(const std::filesystem::path& db, int ready_fd) {
  auto attempt = try_lock_database(db, "run demo", k_now);
  const char status = attempt.lock ? 'L' : 'F';
  if (::write(ready_fd, &status, 1) != 1) ::_exit(2);
  for (;;) ::pause();
}

// Kills and reaps the child if the test ends early, so none is left behind.
struct ChildGuard {
  pid_t pid;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

}  // namespace

TEST_CASE("the lock is exclusive and names its holder", "[lock]") {
  TempDir dir;
  const auto db = dir.path() / "passage.db";
  auto first = try_lock_database(db, "run campaign-1", k_now);
  REQUIRE(first.lock);
  CHECK(first.holder.empty());
  CHECK(first.lock->path() == dir.path() / "passage.db.lock");

  auto second = try_lock_database(db, "purge", k_now);
  CHECK_FALSE(second.lock);
  CHECK(second.holder == "pid " + std::to_string(::getpid()) + " (run campaign-1, started " +
                             format_utc(k_now) + ")");
}

TEST_CASE("the lock is released when its holder is destroyed", "[lock]") {
  TempDir dir;
  const auto db = dir.path() / "passage.db";
  {
    auto first = try_lock_database(db, "nightly", k_now);
    REQUIRE(first.lock);
    DatabaseLock moved = std::move(*first.lock);
    first.lock.reset();
    CHECK_FALSE(try_lock_database(db, "run", k_now).lock);
  }
  auto again = try_lock_database(db, "run", k_now);
  CHECK(again.lock);
}

TEST_CASE("a holder's description survives odd lock file content", "[lock]") {
  CHECK(describe_lock_holder("pid=12 command=campaign create x.csv started=2026-01-01T00:00:00.000Z\n") ==
        "pid 12 (campaign create x.csv, started 2026-01-01T00:00:00.000Z)");
  CHECK(describe_lock_holder("") == "another process (its lock file does not say which)");
  CHECK(describe_lock_holder("garbage") == "another process (its lock file does not say which)");
}

TEST_CASE("a SIGKILLed holder releases the lock", "[lock]") {
  TempDir dir;
  const auto db = dir.path() / "passage.db";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    hold_lock_until_killed(db, ready[1]);
  }
  ::close(ready[1]);
  ChildGuard guard{child};
  char status = 0;
  const ssize_t got = ::read(ready[0], &status, 1);  // EOF if the child died early
  ::close(ready[0]);
  REQUIRE(got == 1);
  REQUIRE(status == 'L');

  auto blocked = try_lock_database(db, "run", k_now);
  CHECK_FALSE(blocked.lock);
  CHECK(blocked.holder.starts_with("pid " + std::to_string(child) + " (run demo, started "));

  REQUIRE(::kill(child, SIGKILL) == 0);
  int wait_status = 0;
  REQUIRE(::waitpid(child, &wait_status, 0) == child);
  guard.pid = 0;
  CHECK(WIFSIGNALED(wait_status));

  auto taken = try_lock_database(db, "run", k_now);
  CHECK(taken.lock);
}
