// Personal download links of archive delivery (engine/serve/download_link,
// engine/serve/token, engine/sched/notice_once): which notices carry one,
// when it expires, that only its hash is stored, and that an archive
// notice without serve.public_url does not go.

#include <catch2/catch.hpp>

#include <optional>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/sched/notice_once.hpp"
#include "engine/serve/download_link.hpp"
#include "engine/serve/token.hpp"
#include "engine/store/download_links.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Instant local(std::string_view text) {
  auto at = parse_iso_instant(text, paris());
  REQUIRE(at);
  return *at;
}

Config link_config() {
  Config config;
  config.zone = paris();
  config.serve.public_url = "https://passage.example.org";
  config.serve.link_ttl = CalendarSpan{7, SpanUnit::day};
  config.export_.archive_retention = CalendarSpan{90, SpanUnit::day};
  return config;
}

Account archived_account() {
  Account account;
  account.id = 1;
  account.login = "alice";
  account.domain = "alice.mytoutatice.cloud";
  account.email = "alice@example.org";
  account.departure_date = date::year{2026} / 11 / 1;
  account.state = State::verified;
  account.delivery = "archive";
  account.evidence = Evidence{"export", "exp-1", {PartEvidence{0, 10, 2, std::string(64, 'a'), {}}}, {}, {}};
  account.verified_at = local("2026-12-01T10:00:00");
  account.export_completed_at = local("2026-12-01T09:00:00");
  account.grace_end = local("2027-01-01T10:00:00");
  return account;
}

class RecordingNotifier : public Notifier {
 public:
  asio::awaitable<Outcome<Done>> send(Notice notice) override {
    sent.push_back(std::move(notice));
    co_return Done{};
  }
  std::vector<Notice> sent;
};

struct StoreFixture {
  passage::testing::TempDir temp{"passage-links-test"};
  std::unique_ptr<Store> store = std::make_unique<Store>(temp.path() / "passage.db");
  ~StoreFixture() { store.reset(); }

  // Account row 1 exists (download_links references it).
  Account imported() {
    NewAccount row;
    row.row.login = "alice";
    row.row.domain = "alice.mytoutatice.cloud";
    row.row.email = "alice@example.org";
    row.row.departure_date = date::year{2026} / 11 / 1;
    row.stack = "academy";
    row.due_at = local("2026-12-01T00:00:00");
    row.delivery = "archive";
    std::int64_t campaign = store->create_campaign("c1", "a.csv", {row}, row.due_at, "test");
    Account account = archived_account();
    account.id = store->accounts_of(campaign).front().id;
    return account;
  }

  Outcome<Done> send(Notifier& notifier, const Config& config, const Account& account,
                     const std::string& kind, Instant now, NoticeExtras extras = {}) {
    asio::io_context io;
    std::optional<Outcome<Done>> result;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          result.emplace(co_await send_notice_once(*store, notifier, config, account, kind,
                                                   kind + ".alice@passage", now, extras));
        },
        asio::detached);
    io.run();
    REQUIRE(result);
    return *result;
  }

  std::int64_t links() {
    auto count = store->db().prepare("SELECT COUNT(*) FROM download_links");
    count.step();
    return count.int_at(0);
  }
};

}  // namespace

TEST_CASE("tokens are 256 random bits, URL-safe, and stored only as their SHA-256", "[links]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string token = random_token();
    CHECK(token.size() == 43);  // 32 bytes in unpadded base64url
    CHECK(looks_like_token(token));
    CHECK(token.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
          std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 200);
  CHECK(random_token(1).size() >= 22);  // never below 128 bits
  CHECK(token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK_FALSE(looks_like_token("short"));
  CHECK_FALSE(looks_like_token(std::string(30, 'a') + "/"));
}

TEST_CASE("which notices carry a personal link", "[links]") {
  Account account = archived_account();
  for (const char* kind : {"export_ready", "reexport", "move_fallback", "deletion_reminder",
                           "deletion_date_changed"}) {
    INFO(kind);
    CHECK(download_link_need(account, kind) == LinkNeed::required);
  }
  CHECK(download_link_need(account, "deletion_done") == LinkNeed::optional);
  CHECK(download_link_need(account, "move_instructions") == LinkNeed::none);
  Account space = account;
  space.delivery = "space";
  CHECK(download_link_need(space, "export_ready") == LinkNeed::none);
  Account moved = account;
  moved.evidence = Evidence{"moved", {}, {}, {}, {}};
  CHECK(download_link_need(moved, "deletion_reminder") == LinkNeed::none);
}

TEST_CASE("a link lives serve.link_ttl, never past the archive's removal", "[links]") {
  Config config = link_config();
  Account account = archived_account();
  Instant now = local("2026-12-01T10:30:00");
  CHECK(format_utc(download_link_expiry(account, config, now)) == format_utc(local("2026-12-08T10:30:00")));
  config.export_.archive_retention = CalendarSpan{2, SpanUnit::day};  // from grace end, 1 January
  Instant late = local("2026-12-30T10:00:00");
  CHECK(format_utc(download_link_expiry(account, config, late)) == format_utc(local("2027-01-03T10:00:00")));
  account.purged_at = local("2027-01-02T03:00:00");  // deleted: from the deletion
  CHECK(format_utc(download_link_expiry(account, config, late)) == format_utc(local("2027-01-04T03:00:00")));
}

TEST_CASE("an archive notice holds a new link each time, the database only its hash", "[links]") {
  StoreFixture f;
  Account account = f.imported();
  Config config = link_config();
  RecordingNotifier notifier;
  Instant now = local("2026-12-01T10:30:00");
  REQUIRE(f.send(notifier, config, account, "export_ready", now).ok());
  REQUIRE(notifier.sent.size() == 1);
  const std::string& body = notifier.sent[0].body;
  const std::string prefix = "https://passage.example.org/d/";
  const auto at = body.find(prefix);
  REQUIRE(at != std::string::npos);
  const std::string token = body.substr(at + prefix.size(), 43);
  CHECK(looks_like_token(token));
  CHECK(body.find("8 décembre 2026 à 10:30") != std::string::npos);  // until when it works
  CHECK(body.find("connectez-vous") == std::string::npos);
  auto link = find_download_link(f.store->db(), token_hash(token));
  REQUIRE(link);
  CHECK(link->account_id == account.id);
  CHECK(link->message_id == "export_ready.alice@passage");
  CHECK(format_utc(link->expires_at) == format_utc(local("2026-12-08T10:30:00")));
  auto rows = f.store->db().prepare("SELECT token_hash, message_id FROM download_links");
  while (rows.step()) {
    CHECK(rows.text_at(0).find(token) == std::string::npos);
    CHECK(rows.text_at(1).find(token) == std::string::npos);
  }

  // The reminder: another link.
  Account grace = account;
  grace.state = State::grace;
  REQUIRE(f.send(notifier, config, grace, "deletion_reminder", now + 24h * 20).ok());
  REQUIRE(notifier.sent.size() == 2);
  CHECK(notifier.sent[1].body.find(prefix) != std::string::npos);
  CHECK(notifier.sent[1].body.find(token) == std::string::npos);
  CHECK(f.links() == 2);
}

TEST_CASE("space delivery keeps today's notice, without a link", "[links]") {
  StoreFixture f;
  Account account = f.imported();
  account.delivery = "space";
  account.departure_date = date::year{2026} / 12 / 20;  // not departed: the space is still reachable
  RecordingNotifier notifier;
  NoticeExtras extras;  // the stack's export link, as the runner gives it
  extras.export_expires_at = local("2026-12-08T09:00:00");
  REQUIRE(f.send(notifier, link_config(), account, "export_ready", local("2026-12-01T10:30:00"), extras).ok());
  REQUIRE(notifier.sent.size() == 1);
  CHECK(notifier.sent[0].body.find("/d/") == std::string::npos);
  CHECK(notifier.sent[0].body.find("connectez-vous") != std::string::npos);
  CHECK(f.links() == 0);
}

TEST_CASE("without serve.public_url an archive notice is not sent: no_public_url", "[links]") {
  StoreFixture f;
  Account account = f.imported();
  Config config = link_config();
  config.serve.public_url.reset();
  RecordingNotifier notifier;
  Outcome<Done> refused = f.send(notifier, config, account, "export_ready", local("2026-12-01T10:30:00"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.failure().kind == FailureKind::permanent);
  CHECK(refused.failure().reason == "no_public_url");
  CHECK(notifier.sent.empty());
  CHECK(f.links() == 0);

  // The deletion notice still goes (the space is gone), without a link.
  Account purged = account;
  purged.state = State::purged;
  purged.purged_at = local("2027-01-02T03:00:00");
  REQUIRE(f.send(notifier, config, purged, "deletion_done", local("2027-01-02T03:00:00")).ok());
  REQUIRE(notifier.sent.size() == 1);
  CHECK(notifier.sent[0].body.find("/d/") == std::string::npos);
}
