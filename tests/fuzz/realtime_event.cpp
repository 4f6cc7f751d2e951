// Fuzz target: a text frame of the admin realtime websocket
// (engine/net/realtime_event.cpp), then the export document it may carry
// (export_event_of), as the cozy-admin backend reads them. Events of every
// instance arrive there, so any bytes may come. No crash, leak or
// exception; a done export kept on an account reads back the same.

#include "engine/net/realtime_event.hpp"
#include "plugins/backends/cozy_answers.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace passage::fuzz {

void realtime_event(std::string_view input) {
  const auto event = parse_realtime_event(input);
  if (!event) return;
  require(!event->event.empty(), "an event has a name");
  const auto exported = export_event_of(*event);
  if (!exported) return;
  require(!exported->id.empty() && !exported->domain.empty(), "an export event has an id and a domain");
  if (exported->state != "done") return;
  require(exported->done.parts == static_cast<int>(exported->done.parts_cursors.size()) + 1,
          "n parts for n-1 cursors");
  const auto kept = export_done_from_json(export_done_to_json(exported->done));
  require(kept && kept->parts_cursors == exported->done.parts_cursors && kept->export_id == exported->id,
          "a done export kept on an account reads back the same");
}

}  // namespace passage::fuzz

PASSAGE_FUZZ_ENTRY(passage::fuzz::realtime_event)
