#include <boost/json.hpp>

#include "engine/accounts/account.hpp"

namespace passage {

namespace json = boost::json;

std::string evidence_to_json(const Evidence& evidence) {
  if (evidence.empty()) return "";
  json::array parts;
  for (const PartEvidence& part : evidence.parts)
    parts.push_back(json::object{{"n", part.n},
                                 {"bytes", part.bytes},
                                 {"entries", part.entries},
                                 {"sha256", part.sha256}});
  json::object document{{"kind", evidence.kind}, {"export_id", evidence.export_id}, {"parts", parts}};
  return json::serialize(document);
}

std::optional<Evidence> evidence_from_json(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return std::nullopt;
  const json::object& document = value.as_object();
  const auto* kind = document.if_contains("kind");
  const auto* export_id = document.if_contains("export_id");
  const auto* parts = document.if_contains("parts");
  if (!kind || !kind->is_string() || !export_id || !export_id->is_string() || !parts ||
      !parts->is_array())
    return std::nullopt;
  Evidence evidence{std::string(kind->as_string()), std::string(export_id->as_string()), {}};
  for (const json::value& item : parts->as_array()) {
    if (!item.is_object()) return std::nullopt;
    const json::object& part = item.as_object();
    try {
      evidence.parts.push_back(PartEvidence{part.at("n").to_number<int>(),
                                            part.at("bytes").to_number<std::int64_t>(),
                                            part.at("entries").to_number<std::int64_t>(),
                                            std::string(part.at("sha256").as_string())});
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return evidence;
}

}  // namespace passage
