#include "plugins/directories/directory.hpp"

namespace passage {

const char* status_name(DirectoryStatus status) {
  switch (status) {
    case DirectoryStatus::departed: return "departed";
    case DirectoryStatus::active: return "active";
    case DirectoryStatus::unknown: return "unknown";
    case DirectoryStatus::failed: return "failed";
  }
  return "failed";
}

}  // namespace passage
