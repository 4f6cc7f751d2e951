#pragma once
// `passage report`: a campaign's report written from the database.

#include <iosfwd>
#include <string>

#include "engine/store/store.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {

// The campaign's report in `format` ("csv", "json" or "html"; `separator`
// for csv) as of `now`, written to `out` row by row from a cursor over its
// accounts: a 1,000,000-account report never holds its accounts. The HTML
// page's figures take one pass more over the accounts and one over the
// journal, keeping counts and each account's id and state.
void write_campaign_report(Store& store, const Campaign& campaign, Instant now, const Config& config,
                           const std::string& format, char separator, std::ostream& out);

}  // namespace passage
