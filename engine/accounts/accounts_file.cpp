#include "engine/accounts/accounts_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <system_error>

#include <boost/url.hpp>

#include "engine/accounts/csv.hpp"
#include "engine/accounts/field_checks.hpp"
#include "engine/accounts/first_uses.hpp"
#include "engine/accounts/sha256_reader.hpp"
#include "engine/accounts/text_encoding.hpp"
#include "engine/env/time.hpp"

namespace passage {
namespace {

enum Column : std::size_t { login, domain, action, email, target, departure_date, reason };

constexpr std::array<std::string_view, 7> k_columns{"login",  "domain",         "action", "email",
                                                    "target", "departure_date", "reason"};
constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string expected_header() {
  std::string header;
  for (auto column : k_columns) header += (header.empty() ? "" : ",") + std::string(column);
  return header;
}

// Collects "NAME:LINE: field: what" messages.
class Reporter {
 public:
  Reporter(const std::string& name, std::vector<std::string>& errors) : m_name(name), m_errors(errors) {}

  void add(int line, std::string_view field, const std::string& what) {
    m_errors.push_back(m_name + ":" + std::to_string(line) + ": " + std::string(field) + ": " + what);
  }
  std::size_t count() const { return m_errors.size(); }

 private:
  const std::string& m_name;
  std::vector<std::string>& m_errors;
};

// --- header -----------------------------------------------------------------

bool is_column(std::string_view name) {
  for (auto column : k_columns)
    if (column == name) return true;
  return false;
}

std::size_t occurrences(const std::vector<std::string>& fields, std::string_view name) {
  std::size_t count = 0;
  for (const auto& field : fields) count += field == name;
  return count;
}

void check_column_names(const CsvRecord& header, Reporter& reporter) {
  std::map<std::string, bool> reported;  // each unknown or repeated name once
  for (const auto& name : header.fields) {
    if (reported[name]) continue;
    if (!is_column(name))
      reporter.add(header.line, "header",
                   "unknown column " + in_quotes(name) + " (expected " + expected_header() + ")");
    else if (occurrences(header.fields, name) > 1)
      reporter.add(header.line, "header", "column " + in_quotes(name) + " appears more than once");
    else
      continue;
    reported[name] = true;
  }
  for (auto column : k_columns)
    if (occurrences(header.fields, column) == 0)
      reporter.add(header.line, "header", "missing column " + in_quotes(column));
}

// True when the header is exactly the expected one. Anything else stops the
// reading: with columns in doubt, record errors would only be noise.
bool check_header(const CsvRecord& header, Reporter& reporter) {
  const auto& fields = header.fields;
  std::size_t before = reporter.count();
  check_column_names(header, reporter);
  if (reporter.count() > before) return false;
  if (!std::equal(fields.begin(), fields.end(), k_columns.begin(), k_columns.end())) {
    std::string found;
    for (const auto& field : fields) found += (found.empty() ? "" : ",") + field;
    reporter.add(header.line, "header",
                 "columns in the wrong order: expected " + expected_header() + ", found " + found);
    return false;
  }
  return true;
}

// --- records ----------------------------------------------------------------

// What earlier records used, to report a repeat at the later line. Logins
// and domains are kept as hashes (FirstUses: 16 bytes each, whatever the
// file's size); target hosts, only on moves, as text.
struct Seen {
  bool checked = true;  // false: Checks::parsing: no form checked, nothing recorded
  FirstUses logins;
  FirstUses domains;
  std::map<std::string, int> target_hosts;
};

std::string served_domains(const Config& config) {
  std::string list;
  for (const auto& stack : config.stacks)
    for (const auto& pattern : stack.domains) list += (list.empty() ? "" : ", ") + pattern;
  return list.empty() ? "no stack is configured" : "configured: " + list;
}

// Checks one record; the row is complete only if no error was added.
class RecordChecker {
 public:
  RecordChecker(const CsvRecord& record, const Config& config, Reporter& reporter, Seen& seen)
      : m_record(record), m_config(config), m_reporter(reporter), m_seen(seen) {
    m_row.line = record.line;
  }

  // A field that is not UTF-8 is reported as such and not checked further;
  // the other fields of its record still are.
  std::optional<AccountRow> check() {
    std::size_t before = m_reporter.count();
    if (readable(login)) check_login();
    if (readable(domain)) check_domain();
    if (readable(action)) check_action();
    if (readable(email)) check_email();
    if (readable(target)) check_target();
    if (readable(departure_date)) check_date();
    if (readable(reason)) m_row.reason = field(reason);
    if (m_reporter.count() > before) return std::nullopt;
    return m_row;
  }

 private:
  const std::string& field(Column column) const { return m_record.fields[column]; }

  void fail(Column column, const std::string& what) {
    m_reporter.add(m_record.line, k_columns[column], what);
  }

  // Records a first use of `value`, or reports the earlier one.
  bool first_use(std::map<std::string, int>& uses, const std::string& value, Column column,
                 const std::string& what) {
    if (!m_seen.checked) return true;
    auto [it, inserted] = uses.try_emplace(value, m_record.line);
    if (!inserted) fail(column, what + " line " + std::to_string(it->second));
    return inserted;
  }
  bool first_use(FirstUses& uses, const std::string& value, Column column, const std::string& what) {
    if (!m_seen.checked) return true;
    auto earlier = uses.use(value, m_record.line);
    if (earlier) fail(column, what + " line " + std::to_string(*earlier));
    return !earlier;
  }

  // True when the field is UTF-8; otherwise reports its first bad byte.
  bool readable(Column column) {
    if (!m_seen.checked) return true;
    const std::string& text = field(column);
    auto bad = first_invalid_utf8(text);
    if (bad)
      fail(column, "not UTF-8: " + describe_non_utf8_byte(static_cast<unsigned char>(text[*bad])) +
                       "; save the file as \"CSV UTF-8\"");
    return !bad;
  }

  void check_login() {
    m_row.login = field(login);
    if (!m_seen.checked) return;
    if (auto problem = passage::check_login(m_row.login)) return fail(login, *problem);
    first_use(m_seen.logins, m_row.login, login, in_quotes(m_row.login) + " already appears on");
  }

  void check_domain() {
    m_row.domain = ascii_lowercase(field(domain));
    if (m_seen.checked)
      if (auto problem = check_dns_name(m_row.domain)) return fail(domain, *problem);
    m_domain_ok = true;
    if (m_config.stack_for(m_row.domain) == nullptr)
      return fail(domain, "no configured stack serves " + in_quotes(m_row.domain) + " (" +
                              served_domains(m_config) + ")");
    first_use(m_seen.domains, m_row.domain, domain, in_quotes(m_row.domain) + " already appears on");
  }

  void check_action() {
    std::string name = ascii_lowercase(field(action));
    m_action_ok = name == "export" || name == "move";
    if (!m_action_ok)
      return fail(action, in_quotes(field(action)) + " is not an action (expected 'export' or 'move')");
    m_row.action = name == "move" ? Action::move : Action::export_;
  }

  void check_email() {
    m_row.email = field(email);
    if (!m_seen.checked) return;
    if (auto problem = passage::check_email(m_row.email)) fail(email, *problem);
  }

  void check_target() {
    m_row.target = field(target);
    if (!m_action_ok) return;  // whether a target is wanted is unknown
    if (m_row.action == Action::export_) {
      if (!m_row.target.empty()) fail(target, "must be empty for an export");
      return;
    }
    if (m_row.target.empty())
      return fail(target, "required for a move (the https:// address of the new Cozy)");
    auto host = target_host(m_row.target);
    if (!host) return;
    if (m_domain_ok && *host == m_row.domain)
      return fail(target, "host " + in_quotes(*host) + " is the account's own domain");
    m_row.target_host = *host;
    m_row.admin_move = m_config.stack_for(*host) != nullptr;
    // The target fetches the parts from passage serve --public: without its
    // address the move could never start. A dry-run source stack stands in
    // for the whole move (the runner asks the source's backend).
    const StackConfig* source_stack = m_domain_ok ? m_config.stack_for(m_row.domain) : nullptr;
    if (m_row.admin_move && source_stack && source_stack->backend == "cozy-admin" && !m_config.serve.public_url)
      fail(target, "host " + in_quotes(*host) + " is served by a configured stack: an admin-driven "
                   "move needs serve.public_url (passage serve --public) in the configuration");
    first_use(m_seen.target_hosts, *host, target, "host " + in_quotes(*host) + " is already the target of");
  }

  // The lowercased host of an https:// URL, or nullopt after reporting why not.
  std::optional<std::string> target_host(const std::string& text) {
    auto bad = [&](const std::string& what) {
      fail(target, in_quotes(text) + " " + what);
      return std::nullopt;
    };
    auto url = boost::urls::parse_uri(text);
    if (!url) return bad("is not a valid URL");
    if (url->scheme_id() != boost::urls::scheme::https) return bad("must be an https:// URL");
    if (url->has_userinfo()) return bad("must not contain a user name or password");
    if (url->encoded_host().empty()) return bad("has no host");
    if (url->host_type() != boost::urls::host_type::name)
      return bad("must have a host name (not an address)");
    std::string host = ascii_lowercase(url->host());
    if (auto problem = check_dns_name(host)) return bad("has a bad host: " + *problem);
    return host;
  }

  void check_date() {
    const auto& text = field(departure_date);
    auto day = text.find('/') == std::string::npos ? parse_iso_date(text) : parse_day_month_year(text);
    if (day)
      m_row.departure_date = *day;
    else
      fail(departure_date, in_quotes(text) + " is not a real date written DD/MM/YYYY or YYYY-MM-DD");
  }

  const CsvRecord& m_record;
  const Config& m_config;
  Reporter& m_reporter;
  Seen& m_seen;
  AccountRow m_row;
  bool m_domain_ok = false;  // a well-formed name, to compare with the target
  bool m_action_ok = false;
};

// Reports the CSV problems of a record; true if there were any.
bool report_problems(const std::vector<CsvProblem>& problems, bool is_header, Reporter& reporter) {
  for (const auto& problem : problems) {
    std::string_view field = problem.column < k_columns.size() ? k_columns[problem.column] : "record";
    reporter.add(problem.line, is_header ? "header" : field, problem.what);
  }
  return !problems.empty();
}

// A move onto a space that the same list exports, moves or deletes: the
// moved data would be deleted with it. Reported at the move's line, naming
// the other one.
void report_targets_listed_as_domains(const Seen& seen, Reporter& reporter) {
  for (const auto& [host, line] : seen.target_hosts) {
    auto listed = seen.domains.line_of(host);
    if (!listed) continue;
    reporter.add(line, "target",
                 "host " + in_quotes(host) + " is the domain of the account on line " +
                     std::to_string(*listed) + " of this list");
  }
}

// Checks one record after the header: a valid row goes to `on_row`.
void check_record(CsvRecord& record, const std::vector<CsvProblem>& problems, const Config& config,
                  Reporter& reporter, Seen& seen, AccountsScan& scan, const AccountRowSink& on_row) {
  // A badly quoted record's fields are guesses: checking them would only
  // add confusing errors on top of the real one.
  if (report_problems(problems, false, reporter)) return;
  trim_fields(record);
  if (is_blank(record)) {
    ++scan.skipped_rows;
    return;
  }
  if (record.fields.size() != k_columns.size()) {
    reporter.add(record.line, "record",
                 "expected " + std::to_string(k_columns.size()) + " fields, found " +
                     std::to_string(record.fields.size()));
    return;
  }
  if (auto row = RecordChecker(record, config, reporter, seen).check()) {
    ++scan.rows;
    on_row(*row);
  }
}

// The header decides the separator: French spreadsheets save CSV with ';',
// because ',' is their decimal mark.
void start_reading(CsvStream& csv) {
  std::string_view head = csv.first_line();
  if (head.starts_with(k_utf8_bom)) {
    csv.skip(k_utf8_bom.size());
    head.remove_prefix(k_utf8_bom.size());
  }
  csv.set_separator(first_line_separator(head));
}

AccountsScan scan_stream(std::istream& in, const std::string& name, const Config& config,
                         const AccountRowSink& on_row, Checks checks) {
  AccountsScan scan;
  Reporter reporter(name, scan.errors);
  CsvStream csv(in);
  start_reading(csv);
  CsvRecord record;
  std::vector<CsvProblem> problems;
  if (!csv.next(record, problems)) {
    reporter.add(1, "header", "missing: the file is empty (expected " + expected_header() + ")");
    return scan;
  }
  trim_fields(record);
  if (report_problems(problems, true, reporter) || !check_header(record, reporter)) return scan;
  Seen seen;
  seen.checked = checks == Checks::all;
  for (problems.clear(); csv.next(record, problems); problems.clear())
    check_record(record, problems, config, reporter, seen, scan, on_row);
  if (csv.failed()) reporter.add(0, "file", "cannot read it to the end");
  scan.skipped_rows += csv.empty_lines();
  report_targets_listed_as_domains(seen, reporter);
  return scan;
}

}  // namespace

AccountsScan scan_accounts(std::istream& in, const std::string& name, const Config& config,
                           const AccountRowSink& on_row, Checks checks) {
  Sha256Reader hashed(*in.rdbuf());
  std::istream hashed_in(&hashed);
  AccountsScan scan = scan_stream(hashed_in, name, config, on_row, checks);
  scan.sha256 = hashed.hex_final();
  return scan;
}

AccountsFile parse_accounts_text(const std::string& name, const std::string& text, const Config& config) {
  std::istringstream in(text);
  AccountsFile result;
  AccountsScan scan = scan_accounts(in, name, config, [&](const AccountRow& row) { result.rows.push_back(row); });
  result.errors = std::move(scan.errors);
  result.skipped_rows = scan.skipped_rows;
  return result;
}

AccountsFile read_accounts_file(const std::filesystem::path& file, const Config& config) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    AccountsFile result;
    std::string reason = std::generic_category().message(errno);
    result.errors.push_back(file.string() + ":0: file: cannot read it (" + reason + ")");
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_accounts_text(file.string(), text.str(), config);
}

const char* to_string(Action action) { return action == Action::move ? "move" : "export"; }

void check_row_against_existing(const std::string& name, const AccountRow& row,
                                const OwnerCampaignLookup& owner_campaign, std::vector<std::string>& errors) {
  Reporter reporter(name, errors);
  if (auto campaign = owner_campaign.of_login(row.login))
    reporter.add(row.line, "login", "already in unfinished campaign " + *campaign);
  if (auto campaign = owner_campaign.of_domain(row.domain))
    reporter.add(row.line, "domain", "already in unfinished campaign " + *campaign);
}

std::vector<std::string> check_against_existing(const std::string& name, const std::vector<AccountRow>& rows,
                                                const OwnerCampaignLookup& owner_campaign) {
  std::vector<std::string> errors;
  for (const auto& row : rows) check_row_against_existing(name, row, owner_campaign, errors);
  return errors;
}

}  // namespace passage
