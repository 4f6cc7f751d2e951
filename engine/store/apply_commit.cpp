#include "engine/store/apply_commit.hpp"

namespace passage {

namespace {

// A row that changes this often between a read and a write is contended by
// something broken; give up rather than spin.
constexpr int k_max_attempts = 5;

}  // namespace

StepResult apply_and_commit(Store& store, const Account& snapshot, const Event& event, Instant now,
                            const Policy& policy, const std::string& actor) {
  Account account = snapshot;
  for (int attempt = 0; attempt < k_max_attempts; ++attempt) {
    StepResult result = apply(account, event, now, policy);
    const auto* transition = std::get_if<Transition>(&result);
    if (!transition || store.commit(account, *transition, now, actor)) return result;
    auto fresh = store.account(account.id);
    if (!fresh) return Refusal{"the account no longer exists"};
    account = *fresh;
  }
  return Refusal{"the account kept changing meanwhile: try again"};
}

bool commit_pending_hold(Store& store, std::int64_t account_id, const std::string& reason, Instant now,
                         const std::string& actor) {
  auto fresh = store.account(account_id);
  if (!fresh) return false;
  StepResult result = keep_hold_pending(*fresh, reason);
  const auto* pending = std::get_if<Transition>(&result);
  return pending && store.commit(*fresh, *pending, now, actor, std::nullopt);
}

}  // namespace passage
