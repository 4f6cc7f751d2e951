// The purge report document: CONTRACT.md's counts, and the lists of
// accounts by result, every list present.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "engine/sched/purge_report.hpp"

using namespace passage;
namespace json = boost::json;

namespace {

Account named(const std::string& login) {
  Account account;
  account.login = login;
  account.domain = login + ".mytoutatice.cloud";
  return account;
}

json::object parsed(const PurgeReport& report) { return json::parse(purge_report_json(report)).as_object(); }

}  // namespace

TEST_CASE("the purge report lists accounts by result with their reasons", "[purge-report]") {
  PurgeReport report;
  report.deleted = 1;
  report.list("deleted", named("u1"));
  report.list("already_gone", named("u2"));
  report.list("held", named("u3"), "directory_active");
  report.list("failed", named("u4"), "HTTP 500");
  report.list("deferred", named("u5"), "over purge.max_per_run: a later night");
  const json::object document = parsed(report);
  CHECK(document.at("deleted").as_int64() == 1);  // the count keeps its key
  CHECK(document.at("would_delete").as_int64() == 0);
  const json::object& lists = document.at("accounts").as_object();
  for (std::string_view result : k_purge_results) CHECK(lists.at(result).is_array());
  CHECK(lists.at("deleted").as_array() ==
        json::array{json::object{{"login", "u1"}, {"domain", "u1.mytoutatice.cloud"}}});
  CHECK(lists.at("held").as_array().at(0).as_object().at("reason") == "directory_active");
  CHECK(lists.at("failed").as_array().at(0).as_object().at("reason") == "HTTP 500");
  CHECK(lists.at("deferred").as_array().size() == 1);
  CHECK(lists.at("already_gone").as_array().at(0).as_object().at("login") == "u2");
  CHECK(lists.at("would_delete").as_array().empty());
}

TEST_CASE("a dry run's purge report lists under would_delete", "[purge-report]") {
  PurgeReport report;
  report.dry_run = true;
  report.deleted = 1;  // the purge counts what it would delete there
  report.list("deleted", named("u1"));
  report.list("held", named("u2"), "evidence_missing");
  const json::object document = parsed(report);
  CHECK(document.at("dry_run").as_bool());
  // The counts agree with the lists: nothing deleted, one would be.
  CHECK(document.at("deleted").as_int64() == 0);
  CHECK(document.at("would_delete").as_int64() == 1);
  const json::object& lists = document.at("accounts").as_object();
  CHECK(lists.at("deleted").as_array().empty());
  REQUIRE(lists.at("would_delete").as_array().size() == 1);
  CHECK(lists.at("would_delete").as_array().at(0).as_object().at("login") == "u1");
  CHECK(lists.at("held").as_array().size() == 1);
}
