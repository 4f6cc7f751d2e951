# The sanitizer trees (scripts/sanitize, scripts/fuzz; never scripts/test).
#   PASSAGE_SANITIZE        AddressSanitizer + UndefinedBehaviorSanitizer;
#                           every finding is fatal (no recovery from UBSan)
#   PASSAGE_FUZZ            with it, under clang: the engine instrumented for
#                           libFuzzer's coverage and the fuzz targets built
#   PASSAGE_SANITIZE_THREAD ThreadSanitizer
option(PASSAGE_FUZZ "Build the libFuzzer targets (clang, with PASSAGE_SANITIZE)" OFF)

if(PASSAGE_SANITIZE AND PASSAGE_SANITIZE_THREAD)
  message(FATAL_ERROR "PASSAGE_SANITIZE and PASSAGE_SANITIZE_THREAD exclude each other")
endif()
if(PASSAGE_FUZZ AND NOT (PASSAGE_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang"))
  message(FATAL_ERROR "PASSAGE_FUZZ needs clang and PASSAGE_SANITIZE: CXX=clang++-14 (Debian's clang-14, libclang-rt-14-dev)")
endif()

if(PASSAGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns falsely under sanitizers (std::regex's std::function at -O1).
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()
if(PASSAGE_FUZZ)
  # clang 14 cannot assemble -fsanitize=function's prologue data beside
  # libFuzzer's coverage in some coroutine code ("Cannot represent a
  # difference across sections", plugins/notifiers/smtp.cpp): that one
  # check (a call through a function pointer of another type) is left out.
  add_compile_options(-fno-sanitize=function)
endif()
if(PASSAGE_SANITIZE_THREAD)
  add_compile_options(-fsanitize=thread)
  add_link_options(-fsanitize=thread)
endif()

# libFuzzer's coverage on the code it explores: the engine and the targets
# (tests/fuzz links -fsanitize=fuzzer). Everything else links the engine
# without libFuzzer; the sanitizer runtime answers the coverage hooks.
function(passage_fuzz_coverage target)
  if(PASSAGE_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
