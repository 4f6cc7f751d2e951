#include "tests/integration/move_probe.hpp"

#include <catch2/catch.hpp>

#include "tests/integration/probe.hpp"

namespace passage::testing::faults {

namespace json = boost::json;

std::string mover_login(const FaultStand& stand) { return login_of(stand.accounts()); }
std::string mover_source(const FaultStand& stand) { return mover_login(stand) + ".mytoutatice.cloud"; }
std::string mover_target(const FaultStand& stand) { return mover_login(stand) + ".partner.test"; }

std::string blocking_reason(const CozySim& sim, const std::string& domain) {
  const json::object attributes = sim.instance_attributes(domain);
  INFO("GET /instances/" << domain);
  REQUIRE_FALSE(attributes.empty());
  const json::value* blocked = attributes.if_contains("blocked");
  if (!blocked || !blocked->is_bool() || !blocked->as_bool()) return "";
  const json::value* reason = attributes.if_contains("blocking_reason");
  return reason && reason->is_string() ? std::string(reason->as_string()) : "UNKNOWN";
}

ProcessResult desk_action(FaultStand& stand, const std::string& action, const std::string& reason) {
  return stand.run(Step{std::chrono::seconds(0),
                        {"account", action, mover_login(stand), "--reason", reason, "--by", "desk"}});
}

ProcessResult release_then_run(FaultStand& stand, const std::string& reason, std::chrono::seconds after) {
  ProcessResult released = desk_action(stand, "release", reason);
  INFO("release: " << released.out << released.err);
  REQUIRE(released.exit_code == 0);
  return stand.run(Step{after, {"run", "--until-idle"}});
}

std::string mover_column(FaultStand& stand, const std::string& column) {
  return Db(stand.ws.database())
      .rows("SELECT " + column + " FROM accounts WHERE login = '" + mover_login(stand) + "'")[0][0];
}

std::string journal_text(FaultStand& stand) {
  std::string text;
  for (const auto& entry : Db(stand.ws.database()).rows("SELECT kind, detail FROM journal ORDER BY seq"))
    text += entry[0] + ": " + entry[1] + "\n";
  return text;
}

bool import_intent_open(FaultStand& stand) {
  Db db(stand.ws.database());
  return db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'import' AND outcome IS NULL") > 0;
}

std::int64_t move_tokens_issued(FaultStand& stand) {
  return Db(stand.ws.database()).scalar("SELECT COUNT(*) FROM move_tokens");
}

std::int64_t move_tokens_revoked(FaultStand& stand) {
  return Db(stand.ws.database()).scalar("SELECT COUNT(*) FROM move_tokens WHERE revoked_at IS NOT NULL");
}

}  // namespace passage::testing::faults
