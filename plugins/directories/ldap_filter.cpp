#include "plugins/directories/ldap_filter.hpp"

namespace passage {

std::string ldap_escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '*': out += "\\2a"; break;
      case '(': out += "\\28"; break;
      case ')': out += "\\29"; break;
      case '\\': out += "\\5c"; break;
      case '\0': out += "\\00"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ldap_filter_for(std::string_view filter, std::string_view login) {
  constexpr std::string_view k_placeholder = "{login}";
  const std::string escaped = ldap_escape_filter_value(login);
  std::string out;
  std::size_t from = 0;
  for (std::size_t at = filter.find(k_placeholder); at != std::string_view::npos;
       at = filter.find(k_placeholder, from)) {
    out.append(filter.substr(from, at - from));
    out += escaped;
    from = at + k_placeholder.size();
  }
  out.append(filter.substr(from));
  return out;
}

}  // namespace passage
