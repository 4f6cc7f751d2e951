#pragma once
// One message of the Cozy admin realtime websocket (COZY.md "GET
// /realtime/"), read from its text. Pure: no socket here, so that the
// reading can be tested and fuzzed alone (tests/fuzz/realtime_event.cpp).

#include <optional>
#include <string>
#include <string_view>

namespace passage {

struct RealtimeEvent {
  std::string event;    // CREATED, UPDATED, DELETED, error
  std::string doctype;  // payload.type
  std::string id;       // payload.id
  std::string doc;      // payload.doc as JSON text
};

// The event a text frame carries; nullopt for anything that is not an
// event message (invalid JSON, no `event`, a non-error event without an
// object payload). Never throws.
std::optional<RealtimeEvent> parse_realtime_event(std::string_view text);

}  // namespace passage
