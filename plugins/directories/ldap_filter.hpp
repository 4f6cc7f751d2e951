#pragma once
// Building an LDAP search filter from the configured template without
// letting a login change its meaning (RFC 4515). Pure functions, no libldap.

#include <string>
#include <string_view>

namespace passage {

// `value` with the characters RFC 4515 reserves in an assertion value
// written as `\XX`: `*` → \2a, `(` → \28, `)` → \29, `\` → \5c, NUL → \00.
// Every other byte (UTF-8 included) is kept.
std::string ldap_escape_filter_value(std::string_view value);

// `filter` with every `{login}` replaced by the escaped login.
std::string ldap_filter_for(std::string_view filter, std::string_view login);

}  // namespace passage
