#pragma once
// JSON shapes of the stack: JSON:API instance documents, export documents,
// job documents and errors.
#include "world.hpp"

#include <boost/json/object.hpp>
#include <string>

namespace sim {

// The instance's attributes; `with_secrets` adds what GET strips but the
// PATCH answer carries (passphrase_hash, session_secret, oauth_secret,
// cli_secret). False and empty fields are omitted, like the stack does.
boost::json::object instance_attributes(const InstanceView& v, bool with_secrets);
// {"type","id","attributes","meta","links"}
boost::json::object instance_resource(const InstanceView& v, bool with_secrets);
std::string instance_document(const InstanceView& v, bool with_secrets);

// {"event","payload":{"type":"instances","id","doc"}}: a change of the
// instance document in the global database, secrets included, as the
// stack's realtime hub publishes every write there.
std::string instance_event(const char* event, const InstanceView& v);

// The io.cozy.exports document (the realtime event's `doc`).
boost::json::object export_doc_json(const ExportDoc& e, const std::string& domain);
// {"event":"CREATED"|"UPDATED","payload":{"type":"io.cozy.exports","id","doc"}}
std::string export_event(const char* event, const ExportDoc& e, const std::string& domain);
// The job document the export POST answers with (not JSON:API).
std::string job_document(const std::string& job_id, const std::string& domain, bool admin_req,
                         std::int64_t queued_ms);

// {"errors":[{"status","title","detail"}]}
std::string error_document(int status, const std::string& title, const std::string& detail);

}  // namespace sim
