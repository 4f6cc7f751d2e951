#pragma once
// How much one export part may weigh (issue 12): no part carries more than
// the space holds. The bound is the space's disk usage read before the
// export plus its JSON documents (`total_size`), with slack for zip
// overhead and files written meanwhile. A download past it stops before it
// fills the disk (part_too_large); a part that decompresses past it is a
// zip bomb. Without a recorded usage, fixed bounds well above any quota.

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/accounts/account.hpp"

namespace passage {

inline constexpr std::string_view k_part_too_large = "part_too_large";

// The fixed slack: zip headers of many small documents, late writes.
inline constexpr std::int64_t k_part_slack = 256LL * 1024 * 1024;
// Without a recorded usage (quota is 5 GB on MyToutatice).
inline constexpr std::int64_t k_part_unannounced_max = 16LL * 1024 * 1024 * 1024;
inline constexpr std::int64_t k_uncompressed_unannounced_max = 64LL * 1024 * 1024 * 1024;

struct PartLimits {
  std::int64_t max_bytes = 0;         // the download
  std::int64_t max_uncompressed = 0;  // its entries once decompressed
};

PartLimits part_limits(const std::optional<DiskUsage>& usage, std::int64_t json_total_size);

}  // namespace passage
