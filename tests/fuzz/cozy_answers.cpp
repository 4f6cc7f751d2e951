// Fuzz target: the cozy-admin backend's reading of the admin API's JSON
// answers (plugins/backends/cozy_answers.cpp) and of the export document
// kept on an account (export_done_from_json). The first byte picks the
// answer, the rest is its body. Whatever the body: a value or a classified
// failure, never a crash, a leak or an exception.

#include <string>

#include "plugins/backends/cozy_answers.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace passage::fuzz {

namespace {

template <class T>
void require_classified(const Outcome<T>& outcome) {
  if (!outcome.ok()) require(!outcome.failure().reason.empty(), "a failure has a reason");
}

void export_done_reads_back(std::string_view body) {
  const auto done = export_done_from_json(std::string(body));
  if (!done) return;
  const auto again = export_done_from_json(export_done_to_json(*done));
  require(again && again->export_id == done->export_id && again->parts == done->parts &&
              again->parts_cursors == done->parts_cursors,
          "an export document kept on an account reads back the same");
}

}  // namespace

void cozy_answers(std::string_view input) {
  if (input.empty()) return;
  const std::string_view body = input.substr(1);
  switch (static_cast<unsigned char>(input[0]) % 6) {
    case 0:
      require_classified(read_instance_answer("jdupont.mytoutatice.cloud", body));
      break;
    case 1:
      read_instance_count(body);
      break;
    case 2: {
      const auto usage = read_disk_usage_answer(body);
      require_classified(usage);
      if (usage.ok())
        require(usage.value().used >= 0 && usage.value().files >= 0 && usage.value().versions >= 0,
                "disk usage is never negative");
      break;
    }
    case 3:
      require_classified(read_last_activity_answer(body));
      break;
    case 4:
      queued_at_of(body);
      break;
    default:
      export_done_reads_back(body);
      break;
  }
}

}  // namespace passage::fuzz

PASSAGE_FUZZ_ENTRY(passage::fuzz::cozy_answers)
