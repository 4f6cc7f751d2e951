#include <sys/stat.h>

#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "engine/app/app.hpp"
#include "engine/env/file_modes.hpp"
#include "engine/env/process_zone.hpp"

// PASSAGE_BENCH_TIMING set: the command's own time (from main to its exit
// code, without the process start and the loader) goes to stderr as
// "passage: timing: N ms", for scripts/bench; nothing else changes.
int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  // Before any thread: libarchive's mktime() per zip entry (process_zone.hpp).
  passage::pin_c_library_zone();
  // Directories and files no one gave a mode get none for others; files
  // Passage creates get theirs explicitly (engine/env/file_modes.hpp).
  ::umask(passage::k_process_umask);
  // A reader of the output gone (a closed pipe) is a write error, not the
  // end of a run or of `passage serve`.
  std::signal(SIGPIPE, SIG_IGN);
  const int code = passage::run_cli(argc, argv, std::cout, std::cerr);
  if (std::getenv("PASSAGE_BENCH_TIMING")) {
    std::cout.flush();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
    std::fprintf(stderr, "passage: timing: %.3f ms\n", took.count());
  }
  return code;
}
