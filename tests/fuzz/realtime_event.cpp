// libFuzzer target: a text frame of the admin realtime websocket
// (engine/net/realtime_event.cpp), then the export document it may carry
// (export_event_of), as the cozy-admin backend reads them. Events for every
// instance arrive there, so any bytes may come. No crash, leak or
// exception; a done export kept on an account reads back the same.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/net/realtime_event.hpp"
#include "plugins/backends/cozy_answers.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto event = passage::parse_realtime_event(text);
  if (!event) return 0;
  require(!event->event.empty());
  const auto exported = passage::export_event_of(*event);
  if (!exported) return 0;
  require(!exported->id.empty() && !exported->domain.empty());
  if (exported->state != "done") return 0;
  require(exported->done.parts == static_cast<int>(exported->done.parts_cursors.size()) + 1);
  const auto kept = passage::export_done_from_json(passage::export_done_to_json(exported->done));
  require(kept && kept->parts_cursors == exported->done.parts_cursors && kept->export_id == exported->id);
  return 0;
}
