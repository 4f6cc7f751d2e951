// The injected-failure seam (engine/env/faults.hpp): which calls fail, with
// which errno, and how a malformed PASSAGE_FAULTS is refused.
#include <catch2/catch.hpp>

#include <cerrno>
#include <fstream>

#include "engine/env/faults.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;
using faults::Site;

namespace {

struct SeamOff {
  ~SeamOff() { faults::configure("", ""); }
};

}  // namespace

TEST_CASE("Unset, no call fails", "[faults-seam]") {
  SeamOff off;
  faults::configure("", "");
  for (int n = 0; n < 5; ++n) {
    CHECK_FALSE(faults::fail(Site::export_request));
    CHECK(faults::disk_error(Site::journal_write) == 0);
  }
}

TEST_CASE("SITE:N fails the N-th call of that site only, SITE:N+ every call from the N-th", "[faults-seam]") {
  SeamOff off;
  faults::configure("delete:2,part_file:3+:erofs,journal_write:1", "");
  CHECK_FALSE(faults::fail(Site::delete_));
  CHECK(faults::fail(Site::delete_));
  CHECK(faults::reason(Site::delete_) == "injected fault: delete call 2");
  CHECK_FALSE(faults::fail(Site::delete_));
  CHECK_FALSE(faults::fail(Site::export_request));
  CHECK(faults::disk_error(Site::part_file) == 0);
  CHECK(faults::disk_error(Site::part_file) == 0);
  CHECK(faults::disk_error(Site::part_file) == EROFS);
  CHECK(faults::disk_error(Site::part_file) == EROFS);
  CHECK(faults::disk_error(Site::journal_write) == ENOSPC);
  CHECK(faults::disk_error(Site::journal_write) == 0);
}

TEST_CASE("The log counts every call by site", "[faults-seam]") {
  SeamOff off;
  passage::testing::TempDir dir;
  const auto log = dir.path() / "calls.log";
  faults::configure("", log.string());
  faults::fail(Site::notice);
  faults::fail(Site::notice);
  faults::disk_error(Site::metrics);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "notice 1\nnotice 2\nmetrics 1\n");
}

TEST_CASE("A malformed PASSAGE_FAULTS is refused, the item named", "[faults-seam]") {
  SeamOff off;
  for (const char* bad : {"export", "export_request", "export_request:0", "export_request:x",
                          "part_file:1:eio", "delete:1:enospc:2", "delete:-1"}) {
    INFO(bad);
    try {
      faults::configure(bad, "");
      FAIL("accepted");
    } catch (const std::invalid_argument& error) {
      CHECK(std::string(error.what()).find(std::string("'") + bad + "'") != std::string::npos);
    }
  }
}
