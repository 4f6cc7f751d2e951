// libFuzzer target: the verification of an export part (engine/archive:
// libarchive's seekable zip reader, entry safety, content against its
// metadata). The first byte sets "first part" and the bound on
// uncompressed bytes; the rest is the part, written to a file as the
// backend would stream it. No crash, leak, exception or hang; a valid
// part is complete and within its bound.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/archive/zip_check.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

std::filesystem::path part_file() {
  const char* dir = std::getenv("TMPDIR");
  return std::filesystem::path(dir && *dir ? dir : "/tmp") /
         ("passage-fuzz-part-" + std::to_string(::getpid()) + ".zip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::filesystem::path file = part_file();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
    require(static_cast<bool>(out));
  }
  const bool first_part = (data[0] & 1) != 0;
  const std::int64_t bound = (data[0] & 2) != 0 ? 4096 : 0;
  const passage::ZipCheck check = passage::check_zip_part(file, first_part, bound);
  if (check.valid) {
    require(check.well_formed && check.problem.empty() && check.content.complete());
    require(!first_part || check.has_instance_json);
    require(bound == 0 || check.uncompressed_bytes <= bound);
  } else {
    require(!check.problem.empty());
  }
  return 0;
}
