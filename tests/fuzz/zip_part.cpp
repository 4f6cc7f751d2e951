// Fuzz target: the verification of an export part (engine/archive:
// libarchive's seekable zip reader, entry safety, content against its
// metadata). The first byte sets "first part" and a bound on uncompressed
// bytes; the rest is the part, written to a file as the backend streams
// it. No crash, leak, exception or hang; a valid part is complete and
// within its bound.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/archive/zip_check.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace passage::fuzz {

namespace {

std::filesystem::path part_file() {
  const char* dir = std::getenv("TMPDIR");
  return std::filesystem::path(dir && *dir ? dir : "/tmp") /
         ("passage-fuzz-part-" + std::to_string(::getpid()) + ".zip");
}

}  // namespace

void zip_part(std::string_view input) {
  if (input.empty()) return;
  static const std::filesystem::path file = part_file();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(input.data() + 1, static_cast<std::streamsize>(input.size() - 1));
    require(static_cast<bool>(out), "the part is written");
  }
  const unsigned char flags = static_cast<unsigned char>(input[0]);
  const bool first_part = (flags & 1) != 0;
  const std::int64_t bound = (flags & 2) != 0 ? 4096 : 0;
  const ZipCheck check = check_zip_part(file, first_part, bound);
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
  if (!check.valid) {
    require(!check.problem.empty(), "an invalid part says why");
    return;
  }
  require(check.well_formed && check.problem.empty() && check.content.complete(), "a valid part is complete");
  require(!first_part || check.has_instance_json, "a valid first part holds instance.json");
  require(bound == 0 || check.uncompressed_bytes <= bound, "a valid part is within its bound");
}

}  // namespace passage::fuzz

PASSAGE_FUZZ_ENTRY(passage::fuzz::zip_part)
