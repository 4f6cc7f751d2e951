#include "engine/serve/public_routes.hpp"

#include <charconv>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/archive/archive_paths.hpp"
#include "engine/notices/notices.hpp"
#include "engine/serve/download_page.hpp"
#include "engine/serve/move_routes.hpp"
#include "engine/serve/token.hpp"
#include "engine/store/download_links.hpp"

namespace passage {

namespace {

namespace fs = std::filesystem;

struct Route {
  std::string token;
  std::optional<int> part;  // none: the page
  bool trailing_slash = false;
};

// "/d/<token>", "/d/<token>/" or "/d/<token>/<n>"; the query is ignored.
std::optional<Route> parse_route(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (!target.starts_with("/d/")) return std::nullopt;
  std::string_view rest = target.substr(3);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return Route{std::string(rest), std::nullopt, false};
  Route route{std::string(rest.substr(0, slash)), std::nullopt, false};
  const std::string_view tail = rest.substr(slash + 1);
  if (tail.empty()) {
    route.trailing_slash = true;
    return route;
  }
  int n = 0;
  const auto [end, error] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
  if (error != std::errc{} || end != tail.data() + tail.size() || n < 0 || tail.size() > 4)
    return std::nullopt;
  route.part = n;
  return route;
}

struct PartFile {
  int n = 0;
  fs::path path;
  std::int64_t bytes = 0;
};

struct LiveArchive {
  std::int64_t account_id = 0;
  std::string domain;
  std::string export_id;
  Instant expires_at;
  std::vector<PartFile> parts;
};

struct AccountRowView {
  std::string domain;
  std::string state;
  std::optional<Instant> purged_at;
  Evidence evidence;
};

std::optional<AccountRowView> read_account(Database& db, std::int64_t id) {
  auto select = db.prepare("SELECT domain, state, purged_at, evidence FROM accounts WHERE id = ?");
  select.bind(1, id);
  if (!select.step()) return std::nullopt;
  AccountRowView row{select.text_at(0), select.text_at(1), std::nullopt, {}};
  if (auto purged = select.optional_text_at(2)) row.purged_at = parse_utc(*purged);
  row.evidence = evidence_from_json(select.text_at(3)).value_or(Evidence{});
  return row;
}

// The archive a link opens, if the link is known and unexpired and the
// archive is still kept (its retention after the deletion not over, its
// files there).
std::optional<LiveArchive> live_archive(Database& db, const Config& config, const std::string& token,
                                        Instant now) {
  if (!looks_like_token(token)) return std::nullopt;
  auto link = find_download_link(db, token_hash(token));
  if (!link || now >= link->expires_at) return std::nullopt;
  auto account = read_account(db, link->account_id);
  if (!account || account->evidence.kind != "export") return std::nullopt;
  if (account->state == "PURGED" && account->purged_at &&
      add_span(*account->purged_at, config.export_.archive_retention, config.zone) <= now)
    return std::nullopt;
  LiveArchive archive{link->account_id, account->domain, account->evidence.export_id,
                      link->expires_at, {}};
  for (const PartEvidence& part : account->evidence.parts) {
    auto file = archived_part(config.export_.archive_dir, account->domain, link->account_id,
                              account->evidence.export_id, part.n);
    std::error_code error;
    const auto size = file ? fs::file_size(*file, error) : 0;
    if (file && !error) archive.parts.push_back(PartFile{part.n, *file, static_cast<std::int64_t>(size)});
  }
  if (archive.parts.empty()) return std::nullopt;
  return archive;
}

// "15 janvier 2027 à 14:00" (local time of the academy).
std::string french_moment(Instant at, const date::time_zone* zone) {
  const auto local = to_local_time(at, zone);
  const auto day = date::floor<date::days>(local);
  const auto minutes = date::floor<std::chrono::minutes>(local - day).count();
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return format_long_date(date::year_month_day{day}, "fr") + " à " + time;
}

std::string download_name(const LiveArchive& archive, int n) {
  return archive.domain + "-" + archive_part_name(archive.export_id, n);
}

PublicAnswer page_answer(const LiveArchive& archive, const Config& config, const Route& route) {
  DownloadPage page{archive.domain, french_moment(archive.expires_at, config.zone), {}};
  // Relative links: right behind a proxy that adds a path prefix too.
  const std::string prefix = route.trailing_slash ? "" : route.token + "/";
  for (const PartFile& part : archive.parts)
    page.parts.push_back(PagePart{download_name(archive, part.n), prefix + std::to_string(part.n), part.bytes});
  PublicAnswer answer;
  answer.status = 200;
  answer.body = render_download_page(page);
  answer.served_path = "/d/*";
  return answer;
}

PublicAnswer part_answer(const LiveArchive& archive, int n) {
  for (const PartFile& part : archive.parts) {
    if (part.n != n) continue;
    PublicAnswer answer;
    answer.status = 200;
    answer.content_type = "application/zip";
    answer.file = part.path;
    answer.download_name = download_name(archive, n);
    answer.served_path = "/d/*/" + std::to_string(n);
    return answer;
  }
  return PublicAnswer{404, "text/html; charset=utf-8", not_found_page(), {}, {}, {}, {}, {}};
}

}  // namespace

PublicAnswer answer_public(Database& db, const Config& config, std::string_view method,
                           std::string_view target, Instant now) {
  PublicAnswer not_found{404, "text/html; charset=utf-8", not_found_page(), {}, {}, {}, {}, {}};
  if (target == k_public_health_path) {
    PublicAnswer healthy{200, "text/plain; charset=utf-8", "ok\n", {}, {}, {}, {}, {}};
    return healthy;
  }
  auto route = parse_route(target);
  const bool move = !route && target.starts_with("/move/exports/");
  if (!route && !move) return not_found;
  if (method != "GET" && method != "HEAD") {
    PublicAnswer refused = not_found;
    refused.status = 405;
    refused.body.clear();
    refused.content_type = "text/plain; charset=utf-8";
    return refused;
  }
  if (move) return answer_move(db, config, target, now).value_or(not_found);
  auto archive = live_archive(db, config, route->token, now);
  if (!archive) return not_found;
  PublicAnswer answer = route->part ? part_answer(*archive, *route->part)
                                    : page_answer(*archive, config, *route);
  if (answer.status == 200) {
    answer.account_id = archive->account_id;
    answer.token_hash = token_hash(route->token);
  }
  return answer;
}

}  // namespace passage
