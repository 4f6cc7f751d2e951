// What `passage serve --public` answers (engine/serve/public_routes,
// download_page), without the network: the page and the parts of a live
// link, one 404 for everything else, escaping, the token never stored.

#include <catch2/catch.hpp>

#include <fstream>

#include "engine/archive/archive_paths.hpp"
#include "engine/serve/download_link.hpp"
#include "engine/serve/download_page.hpp"
#include "engine/serve/public_routes.hpp"
#include "engine/store/download_links.hpp"
#include "engine/store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Instant local(std::string_view text) {
  auto at = parse_iso_instant(text, paris());
  REQUIRE(at);
  return *at;
}

struct Fixture {
  passage::testing::TempDir temp{"passage-public-test"};
  Config config;
  std::unique_ptr<Store> store;
  Account account;
  std::string token;
  Instant now = local("2026-12-01T10:30:00");

  Fixture() {
    config.zone = paris();
    config.export_.archive_dir = temp.path() / "archive";
    config.export_.archive_retention = CalendarSpan{90, SpanUnit::day};
    config.serve.public_url = "https://passage.example.org";
    store = std::make_unique<Store>(temp.path() / "passage.db");
    NewAccount row;
    row.row.login = "alice";
    row.row.domain = "alice.mytoutatice.cloud";
    row.row.email = "alice@example.org";
    row.row.departure_date = date::year{2026} / 11 / 1;
    row.stack = "academy";
    row.due_at = now;
    row.delivery = "archive";
    std::int64_t campaign = store->create_campaign("c1", "a.csv", {row}, now, "test");
    Account before = store->accounts_of(campaign).front();
    Transition verified{before, {}, "state", "test"};
    verified.next.state = State::notified;
    verified.next.evidence = Evidence{"export", "exp<1>", {PartEvidence{0, 5, 1, std::string(64, 'a'), {}},
                                                           PartEvidence{1, 3, 1, std::string(64, 'b'), {}}}, {}, {}};
    verified.next.grace_end = local("2027-01-01T10:00:00");
    REQUIRE(store->commit(before, verified, now, "test"));
    account = *store->account(before.id);
    fs::path folder = archive_folder(config.export_.archive_dir, account.domain, account.id);
    fs::create_directories(folder);
    std::ofstream(folder / archive_part_name("exp<1>", 0), std::ios::binary) << "PK-00";
    std::ofstream(folder / archive_part_name("exp<1>", 1), std::ios::binary) << "PK1";
    IssuedLink link = issue_download_link(store->db(), config, account, "export_ready.x@passage", now);
    token = link.url.substr(link.url.rfind('/') + 1);
  }
  ~Fixture() { store.reset(); }

  PublicAnswer get(const std::string& target, Instant at) {
    return answer_public(store->db(), config, "GET", target, at);
  }
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a live link opens a French page listing every part with its size and the expiry",
          "[serve]") {
  Fixture f;
  PublicAnswer page = f.get("/d/" + f.token, f.now + 1h);
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK_FALSE(page.file);
  CHECK(page.body.find("<html lang=\"fr\">") != std::string::npos);
  CHECK(page.body.find("alice.mytoutatice.cloud") != std::string::npos);
  CHECK(page.body.find("8 décembre 2026 à 10:30") != std::string::npos);
  CHECK(page.body.find("href=\"" + f.token + "/0\"") != std::string::npos);
  CHECK(page.body.find("href=\"" + f.token + "/1\"") != std::string::npos);
  CHECK(page.body.find("5 octets") != std::string::npos);
  CHECK(page.body.find("<script") == std::string::npos);
  // The export id comes from the stack: escaped, never markup.
  CHECK(page.body.find("exp<1>") == std::string::npos);
  CHECK(page.account_id == f.account.id);
  CHECK(page.served_path == "/d/*");
  CHECK(page.token_hash.size() == 64);
  CHECK(page.token_hash.find(f.token) == std::string::npos);

  PublicAnswer slash = f.get("/d/" + f.token + "/?utm=x", f.now);
  REQUIRE(slash.status == 200);
  CHECK(slash.body.find("href=\"0\"") != std::string::npos);
}

TEST_CASE("a part is streamed from its file, named for download", "[serve]") {
  Fixture f;
  PublicAnswer part = f.get("/d/" + f.token + "/1", f.now);
  REQUIRE(part.status == 200);
  CHECK(part.content_type == "application/zip");
  REQUIRE(part.file);
  CHECK(read(*part.file) == "PK1");
  CHECK(part.download_name == "alice.mytoutatice.cloud-exp_1_-part001.zip");
  CHECK(part.served_path == "/d/*/1");
}

TEST_CASE("unknown, expired, removed and other paths are the same 404", "[serve]") {
  Fixture f;
  const std::string not_found = not_found_page();
  auto check_404 = [&](const PublicAnswer& answer) {
    CHECK(answer.status == 404);
    CHECK(answer.body == not_found);
    CHECK_FALSE(answer.file);
    CHECK_FALSE(answer.account_id);
  };
  std::string wrong = f.token;
  wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
  check_404(f.get("/d/" + wrong, f.now));
  check_404(f.get("/d/" + wrong + "/0", f.now));
  check_404(f.get("/d/short", f.now));
  check_404(f.get("/d/" + f.token + "/2", f.now));        // no such part
  check_404(f.get("/d/" + f.token + "/x", f.now));
  check_404(f.get("/d/" + f.token + "/0/extra", f.now));
  check_404(f.get("/", f.now));
  check_404(f.get("/d/", f.now));
  check_404(f.get("/../passage.db", f.now));
  // Expired: 7 days after it was issued.
  check_404(f.get("/d/" + f.token, f.now + 7 * 24h));
  CHECK(f.get("/d/" + f.token, f.now + 7 * 24h - 1ms).status == 200);
  // The files gone: 404 as well.
  fs::remove_all(archive_folder(f.config.export_.archive_dir, f.account.domain, f.account.id));
  check_404(f.get("/d/" + f.token, f.now));
}

TEST_CASE("a link dies with the archive's retention after the deletion", "[serve]") {
  Fixture f;
  f.config.export_.archive_retention = CalendarSpan{1, SpanUnit::day};
  Transition purged{f.account, {}, "state", "test"};
  purged.next.state = State::purged;
  purged.next.purged_at = f.now + 1h;
  REQUIRE(f.store->commit(f.account, purged, f.now + 1h, "test"));
  CHECK(f.get("/d/" + f.token, f.now + 24h).status == 200);
  CHECK(f.get("/d/" + f.token, f.now + 25h).status == 404);
}

TEST_CASE("other methods on /d/ are refused with 405", "[serve]") {
  Fixture f;
  PublicAnswer post = answer_public(f.store->db(), f.config, "POST", "/d/" + f.token, f.now);
  CHECK(post.status == 405);
  CHECK(answer_public(f.store->db(), f.config, "DELETE", "/d/x/0", f.now).status == 405);
  CHECK(answer_public(f.store->db(), f.config, "HEAD", "/d/" + f.token + "/0", f.now).status == 200);
  CHECK(answer_public(f.store->db(), f.config, "POST", "/other", f.now).status == 404);
}

TEST_CASE("served records keep the hash and the masked path, never the token", "[serve]") {
  Fixture f;
  PublicAnswer part = f.get("/d/" + f.token + "/0", f.now);
  record_served(f.store->db(), ServedRecord{f.now, part.account_id, part.token_hash, part.served_path, 5});
  auto rows = f.store->db().prepare("SELECT account_id, token_hash, path, bytes FROM served");
  REQUIRE(rows.step());
  CHECK(rows.int_at(0) == f.account.id);
  CHECK(rows.text_at(1).find(f.token) == std::string::npos);
  CHECK(rows.text_at(2) == "/d/*/0");
  CHECK(rows.int_at(3) == 5);
}

TEST_CASE("French sizes", "[serve]") {
  CHECK(french_size(0) == "0 octet");
  CHECK(french_size(999) == "999 octets");
  CHECK(french_size(1000) == "1\u00a0ko");
  CHECK(french_size(1'234'567) == "1,2\u00a0Mo");
  CHECK(french_size(5'000'000'000) == "5\u00a0Go");
}
