#include <catch2/catch.hpp>

#include "engine/metrics/metrics.hpp"

using namespace passage;

TEST_CASE("metrics text: gauges with HELP and TYPE, escaped label values, no relay line without a relay",
          "[metrics]") {
  MetricsInput input;
  input.accounts["c\"1"]["GRACE"] = 2;
  input.failures["blocked: x\\y\nz"] = 1;
  input.stack_up["academy"] = false;
  input.exit_code = 7;
  const std::string text = metrics_text(input);
  CHECK(text.find("# TYPE passage_accounts gauge\n") != std::string::npos);
  CHECK(text.find("passage_accounts{campaign=\"c\\\"1\",state=\"GRACE\"} 2\n") != std::string::npos);
  CHECK(text.find("passage_failures{reason=\"blocked: x\\\\y\\nz\"} 1\n") != std::string::npos);
  CHECK(text.find("passage_stack_up{stack=\"academy\"} 0\n") != std::string::npos);
  CHECK(text.find("passage_last_run_exit_code 7\n") != std::string::npos);
  CHECK(text.find("passage_relay_up") == std::string::npos);
  CHECK(text.find("passage_last_success_timestamp_seconds") == std::string::npos);
}

TEST_CASE("passage_failures labels are reason codes: a stack's error text by its kind, an agent's words 'other'",
          "[metrics]") {
  CHECK(reason_labels("Couldn't connect to server: Failed to connect to 127.0.0.1 port 1", State::failed) ==
        std::set<std::string>{"stack_unreachable"});
  CHECK(reason_labels("http 502", State::failed) == std::set<std::string>{"stack_error"});
  CHECK(reason_labels("an unknown text from somewhere", State::failed) == std::set<std::string>{"other"});
  CHECK(reason_labels("blocked: MAINTENANCE; delete_stuck", State::held) ==
        std::set<std::string>{"blocked", "delete_stuck"});
  CHECK(reason_labels("delete_stuck; ask the person first", State::held) ==
        std::set<std::string>{"delete_stuck", "other"});
  CHECK(reason_labels("", State::failed) == std::set<std::string>{"FAILED"});
}
