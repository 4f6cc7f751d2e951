#include "engine/net/realtime_event.hpp"

#include <boost/json.hpp>

namespace passage {

namespace {

namespace json = boost::json;

std::string string_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string());
}

}  // namespace

std::optional<RealtimeEvent> parse_realtime_event(std::string_view text) {
  boost::system::error_code ec;
  const json::value message = json::parse(text, ec);
  if (ec || !message.is_object()) return std::nullopt;
  const json::object& object = message.get_object();
  RealtimeEvent event;
  event.event = string_field(object, "event");
  if (event.event.empty()) return std::nullopt;
  const json::value* payload = object.if_contains("payload");
  if (event.event == "error") {
    // {"status","code","title","source"}: passed on whole as the doc.
    event.doc = payload != nullptr ? json::serialize(*payload) : std::string("{}");
    return event;
  }
  if (payload == nullptr || !payload->is_object()) return std::nullopt;
  const json::object& fields = payload->get_object();
  event.doctype = string_field(fields, "type");
  event.id = string_field(fields, "id");
  if (const json::value* doc = fields.if_contains("doc")) event.doc = json::serialize(*doc);
  return event;
}

}  // namespace passage
