#include "engine/serve/move_routes.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "engine/archive/archive_paths.hpp"
#include "engine/serve/download_page.hpp"
#include "engine/serve/token.hpp"
#include "engine/store/move_tokens.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

namespace {

namespace json = boost::json;

constexpr std::string_view k_manifest_prefix = "/move/exports/";
constexpr std::string_view k_data_prefix = "/move/exports/data/";

struct MoveRoute {
  std::string token;
  bool data = false;
  std::optional<std::string> cursor;  // decoded
};

std::optional<MoveRoute> parse_move_route(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  const std::string path = url->path();
  MoveRoute route;
  if (path.starts_with(k_data_prefix)) {
    route.data = true;
    route.token = path.substr(k_data_prefix.size());
    if (auto cursor = url->params().find("cursor"); cursor != url->params().end())
      route.cursor = std::string((*cursor).value);
  } else if (path.starts_with(k_manifest_prefix)) {
    route.token = path.substr(k_manifest_prefix.size());
  } else {
    return std::nullopt;
  }
  return route;
}

PublicAnswer not_found() {
  return PublicAnswer{404, "text/html; charset=utf-8", not_found_page(), {}, {}, {}, {}, {}};
}

std::optional<std::string> domain_of(Database& db, std::int64_t account_id) {
  auto select = db.prepare("SELECT domain FROM accounts WHERE id = ?");
  select.bind(1, account_id);
  if (!select.step()) return std::nullopt;
  return select.text_at(0);
}

PublicAnswer manifest_answer(const ExportDone& done, const std::string& domain) {
  json::array cursors;
  for (const std::string& cursor : done.parts_cursors) cursors.push_back(json::string(cursor));
  json::object attributes{{"domain", domain},
                          {"state", "done"},
                          {"parts_cursors", cursors},
                          {"total_size", done.total_size}};
  json::object data{{"type", "io.cozy.exports"}, {"id", done.export_id}, {"attributes", attributes}};
  PublicAnswer answer;
  answer.status = 200;
  answer.content_type = "application/vnd.api+json";
  answer.body = json::serialize(json::object{{"data", data}});
  answer.served_path = std::string(k_served_manifest);
  return answer;
}

// Part 0 without a cursor; part k+1 for the k-th cursor.
std::optional<int> part_number(const ExportDone& done, const std::optional<std::string>& cursor) {
  if (!cursor) return 0;
  for (std::size_t k = 0; k < done.parts_cursors.size(); ++k)
    if (done.parts_cursors[k] == *cursor) return static_cast<int>(k + 1);
  return std::nullopt;
}

}  // namespace

std::optional<PublicAnswer> answer_move(Database& db, const Config& config, std::string_view target,
                                        Instant now) {
  auto route = parse_move_route(target);
  if (!route) return std::nullopt;
  if (!looks_like_token(route->token)) return not_found();
  const std::string hash = token_hash(route->token);
  auto token = find_move_token(db, hash);
  if (!token || !token->live(now)) return not_found();
  auto done = export_done_from_json(token->export_doc);
  auto domain = domain_of(db, token->account_id);
  if (!done || !domain) return not_found();
  PublicAnswer answer;
  if (!route->data) {
    answer = manifest_answer(*done, *domain);
  } else {
    auto n = part_number(*done, route->cursor);
    auto file = n ? archived_part(config.export_.archive_dir, *domain, token->account_id,
                                  done->export_id, *n)
                  : std::nullopt;
    if (!file) return not_found();
    answer.status = 200;
    answer.content_type = "application/zip";
    answer.file = *file;
    answer.served_path = served_part_path(*n);
  }
  answer.account_id = token->account_id;
  answer.token_hash = hash;
  return answer;
}

}  // namespace passage
