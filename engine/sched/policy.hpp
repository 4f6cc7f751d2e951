#pragma once
// The lifecycle policy of a stack, from the configuration.

#include "engine/config/config.hpp"
#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

Policy policy_for(const Config& config, const StackConfig& stack);

}  // namespace passage
