// libFuzzer target: the cozy-admin backend's reading of the admin API's
// JSON answers (plugins/backends/cozy_answers.cpp) and of the export
// document kept on an account (export_done_from_json). The first byte picks
// the answer, the rest is its body. Whatever the body: a value or a
// classified failure, never a crash, a leak or an exception.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "plugins/backends/cozy_answers.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

template <class T>
void check_outcome(const passage::Outcome<T>& outcome) {
  if (!outcome.ok()) require(!outcome.failure().reason.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      check_outcome(passage::read_instance_answer("jdupont.mytoutatice.cloud", body));
      break;
    case 1:
      passage::read_instance_count(body);
      break;
    case 2: {
      const auto usage = passage::read_disk_usage_answer(body);
      check_outcome(usage);
      if (usage.ok()) require(usage.value().used >= 0 && usage.value().files >= 0 && usage.value().versions >= 0);
      break;
    }
    case 3:
      check_outcome(passage::read_last_activity_answer(body));
      break;
    case 4:
      passage::queued_at_of(body);
      break;
    default:
      if (const auto done = passage::export_done_from_json(std::string(body))) {
        // What is kept must read back the same.
        const auto again = passage::export_done_from_json(passage::export_done_to_json(*done));
        require(again && again->export_id == done->export_id && again->parts == done->parts &&
                again->parts_cursors == done->parts_cursors);
      }
      break;
  }
  return 0;
}
