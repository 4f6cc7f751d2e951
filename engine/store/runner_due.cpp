// The runner's due accounts (issue 15): one index-ordered search a state
// (accounts_by_due: state, due_at), merged by (due_at, id) and read one
// row at a time, so that a wake-up of the runner reads about as many rows
// as it starts, not every due row of every state (nor hundreds of new
// exports waiting for a slot, which it then skipped).

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

bool may_want_new_export(std::string_view state) { return state == "QUEUED" || state == "RETRY_WAIT"; }

// What a search is for: the same for every state of one visit.
struct DueQuery {
  std::string now;
  std::optional<std::int64_t> campaign_id;
  std::vector<std::string> no_export_slot;
};

// One state's due rows in (due_at, id) order, read as they are taken.
class DueCursor {
 public:
  explicit DueCursor(std::string_view state) : m_state(state) {}
  ~DueCursor() { close(); }
  DueCursor(const DueCursor&) = delete;
  DueCursor& operator=(const DueCursor&) = delete;
  DueCursor(DueCursor&& other) noexcept
      : m_state(other.m_state), m_statement(std::exchange(other.m_statement, nullptr)),
        m_has_row(other.m_has_row), m_due_at(std::move(other.m_due_at)), m_row(std::move(other.m_row)) {}

  std::string_view state() const { return m_state; }
  bool has_row() const { return m_has_row; }
  const std::string& due_at() const { return m_due_at; }
  const DueAccount& row() const { return m_row; }

  void open(Database& db, const DueQuery& query) {
    close();
    m_statement = &db.cached(sql(query));
    int index = 1;
    m_statement->bind(index++, query.now);
    if (query.campaign_id) m_statement->bind(index++, *query.campaign_id);
    if (may_want_new_export(m_state))
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
  std::string sql(const DueQuery& query) const {
    std::string text = "SELECT a.due_at, a.id, a.stack, " + std::string(k_wants_new_export) +
                       " FROM accounts a WHERE a.state = '" + std::string(m_state) +
                       "' AND a.due_at IS NOT NULL AND a.due_at <= ?";
    if (query.campaign_id) text += " AND a.campaign_id = ?";
    if (may_want_new_export(m_state))
      for (std::size_t i = 0; i < query.no_export_slot.size(); ++i)
        text += " AND NOT (a.stack = ? AND " + std::string(k_wants_new_export) + ")";
    return text + " ORDER BY a.due_at, a.id";
  }

  void advance() {
    m_has_row = m_statement->step();
    if (!m_has_row) return close();
    m_due_at = m_statement->text_at(0);
    m_row = DueAccount{m_statement->int_at(1), m_statement->text_at(2), m_statement->int_at(3) != 0};
  }

  std::string_view m_state;
  Statement* m_statement = nullptr;
  bool m_has_row = false;
  std::string m_due_at;
  DueAccount m_row;
};

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
                                 const std::function<DueVisit(const DueAccount&)>& visit) {
  DueQuery query{format_utc(now), campaign_id, std::move(no_export_slot)};
  std::vector<DueCursor> cursors;
  cursors.reserve(std::size(k_due_states));
  for (std::string_view state : k_due_states) cursors.emplace_back(state).open(m_db, query);
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
                                                  int limit, const std::vector<std::string>& no_export_slot) {
  std::vector<DueAccount> due;
  if (limit <= 0) return due;
  visit_due_for_runner(now, campaign_id, no_export_slot, [&](const DueAccount& row) {
    due.push_back(row);
    return static_cast<int>(due.size()) < limit ? DueVisit::next : DueVisit::stop;
  });
  return due;
}

}  // namespace passage
