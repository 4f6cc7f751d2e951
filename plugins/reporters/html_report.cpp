// The HTML campaign report. The page is the built-in "campaign.html"
// template (reports/templates/campaign.html.mustache, compiled in) rendered
// by kainjow/mustache with its default HTML escaping left on: logins,
// reasons and every other value come from files and people, and must never
// become markup in a support agent's browser. The charts are SVG built by
// html_chart.cpp, which escapes every text it writes; they are the only
// values the template inserts unescaped.

#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include <kainjow/mustache.hpp>

#include "plugins/reporters/html_chart.hpp"
#include "plugins/reporters/html_words.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view k_template_name = "campaign.html";

// The page's fixed words, as w_<key> (a prefix no account field has, so a
// lookup from inside an account never finds one by mistake).
constexpr std::string_view k_page_words[] = {
    "title",     "campaign",  "generated",     "summary",          "by_state",           "state",
    "accounts",  "evidence",  "kind",          "charts",           "states_over_time",   "failures_by_reason",
    "login",     "domain",    "action",        "reason",           "departure",          "verified",
    "deletion",  "purged",    "proof",         "none",             "bytes",              "entries",
    "stack_words"};

// 1234567 → "1 234 567" (narrow no-break spaces) in French, "1,234,567" in English.
std::string grouped(std::int64_t value, std::string_view lang) {
  const std::string digits = std::to_string(value);
  const std::string separator = lang == "en" ? "," : "\u202f";
  std::string out;
  const std::size_t first = digits.front() == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > first && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

// A value the template tests with {{#x}}: false when empty, so that an
// absent field renders as a dash and never falls back to an outer name.
mustache::data optional_text(const std::string& text) {
  if (text.empty()) return mustache::data(false);
  return mustache::data(text);
}

mustache::data optional_moment(const std::optional<Instant>& at, const Config& config, std::string_view lang) {
  if (!at) return mustache::data(false);
  mustache::data data{mustache::data::type::object};
  data.set("iso", format_utc(*at));
  data.set("text", local_moment(*at, config.zone, lang));
  return data;
}

mustache::data evidence_data(const Evidence& evidence, std::string_view lang) {
  if (evidence.empty()) return mustache::data(false);
  mustache::data parts{mustache::data::type::list};
  std::int64_t total = 0;
  for (const PartEvidence& part : evidence.parts) {
    total += part.bytes;
    mustache::data item{mustache::data::type::object};
    item.set("n", std::to_string(part.n));
    item.set("bytes", grouped(part.bytes, lang));
    item.set("entries", grouped(part.entries, lang));
    item.set("sha256", part.sha256);
    parts.push_back(item);
  }
  mustache::data data{mustache::data::type::object};
  data.set("kind", evidence.kind);
  data.set("kind_label", evidence_words(evidence.kind, lang));
  data.set("export_id", optional_text(evidence.export_id));
  data.set("part_count", evidence.parts.empty()
                             ? mustache::data(false)
                             : mustache::data(count_words(static_cast<long>(evidence.parts.size()),
                                                          page_word("part_one", lang), page_word("part_many", lang))));
  data.set("total_bytes", grouped(total, lang));
  data.set("parts", parts);
  return data;
}

mustache::data deletion_data(const Account& account, const Config& config, std::string_view lang) {
  if (!account.grace_end) return mustache::data(false);
  const date::year_month_day day = local_date(*account.grace_end, config.zone);
  mustache::data data{mustache::data::type::object};
  data.set("iso", format_date(day));
  data.set("text", long_date(day, lang));
  return data;
}

// {text, stack_words}: the reason in the page's language, and the stack's
// own text apart (escaped by the template, marked as its words).
mustache::data reason_data(const Account& account, std::string_view lang) {
  if (account.state_reason.empty()) return mustache::data(false);
  const ReasonParts parts = reason_parts(account.state_reason, account.state, lang);
  mustache::data data{mustache::data::type::object};
  data.set("text", parts.words);
  data.set("stack_words", optional_text(parts.stack_words));
  return data;
}

mustache::data account_data(const Account& account, const Config& config, std::string_view lang) {
  const std::string action = to_string(account.action);
  mustache::data data{mustache::data::type::object};
  data.set("login", account.login);
  data.set("domain", account.domain);
  data.set("action", action);
  data.set("action_label", std::string(action_words(action, lang)));
  data.set("state", std::string(to_string(account.state)));
  data.set("state_label", std::string(state_words(account.state, lang)));
  data.set("reason", reason_data(account, lang));
  data.set("departure_iso", format_date(account.departure_date));
  data.set("departure_text", long_date(account.departure_date, lang));
  data.set("verified_at", optional_moment(account.verified_at, config, lang));
  data.set("deletion_date", deletion_data(account, config, lang));
  data.set("purged_at", optional_moment(account.purged_at, config, lang));
  data.set("purge_kind", account.purge_kind);
  data.set("purge_kind_label", purge_kind_words(account.purge_kind, lang));
  data.set("evidence", evidence_data(account.evidence, lang));
  return data;
}

mustache::data state_summary(const std::map<State, int>& counts, std::string_view lang) {
  mustache::data states{mustache::data::type::list};
  for (State state : k_all_states) {
    const auto it = counts.find(state);
    if (it == counts.end()) continue;
    mustache::data row{mustache::data::type::object};
    row.set("state", std::string(to_string(state)));
    row.set("label", std::string(state_words(state, lang)));
    row.set("count", std::to_string(it->second));
    states.push_back(row);
  }
  return states;
}

mustache::data evidence_summary(const std::map<std::string, int>& counts, std::string_view lang) {
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
    row.set("label", evidence_words(kind, lang));
    row.set("count", std::to_string(it->second));
    kinds.push_back(row);
  }
  return kinds;
}

void set_page_words(mustache::data& page, std::string_view lang) {
  for (std::string_view key : k_page_words) page.set("w_" + std::string(key), std::string(page_word(key, lang)));
}

std::string_view campaign_template() {
  for (const BuiltinReportTemplate& builtin : builtin_report_templates())
    if (builtin.name == k_template_name) return builtin.text;
  throw std::runtime_error("built-in report template campaign.html is missing");
}

// The page's data, its account rows aside.
mustache::data page_data(const ReportSummary& summary, const Config& config, std::string_view lang) {
  mustache::data page{mustache::data::type::object};
  set_page_words(page, lang);
  page.set("lang", std::string(lang));
  page.set("campaign", summary.campaign);
  page.set("generated_at", format_utc(summary.generated_at));
  page.set("generated_text", local_moment(summary.generated_at, config.zone, lang));
  page.set("account_count", count_words(static_cast<long>(summary.accounts), page_word("account_one", lang),
                                        page_word("account_many", lang)));
  page.set("states", state_summary(summary.states, lang));
  page.set("evidence_kinds", evidence_summary(summary.evidence_kinds, lang));
  page.set("states_chart", states_chart(summary.days, lang));
  page.set("failures_chart", failures_chart(summary.failure_reasons, lang));
  return page;
}

// The template cut around its {{#accounts}} section (each tag alone on its
// line, which mustache drops): the head, one account's row, the tail.
struct PageParts {
  std::string head;
  std::string row;
  std::string tail;
};

PageParts page_parts(std::string_view page) {
  constexpr std::string_view k_open = "{{#accounts}}\n", k_close = "{{/accounts}}\n";
  const auto open = page.find(k_open);
  const auto close = page.find(k_close);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    throw std::runtime_error("campaign.html.mustache: no {{#accounts}} section on lines of its own");
  return {std::string(page.substr(0, open)), std::string(page.substr(open + k_open.size(), close - open - k_open.size())),
          std::string(page.substr(close + k_close.size()))};
}

mustache::mustache compiled(const std::string& text) {
  mustache::mustache tmpl{text};
  if (!tmpl.is_valid()) throw std::runtime_error("campaign.html.mustache: " + tmpl.error_message());
  return tmpl;
}

void render(mustache::mustache& tmpl, mustache::basic_context<std::string>& context, std::ostream& out) {
  tmpl.render(context, out);
  if (!tmpl.is_valid()) throw std::runtime_error("campaign.html.mustache: " + tmpl.error_message());
}

}  // namespace

void add_to_summary(ReportSummary& summary, const Account& account, const Config& config) {
  ++summary.accounts;
  ++summary.states[account.state];
  ++summary.evidence_kinds[account.evidence.kind];
  count_failure(account, report_language(config.notify.language), summary.failure_reasons);
}

// Each row is rendered with the account on top of the page's data, as the
// template's section would render it: names the account lacks (the page's
// words) are found on the page.
void write_report_html(std::ostream& out, const ReportSummary& summary, const AccountSource& accounts,
                       const Config& config) {
  const std::string_view lang = report_language(config.notify.language);
  const PageParts parts = page_parts(campaign_template());
  mustache::mustache head = compiled(parts.head), row = compiled(parts.row), tail = compiled(parts.tail);
  const mustache::data page = page_data(summary, config, lang);
  mustache::context<std::string> context{&page};
  render(head, context, out);
  accounts([&](const Account& account) {
    const mustache::data data = account_data(account, config, lang);
    context.push(&data);
    render(row, context, out);
    context.pop();
  });
  render(tail, context, out);
}

std::string report_html(const ReportInput& input, const Config& config) {
  ReportSummary summary{input.campaign, input.generated_at};
  for (const Account& account : input.accounts) add_to_summary(summary, account, config);
  summary.days = states_per_day(input, config.zone, local_date(input.generated_at, config.zone));
  std::ostringstream html;
  write_report_html(html, summary, accounts_in(input.accounts), config);
  return html.str();
}

}  // namespace passage
