// The runner's due accounts (issue 15): one index-ordered search a state
// (accounts_by_due: state, due_at), merged by (due_at, id) and read one
// row at a time, so that a wake-up of the runner reads about as many rows
// as it starts, not every due row of every state (nor hundreds of new
// exports waiting for a slot, which it then skipped). While a stack has
// no export slot, QUEUED and RETRY_WAIT are read as the rows that need no
// slot and the new exports of each stack that has one, so that the full
// stack's waiting exports are not walked either: with one search over
// (state, due_at) leaving them out, a wake-up of a 20,000-export run read
// all the waiting ones (3 ms each time, 18 s of the run's loop).

#include <algorithm>
#include <utility>

#include "engine/store/store.hpp"

namespace passage {

namespace {

// The runner's states (Store::due_for_runner's).
constexpr std::string_view k_due_states[] = {"QUEUED",   "EXPORTING", "VERIFYING", "MOVING",    "INVITED",
                                             "VERIFIED", "NOTIFIED",  "GRACE",     "RETRY_WAIT"};

// Runner::export_bound less EXPORTING (already requested: no slot needed).
constexpr std::string_view k_wants_new_export =
    "(a.action = 'export' OR a.fallback_export = 1) AND "
    "(a.state = 'QUEUED' OR (a.state = 'RETRY_WAIT' AND a.retry_step = 'QUEUED'))";

// The QUEUED and RETRY_WAIT rows that need no export slot: the WHERE of
// the accounts_by_due_no_slot index (schema migration 17), character for
// character (SQLite uses a partial index only when a query's WHERE holds
// the index's own terms).
constexpr std::string_view k_needs_no_slot =
    "state IN ('QUEUED', 'RETRY_WAIT') AND NOT ((action = 'export' OR fallback_export = 1) AND "
    "(state = 'QUEUED' OR (state = 'RETRY_WAIT' AND retry_step = 'QUEUED')))";

bool may_want_new_export(std::string_view state) { return state == "QUEUED" || state == "RETRY_WAIT"; }

// What a visit is for: the same for every search of one visit.
struct DueQuery {
  std::string now;
  std::optional<std::int64_t> campaign_id;
  std::vector<std::string> no_export_slot;
  std::vector<std::string> with_export_slot;
};

// Which rows of a state one search reads: all of them (no stack lacks an
// export slot), those that need no export slot, or the new exports of one
// stack that has a slot.
struct DueRows {
  enum class Kind { all, no_slot_needed, exports_of_stack } kind = Kind::all;
  std::string stack;  // exports_of_stack
};

// One search's due rows in (due_at, id) order, read as they are taken.
class DueCursor {
 public:
  DueCursor(std::string_view state, DueRows rows, int number)
      : m_state(state), m_rows(std::move(rows)), m_number(number) {}
  ~DueCursor() { close(); }
  DueCursor(const DueCursor&) = delete;
  DueCursor& operator=(const DueCursor&) = delete;
  DueCursor(DueCursor&& other) noexcept
      : m_state(other.m_state), m_rows(std::move(other.m_rows)), m_number(other.m_number),
        m_statement(std::exchange(other.m_statement, nullptr)), m_has_row(other.m_has_row),
        m_due_at(std::move(other.m_due_at)), m_row(std::move(other.m_row)) {}

  std::string_view state() const { return m_state; }
  bool has_row() const { return m_has_row; }
  const std::string& due_at() const { return m_due_at; }
  const DueAccount& row() const { return m_row; }

  void open(Database& db, const DueQuery& query) {
    close();
    m_statement = &db.cached(sql(query));
    int index = 1;
    if (m_rows.kind == DueRows::Kind::exports_of_stack) m_statement->bind(index++, m_rows.stack);
    m_statement->bind(index++, query.now);
    if (query.campaign_id) m_statement->bind(index++, *query.campaign_id);
    advance();
  }

  void close() {
    if (m_statement) m_statement->reset();
    m_statement = nullptr;
    m_has_row = false;
  }

  // Takes the current row: the next one becomes current.
  DueAccount take() {
    DueAccount taken = std::move(m_row);
    advance();
    return taken;
  }

 private:
  // Each search of a visit has a text of its own (its number): two open
  // searches never share one cached statement.
  std::string sql(const DueQuery& query) const {
    std::string text = "SELECT a.due_at, a.id, a.stack, " + std::string(k_wants_new_export) + " FROM accounts a";
    if (m_rows.kind == DueRows::Kind::no_slot_needed)
      text += " INDEXED BY accounts_by_due_no_slot WHERE " + std::string(k_needs_no_slot) + " AND";
    else
      text += " WHERE";
    text += " a.state = '" + std::string(m_state) + "'";
    if (m_rows.kind == DueRows::Kind::exports_of_stack)
      text += " AND " + std::string(k_wants_new_export) + " AND a.stack = ?";
    text += " AND a.due_at IS NOT NULL AND a.due_at <= ?";
    if (query.campaign_id) text += " AND a.campaign_id = ?";
    return text + " ORDER BY a.due_at, a.id /* due search " + std::to_string(m_number) + " */";
  }

  void advance() {
    m_has_row = m_statement->step();
    if (!m_has_row) return close();
    m_due_at = m_statement->text_at(0);
    m_row = DueAccount{m_statement->int_at(1), m_statement->text_at(2), m_statement->int_at(3) != 0};
  }

  std::string_view m_state;
  DueRows m_rows;
  int m_number;
  Statement* m_statement = nullptr;
  bool m_has_row = false;
  std::string m_due_at;
  DueAccount m_row;
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The searches of QUEUED or RETRY_WAIT. While some stack has no export
// slot, one for the rows that need none (a small partial index) and one
// for each stack known to have a slot, its new exports in due order:
// no search walks a full stack's waiting exports. Without a stack
// lacking a slot, one search for all rows.
std::vector<DueRows> queue_searches(const DueQuery& query) {
  if (query.no_export_slot.empty()) return {DueRows{}};
  std::vector<DueRows> searches{{DueRows::Kind::no_slot_needed, ""}};
  std::vector<std::string> searched = query.no_export_slot;  // a stack named twice is read once
  for (const std::string& stack : query.with_export_slot) {
    if (contains(searched, stack)) continue;
    searched.push_back(stack);
    searches.push_back({DueRows::Kind::exports_of_stack, stack});
  }
  return searches;
}

// The cursor whose row comes first in (due_at, id) order; null when none has one.
DueCursor* first_due(std::vector<DueCursor>& cursors) {
  DueCursor* first = nullptr;
  for (DueCursor& cursor : cursors) {
    if (!cursor.has_row()) continue;
    if (!first || cursor.due_at() < first->due_at() ||
        (cursor.due_at() == first->due_at() && cursor.row().id < first->row().id))
      first = &cursor;
  }
  return first;
}

}  // namespace

void Store::visit_due_for_runner(Instant now, std::optional<std::int64_t> campaign_id,
                                 std::vector<std::string> no_export_slot,
                                 std::vector<std::string> with_export_slot,
                                 const std::function<DueVisit(const DueAccount&)>& visit) {
  DueQuery query{format_utc(now), campaign_id, std::move(no_export_slot), std::move(with_export_slot)};
  const std::vector<DueRows> queue = queue_searches(query);
  std::vector<DueCursor> cursors;
  for (std::string_view state : k_due_states) {
    if (!may_want_new_export(state)) {
      cursors.emplace_back(state, DueRows{}, static_cast<int>(cursors.size()));
      continue;
    }
    for (const DueRows& rows : queue) cursors.emplace_back(state, rows, static_cast<int>(cursors.size()));
  }
  for (DueCursor& cursor : cursors) cursor.open(m_db, query);
  while (DueCursor* first = first_due(cursors)) {
    const DueAccount row = first->take();
    const DueVisit next = visit(row);
    if (next == DueVisit::stop) return;
    if (next != DueVisit::queue_later) continue;
    for (DueCursor& cursor : cursors)
      if (may_want_new_export(cursor.state())) cursor.close();
  }
}

std::vector<DueAccount> Store::due_ids_for_runner(Instant now, std::optional<std::int64_t> campaign_id,
                                                  int limit, const std::vector<std::string>& no_export_slot,
                                                  const std::vector<std::string>& with_export_slot) {
  std::vector<DueAccount> due;
  if (limit <= 0) return due;
  visit_due_for_runner(now, campaign_id, no_export_slot, with_export_slot, [&](const DueAccount& row) {
    due.push_back(row);
    return static_cast<int>(due.size()) < limit ? DueVisit::next : DueVisit::stop;
  });
  return due;
}

}  // namespace passage
