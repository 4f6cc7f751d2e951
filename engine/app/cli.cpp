// Parsing the command line and dispatching to one command.

#include <iostream>

#include <boost/program_options.hpp>

#include "engine/app/app.hpp"
#include "engine/app/command_table.hpp"
#include "engine/app/usage.hpp"
#include "engine/env/faults.hpp"
#include "engine/env/local_write.hpp"

namespace passage {

namespace po = boost::program_options;

namespace {

po::options_description all_options() {
  po::options_description options;
  options.add_options()
      ("config", po::value<std::string>(), "")
      ("db", po::value<std::string>(), "")
      ("now", po::value<std::string>(), "")
      ("accounts", po::value<std::string>(), "")
      ("by", po::value<std::string>(), "")
      ("reason", po::value<std::string>(), "")
      ("days", po::value<int>(), "")
      ("until", po::value<std::string>(), "")
      ("format", po::value<std::string>(), "")
      ("out", po::value<std::string>(), "")
      ("csv-separator", po::value<std::string>(), "")
      ("max-duration", po::value<std::string>(), "")
      ("from", po::value<std::string>(), "")
      ("campaign", po::value<std::string>(), "")
      ("state", po::value<std::string>(), "")
      ("failure", po::value<std::string>(), "")
      ("json", po::bool_switch(), "")
      ("quiet", po::bool_switch(), "")
      ("verbose", po::bool_switch(), "")
      ("help,h", po::bool_switch(), "")
      ("version", po::bool_switch(), "")
      ("dry-run", po::bool_switch(), "")
      ("until-idle", po::bool_switch(), "")
      ("reset-breaker", po::bool_switch(), "")
      ("public", po::bool_switch(), "")
      ("all", po::bool_switch(), "")
      ("words", po::value<std::vector<std::string>>(), "");
  return options;
}

template <class T>
void take(const po::variables_map& map, const char* name, std::optional<T>& into) {
  if (map.count(name)) into = map[name].as<T>();
}

// Every option is parsed here, whichever command it comes with; which
// command takes which is checked against k_command_specs before dispatch.
CommandLine parse(int argc, char** argv) {
  po::positional_options_description positional;
  positional.add("words", -1);
  // No guessing: `--dry` or `--reset` must not stand for a longer option.
  const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  const po::options_description options = all_options();  // `parsed` points into it
  po::parsed_options parsed = po::command_line_parser(argc, argv)
                                  .options(options)
                                  .positional(positional)
                                  .style(style)
                                  .run();
  po::variables_map map;
  po::store(parsed, map);
  po::notify(map);
  CommandLine line;
  if (map.count("words")) line.words = map["words"].as<std::vector<std::string>>();
  for (const po::option& option : parsed.options)
    if (option.position_key == -1) line.options.push_back("--" + option.string_key);
  take(map, "config", line.config);
  take(map, "db", line.db);
  take(map, "now", line.now);
  take(map, "accounts", line.accounts);
  take(map, "by", line.by);
  take(map, "reason", line.reason);
  take(map, "days", line.days);
  take(map, "until", line.until);
  take(map, "format", line.format);
  take(map, "out", line.out);
  take(map, "csv-separator", line.csv_separator);
  take(map, "max-duration", line.max_duration);
  take(map, "from", line.from);
  take(map, "campaign", line.campaign);
  take(map, "state", line.state);
  take(map, "failure", line.failure);
  line.json = map["json"].as<bool>();
  line.quiet = map["quiet"].as<bool>();
  line.verbose = map["verbose"].as<bool>();
  line.help = map["help"].as<bool>();
  line.version = map["version"].as<bool>();
  line.dry_run = map["dry-run"].as<bool>();
  line.until_idle = map["until-idle"].as<bool>();
  line.reset_breaker = map["reset-breaker"].as<bool>();
  line.public_server = map["public"].as<bool>();
  line.all = map["all"].as<bool>();
  return line;
}

using Command = int (*)(AppContext&);

struct CommandEntry {
  const char* name;
  Command run;
};

constexpr CommandEntry k_commands[] = {
    {"config", cmd_config_check}, {"campaign", cmd_campaign}, {"plan", cmd_plan},
    {"run", cmd_run},             {"status", cmd_status},     {"account", cmd_account},
    {"purge", cmd_purge},         {"nightly", cmd_nightly},   {"report", cmd_report},
    {"audit", cmd_audit},         {"plugins", cmd_plugins},
    {"serve", cmd_serve},
};

int dispatch(AppContext& app) {
  const CommandLine& line = app.line();
  // --version answers alone, whatever else is given (the man page and
  // packaging scripts read it).
  if (line.version) {
    app.out() << "passage " << PASSAGE_VERSION << '\n';
    return k_exit_done;
  }
  if (line.words.empty()) {
    app.out() << usage_text("");
    return line.help ? k_exit_done : k_exit_bad_input;
  }
  if (line.help) {
    app.out() << usage_text(line.words[0]);
    return k_exit_done;
  }
  check_command_line(line.words, line.options);
  for (const CommandEntry& entry : k_commands)
    if (line.words[0] == entry.name) return entry.run(app);
  throw BadInput("unknown command '" + line.words[0] + "' (see passage --help)");
}

}  // namespace

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CommandLine line;
  try {
    line = parse(argc, argv);
  } catch (const po::error& error) {
    err << "passage: " << error.what() << " (see passage --help)\n";
    return k_exit_bad_input;
  }
  try {
    faults::load_from_environment();  // a test seam; off unless set
  } catch (const std::invalid_argument& error) {
    err << "passage: " << error.what() << '\n';
    return k_exit_bad_input;
  }
  AppContext app(line, out, err);
  try {
    return dispatch(app);
  } catch (const BadInputLines& error) {
    for (const std::string& line : error.lines()) err << line << '\n';
    return k_exit_bad_input;
  } catch (const BadInput& error) {
    err << "passage: " << error.what() << '\n';
    return k_exit_bad_input;
  } catch (const LockedError& error) {
    err << "passage: " << error.what() << '\n';
    return k_exit_locked;
  } catch (const LocalWriteError& error) {
    // Disk full, a read-only folder or database: the path is named, and
    // monitoring sees a degraded run (nothing was advanced on it).
    err << "passage: error: " << error.what() << '\n';
    return k_exit_degraded;
  } catch (const std::exception& error) {
    err << "passage: error: " << error.what() << '\n';
    return k_exit_failed;
  }
}

}  // namespace passage
