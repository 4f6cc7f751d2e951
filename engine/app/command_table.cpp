#include "engine/app/command_table.hpp"

#include "engine/app/app.hpp"

namespace passage {

namespace {

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> words;
  while (!text.empty()) {
    std::size_t end = text.find(' ');
    if (end != 0) words.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return words;
}

bool listed(std::string_view list, std::string_view word) {
  for (std::string_view item : split(list))
    if (item == word) return true;
  return false;
}

// "create, update, confirm, list" for "campaign"; empty when the command has none.
std::string subcommands_of(std::string_view command) {
  std::string list;
  for (const CommandSpec& spec : k_command_specs) {
    std::vector<std::string_view> words = split(spec.command);
    if (words.size() == 2 && words[0] == command)
      list += (list.empty() ? "" : ", ") + std::string(words[1]);
  }
  return list;
}

const CommandSpec* find_spec(std::string_view command) {
  for (const CommandSpec& spec : k_command_specs)
    if (spec.command == command) return &spec;
  return nullptr;
}

std::string see_help(const std::string& first) { return " (see passage " + first + " --help)"; }

void check_options(const CommandSpec& spec, const std::vector<std::string>& options,
                   const std::string& first) {
  for (const std::string& option : options)
    if (!listed(k_global_options, option) && !listed(spec.options, option))
      throw BadInput(std::string(spec.command) + " does not take " + option + see_help(first));
}

// words[first..] are the command's arguments.
void check_arguments(const CommandSpec& spec, const std::vector<std::string>& words,
                     std::size_t first) {
  std::vector<std::string_view> names = split(spec.arguments);
  std::size_t given = words.size() - first;
  for (std::size_t i = given; i < names.size(); ++i)
    if (names[i].front() != '[')
      throw BadInput(std::string(spec.command) + ": missing " + std::string(names[i]) + see_help(words[0]));
  if (given > names.size()) {
    std::string usage = std::string(spec.command) + (names.empty() ? "" : " ") + std::string(spec.arguments);
    throw BadInput(std::string(spec.command) + " does not take the argument '" + words[first + names.size()] +
                   "' (usage: " + usage + "; see passage " + words[0] + " --help)");
  }
}

}  // namespace

const CommandSpec& check_command_line(const std::vector<std::string>& words,
                                      const std::vector<std::string>& options) {
  const std::string& command = words.at(0);
  std::string subcommands = subcommands_of(command);
  std::size_t first_argument = 1;
  std::string name = command;
  // `serve` alone is a command, `serve add-agent NAME` a subcommand.
  const bool bare = words.size() < 2 && find_spec(command);
  if (!subcommands.empty() && !bare) {
    if (words.size() < 2) throw BadInput(command + ": missing subcommand (" + subcommands + ")");
    name += " " + words[1];
    first_argument = 2;
  }
  const CommandSpec* spec = find_spec(name);
  if (!spec && subcommands.empty()) throw BadInput("unknown command '" + command + "' (see passage --help)");
  if (!spec)
    throw BadInput(name + ": not a " + command + " subcommand (" + subcommands + ")");
  check_options(*spec, options, command);
  check_arguments(*spec, words, first_argument);
  return *spec;
}

}  // namespace passage
