#include "export_layout.hpp"

#include "content.hpp"
#include "file_docs.hpp"
#include "hash.hpp"
#include "space_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

namespace sim {

namespace {

// The id part `part` starts with: its first file's, or its first version's.
std::string first_entry_cursor(std::uint64_t key, const PartPlan& plan, std::size_t part) {
  const std::int64_t files = plan.declared_files[part];
  const PartShare declared{part, files, plan.declared[part] - files, plan.file_parts};
  const PartFiles first = part_files(key, declared);
  if (!first.files.empty()) return "io.cozy.files/" + first.files.front().id;
  return "io.cozy.files.versions/" + first.versions.front().id;
}

}  // namespace

PartPlan plan_parts(std::int64_t used, std::uint64_t key) {
  PartPlan plan;
  const double gib = static_cast<double>(used) / static_cast<double>(k_gib);
  plan.parts_size = std::max<std::int64_t>(k_gib, static_cast<std::int64_t>(std::sqrt(gib) * k_gib));
  const std::int64_t n = std::max<std::int64_t>(1, (used + plan.parts_size - 1) / plan.parts_size);
  const std::int64_t files_end = used - (has_versions(key) ? used / 20 : 0);
  plan.file_parts = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t start = k * plan.parts_size;
    plan.declared.push_back(k + 1 < n ? plan.parts_size : used - start);
    plan.declared_files.push_back(std::clamp<std::int64_t>(files_end - start, 0, plan.declared.back()));
    if (plan.declared_files.back() > 0 || k == 0) ++plan.file_parts;
  }
  for (std::size_t k = 1; k < plan.declared.size(); ++k) plan.cursors.push_back(first_entry_cursor(key, plan, k));
  return plan;
}

FileRange file_range(const PartPlan& plan, std::size_t part) {
  static const std::string k_files = "io.cozy.files/";
  auto files_id = [&](std::size_t cursor) -> std::optional<std::string> {
    const std::string& c = plan.cursors[cursor];
    if (c.rfind(k_files, 0) != 0) return std::nullopt;  // an old version's: io.cozy.files.versions/…
    return c.substr(k_files.size());
  };
  FileRange range;
  if (part > 0) {
    const auto from = files_id(part - 1);
    if (!from) return FileRange{false, {}, {}};
    range.from = *from;
  }
  if (part < plan.cursors.size())
    if (const auto to = files_id(part)) range.to = *to;
  return range;
}

PartShare part_share(const PartPlan& plan, std::size_t part, double size_scale) {
  const std::int64_t declared = plan.declared[part], files = plan.declared_files[part];
  const std::int64_t served = served_bytes(declared, size_scale);
  std::int64_t served_files = served;  // an empty space still serves a 1-byte file
  if (files == 0 && declared > 0) {
    served_files = 0;
  } else if (files < declared && served >= 2) {  // both: each keeps at least a byte
    const double share = static_cast<double>(files) / static_cast<double>(declared);
    served_files = std::clamp<std::int64_t>(std::llround(static_cast<double>(served) * share), 1, served - 1);
  }
  return {part, served_files, served - served_files, plan.file_parts};
}

namespace {

constexpr const char* k_doctypes[] = {"io.cozy.contacts", "io.cozy.bank.accounts", "io.cozy.notes.events",
                                      "io.cozy.settings"};

void add_data_docs(std::vector<ZipEntry>& out, const PartContentInput& in) {
  out.push_back({"My Cozy/Data/instance.json", 0, 0, in.instance_json, {}});
  for (std::size_t t = 0; t < std::size(k_doctypes); ++t) {
    const auto n = 1 + mix64(in.key + t) % 4;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto id = couch_id(mix64(in.key ^ (t * 131 + i)));
      std::string doc = R"({"_id":")" + id + R"(","_rev":"1-)" + hex64(mix64(in.key + i)) + R"("})";
      out.push_back({"My Cozy/Data/" + std::string(k_doctypes[t]) + "/" + id + ".json", 0, 0, std::move(doc), {}});
    }
  }
}

void add_directory_docs(std::vector<ZipEntry>& out, const PartContentInput& in) {
  for (int folder = -1; folder < static_cast<int>(space_folders().size()); ++folder)
    out.push_back({"My Cozy/Data/io.cozy.files/" + folder_id(in.key, folder) + ".json", 0, 0,
                   directory_doc(in.key, folder, in.now_ms), {}});
}

// The metadata always goes out (it comes from CouchDB); the content only
// when the stack can open it. True when it was skipped.
bool add_file(std::vector<ZipEntry>& out, const SpaceFile& generated, const PartContentInput& in) {
  const SpaceFile f = as_changed(generated, in.changes);  // as it is now, as listFilesFromCursor lists it
  out.push_back({"My Cozy/Data/io.cozy.files/" + f.id + ".json", 0, 0, {},
                 [f, key = in.key, now = in.now_ms] { return file_doc(f, key, now, content_md5_base64(f.content, f.size)); }});
  if (content_unreadable(in.key, generated, in.skip_file_content)) return true;
  const std::string folder = space_folders()[f.folder].path;
  out.push_back({"My Cozy/Files/" + folder + "/" + f.name, f.size, f.content, {}, {}});
  return false;
}

bool add_version(std::vector<ZipEntry>& out, const SpaceFile& v, const PartContentInput& in) {
  out.push_back({"My Cozy/Data/io.cozy.files.versions/" + v.id + ".json", 0, 0, {},
                 [v, now = in.now_ms] { return version_doc(v, now, content_md5_base64(v.content, v.size)); }});
  if (content_unreadable(in.key, v, in.skip_file_content)) return true;
  out.push_back({"My Cozy/Files/" + v.id, v.size, v.content, {}, {}});
  return false;
}

// The files a part lists now, in id order: its generated ones not
// destroyed, and the created ones its range holds.
std::vector<SpaceFile> listed_files(const PartContentInput& in, const std::vector<SpaceFile>& generated) {
  std::vector<SpaceFile> out;
  for (const auto& f : generated)
    if (!is_deleted(f, in.changes)) out.push_back(f);
  if (in.changes)
    for (const auto& [id, created] : in.changes->created)
      if (in.range.holds(id) && !is_deleted(created.file, in.changes)) out.push_back(created.file);
  std::sort(out.begin(), out.end(), [](const SpaceFile& a, const SpaceFile& b) { return a.id < b.id; });
  return out;
}

// Files and old versions the part held when the export was created
// (`in.now_ms`) that were destroyed since.
std::size_t destroyed_since(const PartContentInput& in, const PartFiles& generated) {
  if (!in.changes) return 0;
  const auto& deleted = in.changes->deleted;
  auto after = [&](const std::string& id) {
    const auto it = deleted.find(id);
    return it != deleted.end() && it->second > in.now_ms;
  };
  std::size_t n = 0;
  for (const auto& f : generated.files) n += after(f.id) ? 1 : 0;
  for (const auto& v : generated.versions) n += after(v.file_id) ? 1 : 0;
  for (const auto& [id, created] : in.changes->created)
    n += in.range.holds(id) && created.created_ms <= in.now_ms && after(id) ? 1 : 0;
  return n;
}

}  // namespace

bool content_unreadable(std::uint64_t key, const SpaceFile& file, double rate) {
  return rate > 0 && unit(mix64(key ^ mix64(file.content ^ 0x5c1f))) < rate;
}

std::vector<ZipEntry> part_entries(const PartContentInput& in, PartGaps* gaps) {
  std::vector<ZipEntry> out;
  if (in.share.part == 0) {
    add_data_docs(out, in);
    add_directory_docs(out, in);
  }
  std::size_t left_out = 0;
  const PartFiles files = part_files(in.key, in.share);
  for (const auto& f : listed_files(in, files.files)) left_out += add_file(out, f, in) ? 1 : 0;
  for (const auto& v : files.versions)
    if (!is_deleted(v, in.changes)) left_out += add_version(out, v, in) ? 1 : 0;
  if (gaps) *gaps = PartGaps{left_out, destroyed_since(in, files)};
  return out;
}

std::int64_t json_documents_size(const PartContentInput& in) {
  std::vector<ZipEntry> docs;
  add_data_docs(docs, in);
  add_directory_docs(docs, in);
  std::int64_t size = 0;
  for (const auto& d : docs) size += static_cast<std::int64_t>(d.text.size());
  return size;
}

void cut_part_midway(std::vector<ZipEntry>& entries, std::uint64_t draw) {
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i + 1 < entries.size(); ++i)
    if (entries[i].is_generated()) candidates.push_back(i);
  // A part whose only content comes last: that content is cut, nothing after it to drop.
  if (candidates.empty() && !entries.empty() && entries.back().is_generated()) candidates.push_back(entries.size() - 1);
  if (candidates.empty()) return;
  const std::size_t cut = candidates[draw % candidates.size()];
  entries.resize(cut + 1);
  entries[cut].size = static_cast<std::int64_t>(mix64(draw) % static_cast<std::uint64_t>(entries[cut].size));
}

std::vector<SpaceFile> unreadable_contents(const PartPlan& plan, std::uint64_t key, double size_scale, double rate) {
  std::vector<SpaceFile> out;
  for (std::size_t k = 0; k < plan.declared.size() && rate > 0; ++k) {
    const PartFiles files = part_files(key, part_share(plan, k, size_scale));
    for (const auto& f : files.files)
      if (content_unreadable(key, f, rate)) out.push_back(f);
    for (const auto& v : files.versions)
      if (content_unreadable(key, v, rate)) out.push_back(v);
  }
  return out;
}

SpaceUsage space_usage(std::int64_t used, std::uint64_t key, double size_scale, const FileChanges* changes) {
  SpaceUsage usage;
  const PartPlan plan = plan_parts(used, key);
  for (std::size_t k = 0; k < plan.declared.size(); ++k) {
    const PartFiles files = part_files(key, part_share(plan, k, size_scale));
    for (const auto& f : files.files)
      if (!is_deleted(f, changes)) usage.files += as_changed(f, changes).size;
    for (const auto& v : files.versions) {
      if (is_deleted(v, changes)) continue;
      usage.versions += v.size;
      ++usage.versions_count;
    }
  }
  if (changes)
    for (const auto& [id, created] : changes->created)
      if (!is_deleted(created.file, changes)) usage.files += as_changed(created.file, changes).size;
  return usage;
}

std::string part_file_name(const std::string& domain, std::size_t part, std::size_t parts) {
  if (parts <= 1) return domain + ".zip";
  char buf[32];
  std::snprintf(buf, sizeof buf, " - part%03zu.zip", part + 1);
  return domain + buf;
}

}  // namespace sim
