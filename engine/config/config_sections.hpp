#pragma once
// The meaning half of config loading, one function per part of the file.
// Each reads its keys into a Config whose fields already hold the defaults,
// reporting problems to the Reader and carrying on.

#include <optional>

#include "engine/config/config.hpp"
#include "engine/config/config_reader.hpp"

namespace passage::config_detail {

void read_stacks(Reader& reader, const Section& root, std::vector<StackConfig>& out);
void read_notify(Reader& reader, const Section& root, NotifyConfig& out);
void read_export(Reader& reader, const Section& root, ExportConfig& out);
void read_move(Reader& reader, const Section& root, MoveConfig& out);
void read_purge(Reader& reader, const Section& root, PurgeConfig& out);
void read_serve(Reader& reader, const Section& root, ServeConfig& out);
// `export.delivery: archive` needs `serve.public_url` (the links' address).
void check_archive_delivery(Reader& reader, const Section& root, const Config& config);
void read_directory(Reader& reader, const Section& root, std::optional<DirectoryConfig>& out);

// Where a secret is read from (resolve_secrets reads it): the environment
// variable named by `field`, or the file it names.
std::optional<SecretSource> env_secret_source(Reader& reader, const Field& field);
std::optional<SecretSource> file_secret_source(Reader& reader, const Field& field);

}  // namespace passage::config_detail
