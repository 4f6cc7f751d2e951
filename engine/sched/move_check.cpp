#include "engine/sched/move_check.hpp"

#include "engine/store/move_tokens.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr std::string_view k_moving = "MOVING";
constexpr std::string_view k_moved = "MOVED";

// The verified export the latest token of the account served. (Its time
// is not compared with the MOVING block's: a clock set back between runs
// would hide a finished move; the target's files decide.)
std::optional<std::pair<MoveToken, Evidence>> served_snapshot(Database& db, const Account& account) {
  auto token = latest_move_token(db, account.id);
  if (!token || token->evidence.empty()) return std::nullopt;
  auto evidence = evidence_from_json(token->evidence);
  if (!evidence || evidence->parts.empty()) return std::nullopt;
  return std::make_pair(*token, *evidence);
}

bool every_part_sent_whole(Database& db, const MoveToken& token, const Evidence& evidence) {
  const int parts = static_cast<int>(evidence.parts.size());
  const MoveServed served = move_served(db, token.token_hash, parts);
  for (std::size_t n = 0; n < evidence.parts.size(); ++n)
    if (served.part_bytes[n] < evidence.parts[n].bytes) return false;
  return true;
}

// The import the latest attempt asked for: its token was written just
// before the import request, after the attempt's intent. An older token
// is an earlier attempt's, whose import ended or was given up.
std::optional<LeftImport> left_import(const MoveCheckContext& c, const Account& account) {
  auto snapshot = served_snapshot(c.db, account);
  if (!snapshot || !c.attempt_started || snapshot->first.created_at < *c.attempt_started) return std::nullopt;
  return LeftImport{snapshot->first.token_hash, snapshot->first.expires_at, snapshot->second};
}

// Did the latest attempt ask the target to import? Its token is written
// just before the import request, so at or after the attempt's intent.
// Without any intent (own_block MOVING is committed with one: a database
// older than that), a token may be an import still running: asked.
bool attempt_asked_import(const MoveCheckContext& c, const Account& account) {
  auto token = latest_move_token(c.db, account.id);
  if (!token) return false;
  return !c.attempt_started || token->created_at >= *c.attempt_started;
}

// Nothing was sent to the target. The caller checked that Passage recorded
// MOVING as its own block: only that block is lifted; MOVED, or any other
// reason, is someone else's and stays (the retry's lookup stops on it).
asio::awaitable<Outcome<MoveReadBack>> give_back_unimported(const MoveCheckContext& c, const Account& account,
                                                            const InstanceInfo& source) {
  std::string why = "move_interrupted: the move's attempt ended before the target was asked to import "
                    "(nothing was sent to it)";
  if (source.blocked && source.blocking_reason == k_moving) {
    auto unblocked = co_await c.source.set_block(account.domain, "");
    if (!unblocked.ok()) co_return unblocked.failure();
    why += ": the source is unblocked, the move tried again";
  } else {
    why += ": the move tried again";
  }
  MoveReadBack read;
  read.not_imported = std::move(why);
  co_return read;
}

}  // namespace

asio::awaitable<Outcome<MoveReadBack>> check_admin_move(MoveCheckContext c, Account account) {
  const MoveReadBack unfinished;
  if (account.own_block != k_moving) co_return unfinished;
  auto source = co_await c.source.lookup(account.domain);
  if (!source.ok()) co_return source.failure();
  if (!attempt_asked_import(c, account)) co_return co_await give_back_unimported(c, account, source.value());
  if (source.value().blocked && source.value().blocking_reason == k_moving)
    co_return MoveReadBack{std::nullopt, left_import(c, account), std::nullopt};
  if (!source.value().blocked || source.value().blocking_reason != k_moved) co_return unfinished;
  auto snapshot = served_snapshot(c.db, account);
  if (!snapshot || !every_part_sent_whole(c.db, snapshot->first, snapshot->second)) co_return unfinished;
  auto target = co_await c.target.lookup(account.target_host);
  if (!target.ok()) co_return target.failure();
  if (!target.value().exists || target.value().blocked) co_return unfinished;
  auto usage = co_await c.target.disk_usage(account.target_host);
  if (!usage.ok()) co_return usage.failure();
  Evidence evidence = snapshot->second;
  if (usage.value().files != evidence.content.file_bytes) co_return unfinished;
  // Written since the disk usage read before the export: the target holds
  // an older snapshot than the source (admin_move.cpp source_changed). The
  // move is Passage's own: the source is given back, and the retry past the
  // import deadline moves it again.
  auto source_usage = co_await c.source.disk_usage(account.domain);
  if (!source_usage.ok()) co_return source_usage.failure();
  if (!evidence.usage || written_during_download(*evidence.usage, source_usage.value())) {
    auto unblocked = co_await c.source.set_block(account.domain, "");
    if (!unblocked.ok()) co_return unblocked.failure();
    co_return unfinished;
  }
  evidence.kind = "moved";
  co_return MoveReadBack{std::move(evidence), std::nullopt, std::nullopt};
}

}  // namespace passage
