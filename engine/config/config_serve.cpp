// The `serve` section (CONTRACT.md "Two servers", "Configuration keys"):
// the desk page's keys are read and checked but not acted on here; the
// public server's address, the public URL of its links and their lifetime.

#include <array>
#include <charconv>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include "engine/config/config_sections.hpp"

namespace passage {

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port < 0 || port > 65535)
    return std::nullopt;
  boost::system::error_code bad;
  boost::asio::ip::make_address(std::string(host), bad);
  if (bad) return std::nullopt;
  return ListenAddress{std::string(host), static_cast<unsigned short>(port)};
}

namespace config_detail {
namespace {

constexpr std::array<std::string_view, 7> k_serve_keys{
    "listen", "token_env", "token_file", "agents_file", "public_listen", "public_url", "link_ttl"};

const char* const k_listen_help = "must be ADDRESS:PORT with an IP address, e.g. 127.0.0.1:8471";

// A key that may be null (absent and null both mean "not set").
std::optional<Field> set_field(const Section& s, std::string_view key) {
  auto field = s.get(key);
  if (!field || field->value.IsNull()) return std::nullopt;
  return field;
}

void read_listen(Reader& reader, const Field& field, std::string& out) {
  std::string text;
  if (!reader.string_value(field, text, k_listen_help)) return;
  if (!parse_listen_address(text)) return reader.error(field, k_listen_help);
  out = text;
}

// http(s)://host[:port][/path], kept without its trailing slashes.
void read_public_url(Reader& reader, const Field& field, std::optional<std::string>& out) {
  const char* help = "must be an https:// (or http://) URL without query, e.g. https://passage.example.org";
  std::string text;
  if (!reader.string_value(field, text, help)) return;
  const auto url = boost::urls::parse_absolute_uri(text);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->encoded_host().empty() ||
      url->has_query() || url->has_fragment() || url->has_userinfo())
    return reader.error(field, help);
  while (text.ends_with('/')) text.pop_back();
  out = text;
}

void read_optional_path(Reader& reader, const Section& s, std::string_view key,
                        std::optional<std::filesystem::path>& out) {
  if (!set_field(s, key)) return;
  std::filesystem::path path;
  if (reader.read_path(s, key, path)) out = path;
}

}  // namespace

void read_serve(Reader& reader, const Section& root, ServeConfig& out) {
  const auto field = root.get("serve");
  if (!field || field->value.IsNull()) return;
  const auto s = reader.section(*field, k_serve_keys);
  if (!s) return;
  if (const auto listen = set_field(*s, "listen")) read_listen(reader, *listen, out.listen);
  if (set_field(*s, "token_env")) reader.read_string(*s, "token_env", out.token_env);
  read_optional_path(reader, *s, "token_file", out.token_file);
  read_optional_path(reader, *s, "agents_file", out.agents_file);
  if (const auto listen = set_field(*s, "public_listen")) {
    std::string text;
    read_listen(reader, *listen, text);
    if (!text.empty()) out.public_listen = text;
  }
  if (const auto url = set_field(*s, "public_url")) read_public_url(reader, *url, out.public_url);
  reader.read_span(*s, "link_ttl", out.link_ttl, true);
}

void check_archive_delivery(Reader& reader, const Section& root, const Config& config) {
  if (config.export_.delivery != "archive" || config.serve.public_url) return;
  const auto export_field = root.get("export");
  int line = export_field ? export_field->line : 1;
  if (export_field && export_field->value.IsMap()) {
    // The line of `delivery` itself when it is on its own line.
    const auto delivery = export_field->value["delivery"];
    if (delivery) line = std::max(line, delivery.Mark().line + 1);
  }
  reader.error(line, "export.delivery: archive needs serve.public_url (the address of the "
                     "personal download links, served by `passage serve --public`)");
}

}  // namespace config_detail
}  // namespace passage
