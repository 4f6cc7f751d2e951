#pragma once
// One account as JSON: the shape of `account show --json` and of each
// account in `report --format json` (CONTRACT.md "Outputs").

#include <boost/json/object.hpp>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"

namespace passage {

boost::json::object account_json(const Account& account, const Config& config);

}  // namespace passage
