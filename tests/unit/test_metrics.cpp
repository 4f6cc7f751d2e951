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
