#pragma once
// The cozy-admin backend's reading of the admin API's JSON answers and of
// export documents (COZY.md: JSON:API, numbers as strings, zero values
// omitted, secrets in the instance document). Pure: the body in, a value
// or a classified failure out, never an exception; so it is unit-tested
// and fuzzed (tests/fuzz/cozy_answers.cpp) without a network.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "engine/net/realtime_event.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

// An export document seen on the admin socket (COZY.md "Export events").
struct ExportEvent {
  std::string domain;
  std::string id;
  std::string state;                  // exporting, done, error
  std::string error;                  // the stack's reason when state is error
  std::optional<Instant> created_at;  // stack time
  ExportDone done;                    // when state is done
  // A CREATED event of a `done` document: only the stack's NotifyRealtime
  // sends one, after an admin-req=true export (COZY.md "Export events").
  // A person's own export or a move's export never gets it.
  bool announced_done = false;
  // `with_doctypes` listed: an export of some doctypes only (a person can
  // ask for one); never a whole space, never Passage's.
  bool partial = false;
  bool finished() const { return state == "done" || state == "error"; }
};

// The export document in a realtime event, if it is one.
std::optional<ExportEvent> export_event_of(const RealtimeEvent& event);

// The job document of an export's 202 ({"queued_at"} or JSON:API): its
// `queued_at`, stack time.
std::optional<Instant> queued_at_of(std::string_view body);

// GET /instances/:domain answered 2xx: the fields Passage keeps (never the
// secrets the answer may carry); domain_alias (permanent) when the
// instance is another domain's; answer_unreadable (retryable) otherwise.
Outcome<InstanceInfo> read_instance_answer(const std::string& listed, std::string_view body);

// GET /instances/count answered 2xx: the count, or nullopt when unreadable.
std::optional<double> read_instance_count(std::string_view body);

// GET /instances/:domain/disk-usage answered 2xx.
Outcome<DiskUsage> read_disk_usage_answer(std::string_view body);

// GET /instances/:domain/last-activity answered 2xx: the day it names.
Outcome<date::year_month_day> read_last_activity_answer(std::string_view body);

// The disk-usage answer's numbers (strings; zero values omitted).
std::optional<DiskUsage> disk_usage_of(const boost::json::object& document);

// The lookup matches an alias too and answers with the main domain (COZY.md
// "Reading answers safely"; a DELETE of the alias destroys the main
// instance): "domain_alias: <main domain>" when the instance's `domain`
// attribute is not the listed one (case-insensitive), else nullopt.
std::optional<std::string> domain_alias_problem(const std::string& listed,
                                                const boost::json::object& attributes);

}  // namespace passage
