#include "render.hpp"

#include "hash.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace sim {
namespace {

std::string secret(std::uint64_t key, std::uint64_t purpose) {
  // base64-looking, like the []byte fields Go marshals.
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (int i = 0; i < 43; ++i) out += k_alphabet[mix64(key ^ (purpose * 977 + static_cast<std::uint64_t>(i))) % 64];
  return out + "=";
}

}  // namespace

json::object instance_attributes(const InstanceView& v, bool with_secrets) {
  const auto& p = v.profile;
  json::object a;
  a["domain"] = v.domain;
  a["prefix"] = "cozy" + hex64(p.key).substr(0, 12);
  a["locale"] = v.locale;
  a["uuid"] = couch_id(p.key ^ 1);
  a["oidc_id"] = v.domain.substr(0, v.domain.find('.'));
  a["context"] = "mytoutatice";
  a["indexes_version"] = 31;
  if (v.quota > 0) a["disk_quota"] = std::to_string(v.quota);
  if (p.onboarded) a["onboarding_finished"] = true;
  if (!p.onboarded) a["register_token"] = secret(p.key, 1);
  if (p.reset_token) {
    a["passphrase_reset_token"] = secret(p.key, 2);
    a["passphrase_reset_time"] = "2026-01-15T08:00:00Z";
  }
  if (v.blocked) a["blocked"] = true;
  if (!v.blocking_reason.empty()) a["blocking_reason"] = v.blocking_reason;
  if (v.deleting) a["deleting"] = true;
  if (v.moved) a["moved"] = true;
  if (with_secrets) {
    a["passphrase_hash"] = secret(p.key, 3);
    a["session_secret"] = secret(p.key, 4);
    a["oauth_secret"] = secret(p.key, 5);
    a["cli_secret"] = secret(p.key, 6);
  }
  return a;
}

std::string instance_event(const char* event, const InstanceView& v) {
  const auto id = couch_id(v.profile.key);
  json::object doc = instance_attributes(v, true);
  doc["_id"] = id;
  doc["_rev"] = std::to_string(v.rev) + "-" + hex64(mix64(v.profile.key + v.rev));
  if (std::string_view(event) == "DELETED") doc["_deleted"] = true;
  return json::serialize(json::object{
      {"event", event}, {"payload", {{"type", "instances"}, {"id", id}, {"doc", std::move(doc)}}}});
}

json::object instance_resource(const InstanceView& v, bool with_secrets) {
  const auto id = couch_id(v.profile.key);
  return {{"type", "instances"},
          {"id", id},
          {"attributes", instance_attributes(v, with_secrets)},
          {"meta", {{"rev", std::to_string(v.rev) + "-" + hex64(mix64(v.profile.key + v.rev))}}},
          {"links", {{"self", "/instances/" + id}}}};
}

std::string instance_document(const InstanceView& v, bool with_secrets) {
  return json::serialize(json::object{{"data", instance_resource(v, with_secrets)}});
}

json::object export_doc_json(const ExportDoc& e, const std::string& domain) {
  const bool done = e.state == "done";
  json::array cursors;  // the stack knows them once the job has listed the files
  if (done)
    for (const auto& c : e.plan.cursors) cursors.emplace_back(c);
  json::object o{{"_id", e.id},
                 {"_rev", std::to_string(e.rev) + "-" + hex64(mix64(std::hash<std::string>{}(e.id) + e.rev))},
                 {"domain", domain},
                 {"parts_size", e.plan.parts_size},
                 {"parts_cursors", std::move(cursors)},
                 {"state", e.state},
                 {"created_at", format_iso(e.created_ms)},
                 {"expires_at", format_iso(e.expires_ms)},
                 {"total_size", done ? e.total_size : -1}};
  if (!e.error.empty()) o["error"] = e.error;
  return o;
}

std::string export_event(const char* event, const ExportDoc& e, const std::string& domain) {
  json::object o{{"event", event},
                 {"payload", {{"type", "io.cozy.exports"}, {"id", e.id}, {"doc", export_doc_json(e, domain)}}}};
  return json::serialize(o);
}

std::string job_document(const std::string& job_id, const std::string& domain, bool admin_req,
                         std::int64_t queued_ms) {
  json::object o{{"_id", job_id},
                 {"_rev", "1-" + job_id.substr(0, 16)},
                 {"domain", domain},
                 {"worker", "export"},
                 {"message", {{"parts_size", 0}, {"max_age", 0}, {"contextual_domain", domain}, {"admin_req", admin_req}}},
                 {"event", nullptr},
                 {"state", "queued"},
                 {"queued_at", format_iso(queued_ms)},
                 {"started_at", "0001-01-01T00:00:00Z"},
                 {"finished_at", "0001-01-01T00:00:00Z"}};
  return json::serialize(o);
}

std::string error_document(int status, const std::string& title, const std::string& detail) {
  json::object e{{"status", std::to_string(status)}, {"title", title}, {"detail", detail}};
  return json::serialize(json::object{{"errors", json::array{std::move(e)}}});
}

}  // namespace sim
