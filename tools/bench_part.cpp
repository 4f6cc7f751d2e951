// passage-bench-part FILE [--first]: checks one export part the way a run
// does (libarchive's reader, each file's size and MD5 against its metadata)
// and prints what was checked, the wall time and the peak RSS. Used by
// scripts/bench for the content check's cost per GB; not a test.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "engine/archive/zip_check.hpp"

namespace {

long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: passage-bench-part FILE [--first]\n";
    return 2;
  }
  const bool first = argc > 2 && std::string(argv[2]) == "--first";
  const auto started = std::chrono::steady_clock::now();
  const passage::ZipCheck check = passage::check_zip_part(argv[1], first);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  std::printf("valid %d entries %lld bytes %lld files %lld problems %lld ms %lld peak_rss_kb %ld\n",
              check.valid ? 1 : 0, static_cast<long long>(check.entries),
              static_cast<long long>(check.uncompressed_bytes),
              static_cast<long long>(check.content.totals.files),
              static_cast<long long>(check.content.problems), static_cast<long long>(ms), peak_rss_kb());
  if (!check.valid) std::cerr << "invalid: " << check.problem << "\n";
  return check.valid ? 0 : 1;
}
