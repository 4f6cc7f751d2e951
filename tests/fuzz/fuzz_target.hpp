#pragma once
// The fuzz targets as plain functions: libFuzzer calls them through
// LLVMFuzzerTestOneInput (built with -DPASSAGE_FUZZER in build-asan/), and
// the unit suite replays the committed corpora and every input that once
// failed (tests/fuzz/regressions/) through the same functions
// (tests/unit/test_fuzz_inputs.cpp), so a fixed crash stays fixed in the
// ordinary build too.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace passage::fuzz {

// A property every input must keep. Under libFuzzer a broken one aborts
// (a crash, its input saved); in the unit suite it throws std::logic_error.
void require(bool condition, const char* what);

void accounts_file(std::string_view input);
void config(std::string_view input);
void cozy_answers(std::string_view input);
void realtime_event(std::string_view input);
void zip_part(std::string_view input);

}  // namespace passage::fuzz

#ifdef PASSAGE_FUZZER
#define PASSAGE_FUZZ_ENTRY(target)                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    target(std::string_view(reinterpret_cast<const char*>(data), size));            \
    return 0;                                                                        \
  }
#else
#define PASSAGE_FUZZ_ENTRY(target)
#endif
