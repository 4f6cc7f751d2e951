#include <boost/json.hpp>

#include "plugins/backends/backend.hpp"

namespace passage {

namespace json = boost::json;

std::string export_done_to_json(const ExportDone& done) {
  json::array cursors;
  for (const std::string& cursor : done.parts_cursors) cursors.push_back(json::string(cursor));
  return json::serialize(json::object{{"export_id", done.export_id},
                                      {"parts", done.parts},
                                      {"total_size", done.total_size},
                                      {"parts_cursors", cursors}});
}

std::optional<ExportDone> export_done_from_json(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return std::nullopt;
  try {
    const json::object& document = value.as_object();
    ExportDone done;
    done.export_id = std::string(document.at("export_id").as_string());
    done.parts = document.at("parts").to_number<int>();
    done.total_size = document.at("total_size").to_number<std::int64_t>();
    for (const json::value& cursor : document.at("parts_cursors").as_array())
      done.parts_cursors.emplace_back(cursor.as_string());
    return done;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}


boost::asio::awaitable<Outcome<DiskUsage>> Backend::disk_usage(std::string domain) {
  auto info = co_await lookup(domain);
  if (!info.ok()) co_return info.failure();
  co_return DiskUsage{info.value().disk_used, info.value().disk_used, 0};
}

}  // namespace passage
