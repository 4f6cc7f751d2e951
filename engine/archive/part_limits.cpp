#include "engine/archive/part_limits.hpp"

#include <algorithm>

namespace passage {

PartLimits part_limits(const std::optional<DiskUsage>& usage, std::int64_t json_total_size) {
  if (!usage) return PartLimits{k_part_unannounced_max, k_uncompressed_unannounced_max};
  const std::int64_t announced =
      std::max(usage->used, usage->files + usage->versions) + std::max<std::int64_t>(json_total_size, 0);
  const std::int64_t bound = announced + announced / 4 + k_part_slack;
  return PartLimits{bound, bound};
}

}  // namespace passage
