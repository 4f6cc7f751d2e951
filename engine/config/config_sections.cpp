// The optional sections: notify, export, move, purge, directory.

#include <array>

#include "engine/config/config_sections.hpp"

namespace passage::config_detail {
namespace {

constexpr std::array<std::string_view, 9> k_notify_keys{
    "notifier", "dir", "smtp_url", "from", "language", "rate", "starttls", "templates",
    "support_contact"};
constexpr std::array<std::string_view, 1> k_notify_rate_keys{"per_second"};
constexpr std::array<std::string_view, 4> k_export_keys{"delivery", "archive_dir",
                                                        "archive_retention", "final_export"};
constexpr std::array<std::string_view, 5> k_move_keys{
    "fallback_before_departure", "poll_interval", "reminders", "overwrite", "stall_timeout"};
constexpr std::array<std::string_view, 3> k_purge_keys{"max_per_run", "max_fraction",
                                                       "max_reexports"};
constexpr std::array<std::string_view, 2> k_csv_keys{"provider", "file"};
constexpr std::array<std::string_view, 8> k_ldap_keys{
    "provider", "url",    "base_dn",           "bind_dn",
    "password_env", "filter", "departed_attribute", "departed_value"};
constexpr std::array<std::string_view, 9> k_directory_keys{
    "provider",     "file",   "url",                "base_dn",       "bind_dn",
    "password_env", "filter", "departed_attribute", "departed_value"};

std::optional<Section> optional_section(Reader& reader, const Section& root, std::string_view key,
                                        Keys known) {
  const auto field = root.get(key);
  if (!field) return std::nullopt;
  return reader.section(*field, known);
}

void read_smtp(Reader& reader, const Section& s, NotifyConfig& out) {
  const auto url = s.get("smtp_url");
  if (url && reader.string_value(*url, out.smtp_url) &&
      !(out.smtp_url.starts_with("smtp://") || out.smtp_url.starts_with("smtps://"))) {
    reader.error(*url, "must be an smtp:// or smtps:// URL");
  }
  if (!url && out.notifier == "smtp") {
    reader.missing(s, "smtp_url", "is required with notifier smtp");
  }
}

// A required string key of the directory section.
void read_required(Reader& reader, const Section& s, std::string_view key, std::string& out) {
  if (!s.has(key)) return reader.missing(s, key, "is required for provider ldap");
  if (reader.read_string(s, key, out) && out.empty()) {
    reader.error(*s.get(key), "must not be empty");
  }
}

void read_ldap(Reader& reader, const Section& s, DirectoryConfig& out) {
  read_required(reader, s, "url", out.url);
  if (!out.url.empty() && !(out.url.starts_with("ldap://") || out.url.starts_with("ldaps://"))) {
    reader.error(*s.get("url"), "must be an ldap:// or ldaps:// URL");
  }
  read_required(reader, s, "base_dn", out.base_dn);
  read_required(reader, s, "departed_attribute", out.departed_attribute);
  read_required(reader, s, "departed_value", out.departed_value);
  reader.read_string(s, "filter", out.filter);
  reader.read_string(s, "bind_dn", out.bind_dn);
  const auto password = s.get("password_env");
  if (password) {
    if (const auto source = env_secret_source(reader, *password)) out.password_source = *source;
  } else if (!out.bind_dn.empty()) {
    reader.missing(s, "password_env", "is required with bind_dn");
  }
}

}  // namespace

void read_notify(Reader& reader, const Section& root, NotifyConfig& out) {
  const auto s = optional_section(reader, root, "notify", k_notify_keys);
  if (!s) return;
  reader.read_choice(*s, "notifier", out.notifier, {"outbox", "smtp"});
  reader.read_path(*s, "dir", out.dir);
  read_smtp(reader, *s, out);
  if (reader.read_string(*s, "from", out.from) && out.from.find('@') == std::string::npos) {
    reader.error(*s->get("from"), "must be an e-mail address");
  }
  reader.read_choice(*s, "language", out.language, {"fr", "en"});
  if (const auto rate = s->get("rate")) {
    if (const auto limits = reader.section(*rate, k_notify_rate_keys)) {
      reader.read_number(*limits, "per_second", out.rate_per_second, NumberRule::positive);
    }
  }
  reader.read_choice(*s, "starttls", out.starttls, {"opportunistic", "required"});
  const auto templates = s->get("templates");
  std::filesystem::path folder;
  if (templates && !templates->value.IsNull() && reader.read_path(*s, "templates", folder)) {
    out.templates = folder;
  }
  reader.read_string(*s, "support_contact", out.support_contact);
}

void read_export(Reader& reader, const Section& root, ExportConfig& out) {
  const auto s = optional_section(reader, root, "export", k_export_keys);
  if (!s) return;
  reader.read_choice(*s, "delivery", out.delivery, {"space", "archive"});
  reader.read_path(*s, "archive_dir", out.archive_dir);
  reader.read_span(*s, "archive_retention", out.archive_retention, true);
  reader.read_choice(*s, "final_export", out.final_export, {"archive", "none"});
}

void read_move(Reader& reader, const Section& root, MoveConfig& out) {
  const auto s = optional_section(reader, root, "move", k_move_keys);
  if (!s) return;
  reader.read_span(*s, "fallback_before_departure", out.fallback_before_departure, false);
  reader.read_span(*s, "poll_interval", out.poll_interval, true);
  reader.read_spans(*s, "reminders", out.reminders);
  reader.read_bool(*s, "overwrite", out.overwrite);
  reader.read_span(*s, "stall_timeout", out.stall_timeout, true);
}

void read_purge(Reader& reader, const Section& root, PurgeConfig& out) {
  const auto s = optional_section(reader, root, "purge", k_purge_keys);
  if (!s) return;
  reader.read_int(*s, "max_per_run", out.max_per_run, 1);
  reader.read_number(*s, "max_fraction", out.max_fraction, NumberRule::fraction);
  reader.read_int(*s, "max_reexports", out.max_reexports, 0);
}

// Absent (or null) means the directory interlock is off.
void read_directory(Reader& reader, const Section& root, std::optional<DirectoryConfig>& out) {
  const auto field = root.get("directory");
  if (!field || field->value.IsNull()) return;
  // The keys allowed depend on the provider, so peek at it first.
  const bool ldap = field->value.IsMap() && field->value["provider"].IsScalar() &&
                    field->value["provider"].Scalar() == "ldap";
  const bool csv = field->value.IsMap() && field->value["provider"].IsScalar() &&
                   field->value["provider"].Scalar() == "csv";
  const auto s = reader.section(*field, ldap ? Keys{k_ldap_keys}
                                        : csv ? Keys{k_csv_keys}
                                              : Keys{k_directory_keys});
  if (!s) return;
  DirectoryConfig directory;
  if (!s->has("provider")) reader.missing(*s, "provider", "is required (csv or ldap)");
  reader.read_choice(*s, "provider", directory.provider, {"csv", "ldap"});
  if (csv && !s->has("file")) reader.missing(*s, "file", "is required for provider csv");
  reader.read_path(*s, "file", directory.file);
  if (ldap) read_ldap(reader, *s, directory);
  out = std::move(directory);
}

}  // namespace passage::config_detail
