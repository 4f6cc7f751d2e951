// What an export event says about whose export it is (cozy_answers.hpp):
// only an admin request's export is announced done by a CREATED event, and
// an export of some doctypes only is never a whole space.
#include <catch2/catch.hpp>

#include "engine/net/realtime_event.hpp"
#include "plugins/backends/cozy_answers.hpp"

using namespace passage;

namespace {

std::optional<ExportEvent> event_of(const std::string& verb, const std::string& doc_fields) {
  const std::string text = R"({"event":")" + verb +
                           R"(","payload":{"type":"io.cozy.exports","id":"e1","doc":{"_id":"e1","domain":"a.test",)" +
                           R"("created_at":"2026-11-25T09:00:00Z",)" + doc_fields + "}}}";
  const auto realtime = parse_realtime_event(text);
  REQUIRE(realtime);
  return export_event_of(*realtime);
}

}  // namespace

TEST_CASE("export events: only a CREATED event of a done export is an admin request's announcement",
          "[cozy-admin][export-events]") {
  const auto updated = event_of("UPDATED", R"("state":"done","parts_cursors":[])");
  REQUIRE(updated);
  CHECK(updated->finished());
  CHECK_FALSE(updated->announced_done);
  const auto created_done = event_of("CREATED", R"("state":"done","parts_cursors":[])");
  REQUIRE(created_done);
  CHECK(created_done->announced_done);
  const auto created_exporting = event_of("CREATED", R"("state":"exporting","total_size":-1)");
  REQUIRE(created_exporting);
  CHECK_FALSE(created_exporting->announced_done);
}

TEST_CASE("export events: an export listing with_doctypes is partial",
          "[cozy-admin][export-events]") {
  const auto some = event_of("CREATED", R"("state":"done","with_doctypes":["io.cozy.files"])");
  REQUIRE(some);
  CHECK(some->partial);
  const auto empty = event_of("CREATED", R"("state":"done","with_doctypes":[])");
  REQUIRE(empty);
  CHECK_FALSE(empty->partial);
  const auto none = event_of("CREATED", R"("state":"done")");
  REQUIRE(none);
  CHECK_FALSE(none->partial);
}
