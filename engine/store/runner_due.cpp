// The runner's due accounts (issue 15): one index-ordered search a state
// (accounts_by_due: state, due_at), merged by (due_at, id) and read one
// row at a time, so that a wake-up of the runner reads about as many rows
// as it starts, not every due row of every state (nor hundreds of new
// exports waiting for a slot, which it then skipped). While a stack has
// no export slot, QUEUED and RETRY_WAIT are read by export slot key
// (accounts_by_due_slot) so that its waiting exports are not walked
// either: with one search over (state, due_at) leaving them out, a wake-up
// of a 20,000-export run read all the waiting ones (3 ms each time, 18 s
// of the run's loop).

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

// The stack whose export slot a QUEUED or RETRY_WAIT row waits for, ''
// when it needs none: the accounts_by_due_slot index's expression (schema
// migration 17), character for character, and that index's WHERE.
constexpr std::string_view k_export_slot_key =
    "(CASE WHEN (action = 'export' OR fallback_export = 1) AND (state = 'QUEUED' OR (state = 'RETRY_WAIT' "
    "AND retry_step = 'QUEUED')) THEN stack ELSE '' END)";
constexpr std::string_view k_slot_index_rows = "state IN ('QUEUED', 'RETRY_WAIT')";

bool may_want_new_export(std::string_view state) { return state == "QUEUED" || state == "RETRY_WAIT"; }

// What a visit is for: the same for every search of one visit.
struct DueQuery {
  std::string now;
  std::optional<std::int64_t> campaign_id;
  std::vector<std::string> no_export_slot;
  std::vector<std::string> with_export_slot;
};

// Which rows of a state one search reads by their export slot key: all of
// them, exactly one key, or the keys strictly between two (no upper bound
// when `below` is empty).
struct SlotKeys {
  enum class Kind { all, equal, between } kind = Kind::all;
  std::string key;    // equal: the key; between: the lower bound
  std::string below;  // between: the upper bound, "" for none
};

// One search's due rows in (due_at, id) order, read as they are taken.
class DueCursor {
 public:
  DueCursor(std::string_view state, SlotKeys keys, int number)
      : m_state(state), m_keys(std::move(keys)), m_number(number) {}
  ~DueCursor() { close(); }
  DueCursor(const DueCursor&) = delete;
  DueCursor& operator=(const DueCursor&) = delete;
  DueCursor(DueCursor&& other) noexcept
      : m_state(other.m_state), m_keys(std::move(other.m_keys)), m_number(other.m_number),
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
    if (m_keys.kind != SlotKeys::Kind::all) m_statement->bind(index++, m_keys.key);
    if (m_keys.kind == SlotKeys::Kind::between && !m_keys.below.empty()) m_statement->bind(index++, m_keys.below);
    m_statement->bind(index++, query.now);
    if (query.campaign_id) m_statement->bind(index++, *query.campaign_id);
    if (m_keys.kind == SlotKeys::Kind::all && may_want_new_export(m_state))
      for (const std::string& stack : query.no_export_slot) m_statement->bind(index++, stack);
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
    if (m_keys.kind == SlotKeys::Kind::all) {
      text += " WHERE a.state = '" + std::string(m_state) + "'";
    } else {
      text += " INDEXED BY accounts_by_due_slot WHERE " + std::string(k_slot_index_rows) + " AND a.state = '" +
              std::string(m_state) + "' AND " + std::string(k_export_slot_key);
      if (m_keys.kind == SlotKeys::Kind::equal) text += " = ?";
      else text += m_keys.below.empty() ? " > ?" : " > ? AND " + std::string(k_export_slot_key) + " < ?";
    }
    text += " AND a.due_at IS NOT NULL AND a.due_at <= ?";
    if (query.campaign_id) text += " AND a.campaign_id = ?";
    if (m_keys.kind == SlotKeys::Kind::all && may_want_new_export(m_state))
      for (std::size_t i = 0; i < query.no_export_slot.size(); ++i)
        text += " AND NOT (a.stack = ? AND " + std::string(k_wants_new_export) + ")";
    return text + " ORDER BY a.due_at, a.id /* due search " + std::to_string(m_number) + " */";
  }

  void advance() {
    m_has_row = m_statement->step();
    if (!m_has_row) return close();
    m_due_at = m_statement->text_at(0);
    m_row = DueAccount{m_statement->int_at(1), m_statement->text_at(2), m_statement->int_at(3) != 0};
  }

  std::string_view m_state;
  SlotKeys m_keys;
  int m_number;
  Statement* m_statement = nullptr;
  bool m_has_row = false;
  std::string m_due_at;
  DueAccount m_row;
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The slot keys a state's searches read while some stack has no export
// slot: every key but those stacks'. Rows needing no slot and each stack
// known to have one are read straight from the index in due order; the
// gaps between the named stacks (a stack the caller did not name: none,
// normally) are read and sorted. Without a stack lacking a slot: all rows.
std::vector<SlotKeys> slot_searches(const DueQuery& query) {
  if (query.no_export_slot.empty()) return {SlotKeys{}};
  std::vector<SlotKeys> searches{{SlotKeys::Kind::equal, "", ""}};
  std::vector<std::string> named = query.no_export_slot;
  for (const std::string& stack : query.with_export_slot) {
    if (stack.empty() || contains(named, stack)) continue;
    named.push_back(stack);
    searches.push_back({SlotKeys::Kind::equal, stack, ""});
  }
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  std::string lower;
  for (const std::string& stack : named) {
    if (stack.empty()) continue;
    searches.push_back({SlotKeys::Kind::between, lower, stack});
    lower = stack;
  }
  searches.push_back({SlotKeys::Kind::between, lower, ""});
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
  const std::vector<SlotKeys> slot_keys = slot_searches(query);
  std::vector<DueCursor> cursors;
  for (std::string_view state : k_due_states) {
    if (!may_want_new_export(state)) {
      cursors.emplace_back(state, SlotKeys{}, static_cast<int>(cursors.size()));
      continue;
    }
    for (const SlotKeys& keys : slot_keys) cursors.emplace_back(state, keys, static_cast<int>(cursors.size()));
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
