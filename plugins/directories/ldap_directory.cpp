// The ldap directory, through libldap's synchronous API: one connection per
// purge, opened at the first lookup (LDAPv3, simple bind, or anonymous
// without bind_dn), then one subtree search per login. The password goes
// to libldap and nowhere else: error texts name the server and the bind
// DN, never the credential.

#include <ldap.h>
#include <sys/time.h>

#include <vector>

#include "plugins/directories/directory.hpp"
#include "plugins/directories/ldap_filter.hpp"

namespace passage {
namespace {

constexpr timeval k_network_timeout{10, 0};  // TCP connect
constexpr timeval k_operation_timeout{30, 0};  // each bind or search
// More matches than this means the filter does not single a person out.
constexpr int k_size_limit = 16;

class LdapDirectory final : public Directory {
 public:
  explicit LdapDirectory(const DirectoryConfig& config) : m_config(config) {}

  ~LdapDirectory() override {
    if (m_ld != nullptr) ldap_unbind_ext_s(m_ld, nullptr, nullptr);
  }

  LdapDirectory(const LdapDirectory&) = delete;
  LdapDirectory& operator=(const LdapDirectory&) = delete;

  DirectoryStatus status(const std::string& login) override {
    // A server that refused us or went away is not asked again this purge:
    // with thousands of due accounts, each retry could cost a timeout.
    if (m_broken || !connected()) return DirectoryStatus::failed;
    return search(login);
  }

  std::string error() const override { return m_error; }

 private:
  bool connected() {
    if (m_ld != nullptr) return true;
    int rc = ldap_initialize(&m_ld, m_config.url.c_str());
    if (rc != LDAP_SUCCESS) return broken("cannot use " + m_config.url, rc);
    const int version = LDAP_VERSION3;
    ldap_set_option(m_ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(m_ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    ldap_set_option(m_ld, LDAP_OPT_NETWORK_TIMEOUT, &k_network_timeout);
    ldap_set_option(m_ld, LDAP_OPT_TIMEOUT, &k_operation_timeout);
    // Anonymous when there is no bind DN: an empty DN and credential.
    const std::string& password = m_config.password.reveal();
    berval credential{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
    const bool anonymous = m_config.bind_dn.empty();
    if (anonymous) credential = berval{0, nullptr};
    rc = ldap_sasl_bind_s(m_ld, anonymous ? "" : m_config.bind_dn.c_str(), LDAP_SASL_SIMPLE,
                          &credential, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS)
      return broken(anonymous ? "anonymous bind to " + m_config.url
                            : "bind to " + m_config.url + " as " + m_config.bind_dn,
                  rc);
    return true;
  }

  DirectoryStatus search(const std::string& login) {
    const std::string filter = ldap_filter_for(m_config.filter, login);
    std::vector<char> attribute(m_config.departed_attribute.begin(),
                                m_config.departed_attribute.end());
    attribute.push_back('\0');
    char* attributes[] = {attribute.data(), nullptr};
    timeval timeout = k_operation_timeout;
    LDAPMessage* result = nullptr;
    int rc = ldap_search_ext_s(m_ld, m_config.base_dn.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                               attributes, 0, nullptr, nullptr, &timeout, k_size_limit, &result);
    DirectoryStatus status = DirectoryStatus::failed;
    if (rc == LDAP_SUCCESS)
      status = classify(result);
    else if (rc == LDAP_SIZELIMIT_EXCEEDED)
      fail("search " + filter + " under " + m_config.base_dn + " matches more than " +
               std::to_string(k_size_limit) + " entries",
           rc);
    else if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR)
      broken("search " + filter + " under " + m_config.base_dn, rc);
    else
      fail("search " + filter + " under " + m_config.base_dn, rc);
    ldap_msgfree(result);
    return status;
  }

  // No entry: unknown. Departed only when every entry found says so.
  DirectoryStatus classify(LDAPMessage* result) {
    bool found = false;
    for (LDAPMessage* entry = ldap_first_entry(m_ld, result); entry != nullptr;
         entry = ldap_next_entry(m_ld, entry)) {
      found = true;
      if (!departed(entry)) return DirectoryStatus::active;
    }
    return found ? DirectoryStatus::departed : DirectoryStatus::unknown;
  }

  bool departed(LDAPMessage* entry) {
    berval** values = ldap_get_values_len(m_ld, entry, m_config.departed_attribute.c_str());
    if (values == nullptr) return false;
    bool match = false;
    for (berval** value = values; *value != nullptr && !match; ++value)
      match = std::string_view((*value)->bv_val, (*value)->bv_len) == m_config.departed_value;
    ldap_value_free_len(values);
    return match;
  }

  // Records the first failure; always false.
  bool fail(const std::string& what, int rc) {
    if (m_error.empty()) m_error = "ldap: " + what + ": " + ldap_err2string(rc);
    return false;
  }

  // A failure of the connection itself: every later lookup fails too.
  bool broken(const std::string& what, int rc) {
    m_broken = true;
    return fail(what, rc);
  }

  DirectoryConfig m_config;
  LDAP* m_ld = nullptr;
  bool m_broken = false;
  std::string m_error;  // the first failure
};

}  // namespace

std::unique_ptr<Directory> make_ldap_directory(const DirectoryConfig& config) {
  return std::make_unique<LdapDirectory>(config);
}

}  // namespace passage
