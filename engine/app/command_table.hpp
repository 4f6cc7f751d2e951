#pragma once
// What each command takes (CONTRACT.md "Command line"): its positional
// arguments and its own options. The global options are taken everywhere;
// anything else is refused before anything is opened or written (exit 2),
// never ignored.

#include <string>
#include <string_view>
#include <vector>

namespace passage {

struct CommandSpec {
  std::string_view command;    // the words naming it: "run", "account retry"
  std::string_view arguments;  // the words after it: "ID", "[NAME]" (optional), "" (none)
  std::string_view options;    // its own options: "--reason --by"
};

constexpr std::string_view k_global_options = "--config --db --now --quiet --verbose --help";

// One line per command; `--dry-run` only where it is truly read-only.
constexpr CommandSpec k_command_specs[] = {
    {"config check", "", ""},
    {"campaign create", "NAME", "--accounts"},
    {"campaign update", "NAME", "--accounts --dry-run"},
    {"campaign confirm", "NAME", "--by"},
    {"campaign list", "", "--json --all"},
    {"campaign close", "NAME", "--reason"},
    {"plan", "NAME", "--json"},
    {"run", "[NAME]", "--until-idle --max-duration"},
    {"status", "[NAME]", "--json"},
    {"account show", "ID", "--json"},
    {"account list", "", "--campaign --state --failure --json"},
    // One account by its ID, or many: --from FILE or the selectors.
    {"account hold", "[ID]", "--reason --by --from --campaign --state --failure"},
    {"account release", "[ID]", "--reason --by --from --campaign --state --failure"},
    {"account retry", "[ID]", "--reason --by --from --campaign --state --failure"},
    {"account cancel", "[ID]", "--reason --by --from --campaign --state --failure"},
    {"account postpone", "[ID]", "--days --until --reason --by --from --campaign --state --failure"},
    {"account reexport", "[ID]", "--reason --by --from --campaign --state --failure"},
    // Talks to the account's stack (reads its passphrase).
    {"account grant-access", "ID", "--days --reason --by"},
    {"purge", "", "--dry-run --reset-breaker --by"},
    {"nightly", "", "--dry-run"},
    {"report", "NAME", "--format --out --csv-separator"},
    {"audit verify", "", ""},
    {"plugins", "", ""},
    {"serve", "", "--public"},
    {"serve add-agent", "NAME", ""},
};

// The spec `words` (command, subcommand, arguments) name, after checking
// that the words and `options` (each "--name", as given) fit it. Throws
// BadInput naming the unknown command, the missing or extra argument, or
// the option the command does not take.
const CommandSpec& check_command_line(const std::vector<std::string>& words,
                                      const std::vector<std::string>& options);

}  // namespace passage
