#pragma once
// Whether a stack answers at all, without its passphrase: `campaign create`
// reads none (CONTRACT.md "Secrets by command") yet should say when the
// stack its accounts need is unreachable (issue 14). An unauthenticated
// GET <url>/version: cozy-stack's admin port answers it 401, which proves
// it is there; any HTTP answer below 500 counts (a proxy answers 502 or
// 503 for a stack that is down).

#include <set>
#include <string>
#include <vector>

#include "engine/config/config.hpp"

namespace passage {

struct UnreachableStack {
  std::string name;
  std::string url;
  std::string why;  // the transport error: refused, timed out, no such host
};

// The cozy-admin stacks among `names` that gave no HTTP answer within 5
// seconds or a 5xx, probed all at once.
std::vector<UnreachableStack> unreachable_stacks(const Config& config, const std::set<std::string>& names);

}  // namespace passage
