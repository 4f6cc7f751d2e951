#pragma once
// Checks of single accounts-file values. Each returns nullopt when the value
// is acceptable, otherwise what is wrong, phrased to follow "field: ".

#include <optional>
#include <string>
#include <string_view>

namespace passage {

// A-Z to a-z, nothing else: locale-free, for domains, actions and e-mails.
std::string ascii_lowercase(std::string_view text);

// E-mail addresses compare case-insensitively (ASCII letters).
bool same_email(std::string_view a, std::string_view b);

// ASCII letters, digits, '.', '_', '-', starting with a letter or digit:
// logins end up in file names, URLs and LDAP filters.
std::optional<std::string> check_login(std::string_view login);

// A lowercase DNS name of at least two labels (RFC 1123 labels).
std::optional<std::string> check_dns_name(std::string_view name);

// local@domain.tld: one '@', no whitespace, a dotted domain.
std::optional<std::string> check_email(std::string_view email);

}  // namespace passage
