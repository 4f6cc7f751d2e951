#include "safe_http.hpp"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>

#include <optional>

namespace sim {
namespace {

// The facts safehttp's safeControl looks at, as Go's net.IP methods define them.
struct AddressKind {
  bool never = false;  // unspecified, link-local unicast or link-local multicast
  bool loopback = false;
  bool is_private = false;
};

AddressKind classify_v4(std::uint32_t a) {
  AddressKind k;
  k.never = a == 0 || (a >> 16) == 0xa9fe || (a >> 8) == 0xe00000;  // 0.0.0.0, 169.254/16, 224.0.0/24
  k.loopback = (a >> 24) == 127;
  k.is_private = (a >> 24) == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8;  // 10/8, 172.16/12, 192.168/16
  return k;
}

AddressKind classify_v6(const boost::urls::ipv6_address& a) {
  const auto b = a.to_bytes();
  if (a.is_v4_mapped())  // ::ffff:a.b.c.d is judged as a.b.c.d, as Go's To4 does
    return classify_v4(std::uint32_t{b[12]} << 24 | std::uint32_t{b[13]} << 16 | std::uint32_t{b[14]} << 8 | b[15]);
  AddressKind k;
  const bool link_local = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;           // fe80::/10
  const bool link_local_multicast = b[0] == 0xff && (b[1] & 0x0f) == 0x02;  // ff02::/16
  k.never = a.is_unspecified() || link_local || link_local_multicast;
  k.loopback = a.is_loopback();
  k.is_private = (b[0] & 0xfe) == 0xfc;  // fc00::/7
  return k;
}

std::optional<AddressKind> classify(std::string_view ip) {
  if (auto v4 = boost::urls::parse_ipv4_address(ip)) return classify_v4(v4->to_uint());
  if (auto v6 = boost::urls::parse_ipv6_address(ip)) return classify_v6(*v6);
  return std::nullopt;
}

}  // namespace

bool safe_to_dial(std::string_view ip, std::uint16_t port, bool trust_private_networks, std::string& why) {
  const std::string text(ip);
  const auto kind = classify(ip);
  if (!kind || kind->never) return why = text + " is not a valid IP address", false;
  if ((kind->loopback || kind->is_private) && trust_private_networks) return true;
  if (kind->loopback || kind->is_private) return why = text + " is not a public IP address", false;
  if (port != 80 && port != 443) return why = std::to_string(port) + " is not a safe port number", false;
  return true;
}

bool fetchable_scheme(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

}  // namespace sim
