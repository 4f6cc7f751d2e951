#pragma once
// The JSON documents an export writes for files, old versions and
// directories, shaped like cozy-stack's FileDoc, Version and DirDoc:
// `size` is a JSON string, `md5sum` the base64 of the 16-byte MD5.
#include "space_files.hpp"

#include <string>

namespace sim {

// My Cozy/Data/io.cozy.files/<id>.json of a file: `type: "file"`, `_id`,
// `_rev`, `name`, `dir_id`, dates, `size`, `md5sum`, `mime`, `class`, flags.
std::string file_doc(const SpaceFile& file, std::uint64_t key, std::int64_t now_ms, const std::string& md5);
// My Cozy/Data/io.cozy.files.versions/<id>.json: `_id`, `_rev`,
// `updated_at`, `size`, `md5sum`, `tags`, `relationships.file`.
std::string version_doc(const SpaceFile& version, std::int64_t now_ms, const std::string& md5);
// My Cozy/Data/io.cozy.files/<id>.json of a directory (`type:
// "directory"`); `folder` -1 is the root.
std::string directory_doc(std::uint64_t key, int folder, std::int64_t now_ms);

}  // namespace sim
