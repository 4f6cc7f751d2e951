#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "engine/sched/request_gate.hpp"
#include "plugins/backends/dry_run.hpp"

using namespace passage;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

const Instant k_now = Instant{} + std::chrono::hours(24 * 20'000);

StackConfig dry_stack(std::uint64_t seed, int min_ms = 0, int max_ms = 0) {
  StackConfig stack;
  stack.name = "dry";
  stack.backend = "dry-run";
  stack.dry_run.seed = seed;
  stack.dry_run.transient_failure_rate = 0.0;
  stack.dry_run.permanent_failure_rate = 0.0;
  stack.dry_run.min_duration_ms = min_ms;
  stack.dry_run.max_duration_ms = max_ms;
  return stack;
}

// A dry-run stack with its loop, clock and gate.
struct Rig {
  explicit Rig(StackConfig config) : stack(std::move(config)) {}
  asio::io_context io;
  StackConfig stack;
  ManualClock clock{k_now};
  RequestGate gate{io, RateLimit{1e6, 1'000'000}, 8};
  DryRunBackend backend{BackendContext{io, stack, clock, gate}};

  template <class T>
  T run(asio::awaitable<T> operation) {
    std::optional<T> result;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { result.emplace(co_await std::move(operation)); },
        asio::detached);
    io.restart();
    io.run();
    return std::move(*result);
  }
};

template <class T>
std::string failure_text(const Outcome<T>& outcome) {
  return std::string(outcome.failure().kind == Failure::Kind::permanent ? "permanent:"
                                                                        : "retryable:") +
         outcome.failure().reason;
}

// Every operation a few times over, as one comparable text.
std::string transcript(Rig& rig, const std::string& domain) {
  std::ostringstream out;
  for (int i = 0; i < 3; ++i) {
    auto info = rig.run(rig.backend.lookup(domain));
    if (info.ok()) out << "lookup " << info.value().disk_used << info.value().moved << ";";
    else out << "lookup " << failure_text(info) << ";";
    auto requested = rig.run(rig.backend.request_export(domain));
    out << "request " << (requested.ok() ? "ok" : failure_text(requested)) << ";";
  }
  auto done = rig.run(rig.backend.await_export(domain, k_now, k_now + 1h));
  if (!done.ok()) {
    // A request refused for good never produces an export.
    out << "export " << failure_text(done) << ";";
    return out.str();
  }
  out << "export " << done.value().export_id << " " << done.value().parts << ";";
  auto evidence =
      rig.run(rig.backend.fetch_export(FetchRequest{domain, done.value(), "space", {}, {}, {}}));
  if (evidence.ok())
    for (const auto& part : evidence.value().parts) out << part.bytes << part.sha256 << ";";
  else out << "fetch " << failure_text(evidence) << ";";
  auto deleted = rig.run(rig.backend.delete_instance(domain));
  out << "delete " << (deleted.ok() ? "ok" : failure_text(deleted)) << ";";
  return out.str();
}

StackConfig flaky_stack(std::uint64_t seed, int min_ms = 0, int max_ms = 0) {
  StackConfig stack = dry_stack(seed, min_ms, max_ms);
  stack.dry_run.transient_failure_rate = 0.3;
  stack.dry_run.permanent_failure_rate = 0.1;
  return stack;
}

}  // namespace

TEST_CASE("dry-run: draws are uniform in 0..1 and depend on every input", "[dry_run]") {
  double sum = 0;
  for (int i = 0; i < 10'000; ++i) {
    const double u = dry_run::draw(1, "a" + std::to_string(i) + ".example", "lookup", 0);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  CHECK(sum / 10'000 == Approx(0.5).margin(0.02));
  const auto base = dry_run::draw_bits(1, "a.example", "lookup", 0);
  CHECK(base == dry_run::draw_bits(1, "a.example", "lookup", 0));
  CHECK(base != dry_run::draw_bits(2, "a.example", "lookup", 0));
  CHECK(base != dry_run::draw_bits(1, "b.example", "lookup", 0));
  CHECK(base != dry_run::draw_bits(1, "a.example", "lookups", 0));
  CHECK(base != dry_run::draw_bits(1, "a.example", "lookup", 1));
  CHECK(dry_run::draw_bits(1, "ab", "c", 0) != dry_run::draw_bits(1, "a", "bc", 0));
}

TEST_CASE("dry-run: the part-size rule", "[dry_run]") {
  const std::int64_t gib = std::int64_t{1} << 30;
  CHECK(dry_run::export_part_count(0) == 1);
  CHECK(dry_run::export_part_count(500'000'000) == 1);
  CHECK(dry_run::export_part_count(gib) == 1);
  CHECK(dry_run::export_part_size(gib / 2) == gib);
  CHECK(dry_run::export_part_size(4 * gib) == 2 * gib);
  CHECK(dry_run::export_part_count(4 * gib) == 2);
  CHECK(dry_run::export_part_count(2 * gib) == 2);
  CHECK(dry_run::export_part_count(9 * gib) == 3);
  CHECK(dry_run::export_part_count(5'000'000'000) == 3);
}

TEST_CASE("dry-run: sha256_hex is SHA-256", "[dry_run]") {
  CHECK(dry_run::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("dry-run: the same seed gives the same outcomes, whatever the durations",
          "[dry_run]") {
  Rig fast(flaky_stack(7));
  Rig slow(flaky_stack(7, 0, 2));
  Rig other(flaky_stack(8));
  int differ = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string domain = "p" + std::to_string(i) + ".mytoutatice.cloud";
    const std::string expected = transcript(fast, domain);
    CHECK(transcript(slow, domain) == expected);
    if (transcript(other, domain) != expected) ++differ;
  }
  CHECK(differ >= 35);
}

TEST_CASE("dry-run: failure rates are honoured, permanent failures stick", "[dry_run]") {
  Rig rig(dry_stack(3));
  rig.stack.dry_run.transient_failure_rate = 0.2;
  rig.stack.dry_run.permanent_failure_rate = 0.1;
  DryRunBackend backend{BackendContext{rig.io, rig.stack, rig.clock, rig.gate}};
  constexpr int k_domains = 2000;
  std::vector<std::optional<Outcome<QueuedExport>>> first(k_domains), second(k_domains);
  for (int i = 0; i < k_domains; ++i)
    asio::co_spawn(
        rig.io,
        [&, i]() -> asio::awaitable<void> {
          const std::string domain = "u" + std::to_string(i) + ".example";
          first[i].emplace(co_await backend.request_export(domain));
          second[i].emplace(co_await backend.request_export(domain));
        },
        asio::detached);
  rig.io.run();
  int permanent = 0, transient = 0, recovered = 0;
  for (int i = 0; i < k_domains; ++i) {
    REQUIRE(first[i]);
    if (first[i]->ok()) continue;
    if (first[i]->failure().kind == Failure::Kind::permanent) {
      ++permanent;
      CHECK(first[i]->failure().reason == "dry-run permanent failure");
      REQUIRE_FALSE(second[i]->ok());
      CHECK(second[i]->failure().kind == Failure::Kind::permanent);
    } else {
      ++transient;
      CHECK(first[i]->failure().kind == Failure::Kind::retryable);
      CHECK(first[i]->failure().reason == "dry-run transient failure");
      if (second[i]->ok()) ++recovered;
    }
  }
  CHECK(permanent == Approx(200).margin(50));
  CHECK(transient == Approx(360).margin(70));  // 20 % of the 1800 left
  CHECK(recovered == Approx(0.8 * transient).margin(40));
  CHECK(rig.gate.in_flight() == 0);
}

TEST_CASE("dry-run: lookup describes a plain instance", "[dry_run]") {
  Rig rig(dry_stack(1));
  auto info = rig.run(rig.backend.lookup("a.example"));
  REQUIRE(info.ok());
  CHECK(info.value().exists);
  CHECK_FALSE(info.value().blocked);
  CHECK_FALSE(info.value().moved);
  CHECK(info.value().disk_used > 0);
  CHECK(info.value().disk_used <= 5'000'000'000);
  auto activity = rig.run(rig.backend.last_activity("a.example"));
  REQUIRE(activity.ok());
  CHECK(activity.value() == date::year_month_day{date::year{2018}, date::January, date::day{1}});
  auto moved = rig.run(rig.backend.stand_in_move("a.example"));
  REQUIRE(moved);
  REQUIRE(moved->ok());
  CHECK(moved->value().kind == "moved");
}

TEST_CASE("dry-run: a space moves within duration_ms of the invitation", "[dry_run]") {
  Rig rig(dry_stack(5, 1, 3));
  for (int i = 0; i < 20; ++i) {
    const std::string domain = "m" + std::to_string(i) + ".example";
    CHECK_FALSE(rig.run(rig.backend.lookup(domain)).value().moved);
    rig.backend.expect_user_move(domain);
    CHECK_FALSE(rig.run(rig.backend.lookup(domain)).value().moved);  // delay >= 1 ms
    rig.clock.advance(1ms);
    rig.backend.expect_user_move(domain);  // a reminder does not restart the delay
    rig.clock.advance(2ms);
    CHECK(rig.run(rig.backend.lookup(domain)).value().moved);
  }
}

TEST_CASE("dry-run: never_move_rate keeps people where they are", "[dry_run]") {
  Rig rig(dry_stack(5, 1, 3));
  rig.stack.dry_run.never_move_rate = 1.0;
  DryRunBackend backend{BackendContext{rig.io, rig.stack, rig.clock, rig.gate}};
  backend.expect_user_move("stay.example");
  rig.clock.advance(1h);
  CHECK_FALSE(rig.run(backend.lookup("stay.example")).value().moved);
}

TEST_CASE("dry-run: await_export respects the deadline", "[dry_run]") {
  Rig rig(dry_stack(9, 5, 10));
  auto late = rig.run(rig.backend.await_export("a.example", k_now, k_now + 2ms));
  REQUIRE_FALSE(late.ok());
  CHECK(late.failure().kind == Failure::Kind::retryable);
  CHECK(late.failure().reason == "export_deadline");
  auto past = rig.run(rig.backend.await_export("a.example", k_now, k_now - 1h));
  REQUIRE_FALSE(past.ok());
  CHECK(past.failure().reason == "export_deadline");
  auto done = rig.run(rig.backend.await_export("a.example", k_now, k_now + 10ms));
  REQUIRE(done.ok());
  CHECK(done.value().export_id.rfind("dry-", 0) == 0);
  CHECK(done.value().export_id.size() == 20);
  CHECK(done.value().parts == dry_run::export_part_count(done.value().total_size));
}

TEST_CASE("dry-run: fetch_export gives evidence for every part", "[dry_run]") {
  Rig rig(dry_stack(11));
  for (int i = 0; i < 30; ++i) {
    const std::string domain = "f" + std::to_string(i) + ".example";
    auto done = rig.run(rig.backend.await_export(domain, k_now, k_now + 1h));
    REQUIRE(done.ok());
    auto evidence =
        rig.run(rig.backend.fetch_export(FetchRequest{domain, done.value(), "space", {}, {}, {}}));
    REQUIRE(evidence.ok());
    const Evidence& e = evidence.value();
    CHECK(e.kind == "export");
    CHECK(e.export_id == done.value().export_id);
    REQUIRE(e.parts.size() == static_cast<std::size_t>(done.value().parts));
    std::int64_t bytes = 0;
    for (std::size_t n = 0; n < e.parts.size(); ++n) {
      CHECK(e.parts[n].n == static_cast<int>(n));
      CHECK(e.parts[n].entries >= 1);
      CHECK(e.parts[n].sha256.size() == 64);
      CHECK(e.parts[n].sha256.find_first_not_of("0123456789abcdef") == std::string::npos);
      CHECK(e.parts[n].sha256 ==
            dry_run::sha256_hex(domain + "/" + e.export_id + "/" + std::to_string(n)));
      bytes += e.parts[n].bytes;
    }
    CHECK(bytes == done.value().total_size);
  }
}

TEST_CASE("dry-run: an export refused for good is never announced done", "[dry_run]") {
  Rig rig(dry_stack(5));
  rig.stack.dry_run.permanent_failure_rate = 0.5;
  DryRunBackend backend{BackendContext{rig.io, rig.stack, rig.clock, rig.gate}};
  int refused = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string domain = "r" + std::to_string(i) + ".example";
    auto requested = rig.run(backend.request_export(domain));
    auto done = rig.run(backend.await_export(domain, k_now, k_now + 1h));
    bool refused_for_good = !requested.ok() && requested.failure().kind == Failure::Kind::permanent;
    if (refused_for_good) {
      ++refused;
      REQUIRE_FALSE(done.ok());
      CHECK(done.failure().kind == Failure::Kind::permanent);
    }
  }
  CHECK(refused > 0);
}
