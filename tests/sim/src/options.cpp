#include "options.hpp"

#include "sim_time.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

namespace po = boost::program_options;

namespace sim {
namespace {

std::optional<std::int64_t> to_int(const std::string& s) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

bool share_ok(double v) { return v >= 0 && v <= 1; }

struct RangeTexts {
  std::string move_delay, late_move_delay, export_ms, import_start_ms, import_ms, delete_ms;
};

po::options_description describe(SimOptions& o, std::string& clock, RangeTexts& r) {
  po::options_description d("passage-cozy-sim options");
  d.add_options()("help,h", "print this help")
      ("port", po::value(&o.port)->default_value(0), "TCP port on 127.0.0.1 (0: a free one)")
      ("public-port", po::value(&o.public_port)->default_value(0), "TCP port of the instances' own routes, /move/* (0: a free one)")
      ("passphrase", po::value(&o.passphrase)->default_value("admin"), "admin passphrase (Basic auth password)")
      ("instances", po::value(&o.instances)->default_value(0), "number of generated instances")
      ("domain-suffix", po::value(&o.domain_suffix)->default_value("mytoutatice.cloud"), "suffix of generated domains")
      ("instances-from", po::value(&o.instances_from), "accounts CSV: one instance per domain")
      ("seed", po::value(&o.seed)->default_value(1), "seed of every derived value")
      ("size-scale", po::value(&o.size_scale)->default_value(1e-5), "served bytes = declared bytes x F")
      ("clock", po::value(&clock), "start of the sim clock, ISO 8601 (default: real now)")
      ("faults", po::value(&o.faults_file), "faults JSON file")
      ("move-share", po::value(&o.move_share)->default_value(0), "share of instances that move once invited")
      ("move-delay-s", po::value(&r.move_delay)->default_value("3600:604800"), "A:B sim seconds from invitation to moved")
      ("never-move-share", po::value(&o.never_move_share)->default_value(0), "share of instances invited that never move")
      ("late-move-share", po::value(&o.late_move_share)->default_value(0), "share of instances that move late once invited")
      ("late-move-delay-s", po::value(&r.late_move_delay)->default_value("604800:1209600"), "A:B sim seconds from invitation to moved, late movers")
      ("active-share", po::value(&o.active_share)->default_value(0), "share active again after their export was downloaded")
      ("export-ms", po::value(&r.export_ms)->default_value("20:200"), "A:B real ms an export job takes")
      ("import-start-ms", po::value(&r.import_start_ms)->default_value("50:300"), "A:B real ms from an import request to its job blocking the target")
      ("import-ms", po::value(&r.import_ms)->default_value("20:200"), "A:B real ms an import takes after its download")
      ("delete-ms", po::value(&r.delete_ms)->default_value("20:100"), "A:B real ms a DELETE takes")
      ("delete-cleanup-share", po::value(&o.delete_cleanup_share)->default_value(0.5), "share of a DELETE's time with `deleting` set")
      ("trust-private-networks", po::bool_switch(&o.trust_private_networks), "imports may fetch from loopback and private addresses, any port")
      ("export-workers", po::value(&o.export_workers)->default_value(4), "export jobs running at once (the stack's CPUs)")
      ("ws-ping-s", po::value(&o.ws_ping_s)->default_value(54), "websocket ping period, real seconds")
      ("ws-idle-s", po::value(&o.ws_idle_s)->default_value(60), "websocket client dropped after this silence");
  return d;
}

bool check(SimOptions& o, const std::string& clock, std::string& error) {
  if (!clock.empty()) {
    o.clock_ms = parse_iso(clock);
    if (!o.clock_ms) return error = "--clock: not an ISO 8601 time: " + clock, false;
  }
  const std::pair<const char*, double> shares[] = {{"--move-share", o.move_share},
                                                   {"--never-move-share", o.never_move_share},
                                                   {"--late-move-share", o.late_move_share},
                                                   {"--active-share", o.active_share},
                                                   {"--delete-cleanup-share", o.delete_cleanup_share}};
  for (const auto& [name, v] : shares)
    if (!share_ok(v)) return error = std::string(name) + " must be within 0..1", false;
  // The people bands share one draw: never, then move, then late.
  if (const double sum = o.never_move_share + o.move_share + o.late_move_share; sum > 1 + 1e-9) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "--never-move-share + --move-share + --late-move-share must be at most 1 (they sum to %g)", sum);
    return error = text, false;
  }
  if (!(o.size_scale > 0) || o.size_scale > 1) return error = "--size-scale must be in (0, 1]", false;
  if (o.instances == 0 && o.instances_from.empty()) o.instances = 100;
  if (o.export_workers == 0) o.export_workers = 1;
  return true;
}

}  // namespace

std::optional<Range> parse_range(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    auto v = to_int(text);
    if (!v || *v < 0) return std::nullopt;
    return Range{*v, *v};
  }
  auto lo = to_int(text.substr(0, colon));
  auto hi = to_int(text.substr(colon + 1));
  if (!lo || !hi || *lo < 0 || *hi < *lo) return std::nullopt;
  return Range{*lo, *hi};
}

std::optional<SimOptions> parse_options(int argc, char** argv, std::string& error, bool& exit_now) {
  SimOptions o;
  std::string clock;
  RangeTexts texts;
  auto desc = describe(o, clock, texts);
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    exit_now = true;
    return std::nullopt;
  }
  const std::pair<const char*, std::pair<std::string*, Range*>> ranges[] = {
      {"--move-delay-s", {&texts.move_delay, &o.move_delay_s}},
      {"--late-move-delay-s", {&texts.late_move_delay, &o.late_move_delay_s}},
      {"--export-ms", {&texts.export_ms, &o.export_ms}},
      {"--import-start-ms", {&texts.import_start_ms, &o.import_start_ms}},
      {"--import-ms", {&texts.import_ms, &o.import_ms}},
      {"--delete-ms", {&texts.delete_ms, &o.delete_ms}}};
  for (const auto& [name, target] : ranges) {
    auto r = parse_range(*target.first);
    if (!r) return error = std::string(name) + ": expected A:B with 0 <= A <= B", std::nullopt;
    *target.second = *r;
  }
  if (!check(o, clock, error)) return std::nullopt;
  return o;
}

}  // namespace sim
