// passage-cozy-sim: a protocol-faithful Cozy stack admin API for tests and
// demos. See tests/sim/README.md.
#include "accounts_csv.hpp"
#include "api.hpp"
#include "options.hpp"
#include "server.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

std::optional<sim::Faults> load_faults(const std::string& path) {
  if (path.empty()) return sim::Faults{};
  std::ifstream in(path);
  if (!in) {
    std::cerr << "passage-cozy-sim: " << path << ": cannot read\n";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string error;
  auto f = sim::parse_faults(ss.str(), error);
  if (!f) std::cerr << "passage-cozy-sim: " << path << ": " << error << "\n";
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  bool exit_now = false;
  auto options = sim::parse_options(argc, argv, error, exit_now);
  if (exit_now) return 0;
  if (!options) {
    std::cerr << "passage-cozy-sim: " << error << "\n";
    return 2;
  }
  auto faults = load_faults(options->faults_file);
  if (!faults) return 2;
  std::vector<std::string> listed;
  if (!options->instances_from.empty()) {
    auto csv = sim::read_accounts_domains(options->instances_from);
    if (!csv.error.empty()) {
      std::cerr << "passage-cozy-sim: " << csv.error << "\n";
      return 2;
    }
    listed = std::move(csv.domains);
  }
  try {
    sim::SimClock clock(options->clock_ms.value_or(sim::real_now_ms()));
    sim::Stats stats;
    sim::Server server(*options);
    sim::World world(*options, sim::Population(options->instances, options->domain_suffix, std::move(listed)), clock,
                     stats, server, *faults);
    sim::Api api(world, stats, clock, *faults, options->passphrase);
    world.start_ticking();
    const auto port = server.listen(options->port);
    const auto public_port = server.listen_public(options->public_port);
    std::printf("listening 127.0.0.1:%u\npublic 127.0.0.1:%u\n", static_cast<unsigned>(port),
                static_cast<unsigned>(public_port));
    std::fflush(stdout);
    server.run(api, [&faults] { return faults->ws_drop_every_s; });
  } catch (const std::exception& e) {
    std::cerr << "passage-cozy-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
