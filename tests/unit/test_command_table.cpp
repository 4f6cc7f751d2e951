// What each command takes (engine/app/command_table.hpp): anything else is
// refused with one message naming it and the command.

#include <catch2/catch.hpp>

#include "engine/app/app.hpp"
#include "engine/app/command_table.hpp"
#include "engine/app/usage.hpp"

using namespace passage;

namespace {

using Words = std::vector<std::string>;

std::string refusal(const Words& words, const Words& options = {}) {
  try {
    check_command_line(words, options);
  } catch (const BadInput& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the command line fits the command's spec or is refused naming what does not fit", "[cli]") {
  CHECK(check_command_line({"run"}, {"--until-idle", "--now", "--config"}).command == "run");
  CHECK(check_command_line({"run", "c1"}, {}).command == "run");
  CHECK(check_command_line({"account", "retry", "u1"}, {"--reason", "--by"}).command == "account retry");
  CHECK(check_command_line({"purge"}, {"--dry-run", "--quiet"}).command == "purge");
  CHECK(check_command_line({"campaign", "update", "c1"}, {"--accounts", "--dry-run"}).command ==
        "campaign update");

  CHECK(refusal({"run"}, {"--dry-run"}) == "run does not take --dry-run (see passage run --help)");
  CHECK(refusal({"account", "retry", "a", "b"}, {"--reason", "--by"}) ==
        "account retry does not take the argument 'b' (usage: account retry [ID]; see passage account --help)");
  CHECK(refusal({"account", "show"}) == "account show: missing ID (see passage account --help)");
  CHECK(refusal({"account", "list", "u1"}) ==
        "account list does not take the argument 'u1' (usage: account list; see passage account --help)");
  CHECK(refusal({"account", "show", "u1"}, {"--from"}) ==
        "account show does not take --from (see passage account --help)");
  CHECK(check_command_line({"account", "hold"}, {"--state", "--failure", "--reason", "--by"}).command ==
        "account hold");
  CHECK(refusal({"status", "c1", "c2"}) ==
        "status does not take the argument 'c2' (usage: status [NAME]; see passage status --help)");
  CHECK(refusal({"plugins", "x"}) ==
        "plugins does not take the argument 'x' (usage: plugins; see passage plugins --help)");
  CHECK(refusal({"account", "show", "u1"}, {"--days"}) ==
        "account show does not take --days (see passage account --help)");
  CHECK(refusal({"account"}) ==
        "account: missing subcommand (show, list, hold, release, retry, cancel, postpone, reexport, grant-access)");
  CHECK(refusal({"campaign", "delete", "c1"}) ==
        "campaign delete: not a campaign subcommand (create, update, confirm, list, close)");
  CHECK(refusal({"frobnicate"}) == "unknown command 'frobnicate' (see passage --help)");
  CHECK(refusal({"nightly"}, {"--reset-breaker"}) == "nightly does not take --reset-breaker (see passage nightly --help)");
  // `serve` alone is a command; `serve add-agent NAME` its subcommand.
  CHECK(check_command_line({"serve"}, {"--public"}).command == "serve");
  CHECK(check_command_line({"serve", "add-agent", "jane"}, {}).command == "serve add-agent");
  CHECK(refusal({"serve", "add-agent"}) == "serve add-agent: missing NAME (see passage serve --help)");
  CHECK(refusal({"serve", "start"}) == "serve start: not a serve subcommand (add-agent)");
  CHECK(refusal({"serve", "add-agent", "jane"}, {"--public"}) ==
        "serve add-agent does not take --public (see passage serve --help)");
}

TEST_CASE("only purge, nightly and campaign update take --dry-run", "[cli]") {
  std::vector<std::string> with_dry_run;
  for (const CommandSpec& spec : k_command_specs)
    if (std::string(spec.options).find("--dry-run") != std::string::npos)
      with_dry_run.emplace_back(spec.command);
  CHECK(with_dry_run == std::vector<std::string>{"campaign update", "purge", "nightly"});
}

TEST_CASE("every command in the table has its own help", "[cli]") {
  for (const CommandSpec& spec : k_command_specs) {
    std::string first(spec.command.substr(0, spec.command.find(' ')));
    INFO(spec.command);
    CHECK(usage_text(first).rfind("usage: passage " + first, 0) == 0);
  }
}
