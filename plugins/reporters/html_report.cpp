// The HTML campaign report. The page is the built-in "campaign.html"
// template (reports/templates/campaign.html.mustache, compiled in) rendered
// by kainjow/mustache with its default HTML escaping left on: logins,
// reasons and every other value come from files and people, and must never
// become markup in a support agent's browser.

#include <map>
#include <stdexcept>

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include "engine/app/account_json.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view k_template_name = "campaign.html";

// The French label of an evidence kind in the summary; "" is no evidence.
std::string evidence_label(const std::string& kind) {
  if (kind == "export") return "export vérifié";
  if (kind == "moved") return "déménagement terminé";
  if (kind.empty()) return "aucune preuve";
  return kind;
}

// 1234567 → "1 234 567" (French grouping, narrow no-break spaces).
std::string grouped(std::int64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  const std::size_t first = digits.front() == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) out += "\u202f";
    out += digits[i];
  }
  return out;
}

// A value the template tests with {{#x}}: false when null or empty, so that
// an absent field renders as a dash and never falls back to an outer name.
mustache::data optional_text(const boost::json::value& value) {
  if (value.is_null()) return mustache::data(false);
  const std::string text =
      value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
  if (text.empty()) return mustache::data(false);
  return mustache::data(text);
}

mustache::data evidence_data(const Evidence& evidence) {
  if (evidence.empty()) return mustache::data(false);
  mustache::data parts{mustache::data::type::list};
  std::int64_t total = 0;
  for (const PartEvidence& part : evidence.parts) {
    total += part.bytes;
    mustache::data item{mustache::data::type::object};
    item.set("n", std::to_string(part.n));
    item.set("bytes", grouped(part.bytes));
    item.set("entries", grouped(part.entries));
    item.set("sha256", part.sha256);
    parts.push_back(item);
  }
  mustache::data data{mustache::data::type::object};
  data.set("kind", evidence.kind);
  data.set("export_id",
           evidence.export_id.empty() ? mustache::data(false) : mustache::data(evidence.export_id));
  data.set("part_count", evidence.parts.empty() ? mustache::data(false)
                                                : mustache::data(std::to_string(evidence.parts.size())));
  data.set("total_bytes", grouped(total));
  data.set("parts", parts);
  return data;
}

mustache::data account_data(const Account& account, const Config& config) {
  static const char* k_fields[] = {"login",       "domain",        "action",    "state",
                                   "reason",      "departure_date", "verified_at", "deletion_date",
                                   "purged_at",   "purge_kind"};
  const boost::json::object row = account_json(account, config);
  mustache::data data{mustache::data::type::object};
  for (const char* field : k_fields) data.set(field, optional_text(row.at(field)));
  data.set("evidence", evidence_data(account.evidence));
  return data;
}

mustache::data state_summary(const std::vector<Account>& accounts) {
  std::map<State, int> counts;
  for (const Account& account : accounts) ++counts[account.state];
  mustache::data states{mustache::data::type::list};
  for (State state : k_all_states) {
    const auto it = counts.find(state);
    if (it == counts.end()) continue;
    mustache::data row{mustache::data::type::object};
    row.set("state", std::string(to_string(state)));
    row.set("count", std::to_string(it->second));
    states.push_back(row);
  }
  return states;
}

mustache::data evidence_summary(const std::vector<Account>& accounts) {
  std::map<std::string, int> counts;
  for (const Account& account : accounts) ++counts[account.evidence.kind];
  // export and moved first, then any other kind, then the accounts without.
  std::vector<std::string> order = {"export", "moved"};
  for (const auto& [kind, count] : counts)
    if (!kind.empty() && kind != "export" && kind != "moved") order.push_back(kind);
  order.push_back("");
  mustache::data kinds{mustache::data::type::list};
  for (const std::string& kind : order) {
    const auto it = counts.find(kind);
    if (it == counts.end()) continue;
    mustache::data row{mustache::data::type::object};
    row.set("kind", kind.empty() ? std::string("none") : kind);
    row.set("label", evidence_label(kind));
    row.set("count", std::to_string(it->second));
    kinds.push_back(row);
  }
  return kinds;
}

std::string_view campaign_template() {
  for (const BuiltinReportTemplate& builtin : builtin_report_templates())
    if (builtin.name == k_template_name) return builtin.text;
  throw std::runtime_error("built-in report template campaign.html is missing");
}

}  // namespace

std::string report_html(const ReportInput& input, const Config& config) {
  mustache::data accounts{mustache::data::type::list};
  for (const Account& account : input.accounts) accounts.push_back(account_data(account, config));
  mustache::data page{mustache::data::type::object};
  page.set("campaign", input.campaign);
  page.set("generated_at", format_utc(input.generated_at));
  page.set("account_count", std::to_string(input.accounts.size()));
  page.set("states", state_summary(input.accounts));
  page.set("evidence_kinds", evidence_summary(input.accounts));
  page.set("accounts", accounts);

  mustache::mustache tmpl{std::string(campaign_template())};
  if (!tmpl.is_valid()) throw std::runtime_error("campaign.html.mustache: " + tmpl.error_message());
  std::string html = tmpl.render(page);
  if (!tmpl.is_valid()) throw std::runtime_error("campaign.html.mustache: " + tmpl.error_message());
  return html;
}

}  // namespace passage
