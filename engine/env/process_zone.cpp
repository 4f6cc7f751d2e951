#include "engine/env/process_zone.hpp"

#include <cstdlib>

namespace passage {

void pin_c_library_zone() {
  if (std::getenv("TZ") == nullptr) ::setenv("TZ", ":/etc/localtime", 0);
}

}  // namespace passage
