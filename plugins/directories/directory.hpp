#pragma once
// What a directory is: the academy's own record of who has left. The purge
// asks it once per due account (CONTRACT.md "Purge, throttle and breaker")
// and deletes only when it says `departed`; every other answer fails the
// `directory_*` interlock and is counted by the breaker.
//
// A lookup blocks: it runs on the purge's thread, once per due account, and
// each provider bounds its own waits (the LDAP timeouts).

#include <memory>
#include <string>

#include "engine/config/config.hpp"

namespace passage {

enum class DirectoryStatus {
  departed,  // the person has left: the space may be deleted
  active,    // the person is (back) at the academy
  unknown,   // the directory has no such login
  failed,    // the directory could not be read: nothing is known
};

// "departed", "active", "unknown", "failed".
const char* status_name(DirectoryStatus status);

class Directory {
 public:
  virtual ~Directory() = default;
  virtual DirectoryStatus status(const std::string& login) = 0;
  // Why lookups failed, for the purge report (never a secret); empty while
  // none has.
  virtual std::string error() const = 0;
};

// The providers (the registry picks one by `provider`).
std::unique_ptr<Directory> make_csv_directory(const DirectoryConfig& config);
std::unique_ptr<Directory> make_ldap_directory(const DirectoryConfig& config);

}  // namespace passage
