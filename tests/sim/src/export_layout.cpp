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

// The declared layout the space's contents are generated from (what
// part_files draws): every file, then the old versions (5 % of `used`, for
// the spaces that have some), cut into chunks of `size` bytes.
struct Chunks {
  std::vector<std::int64_t> declared, declared_files;
  std::size_t file_chunks = 0;
};

Chunks chunk_layout(std::int64_t used, std::uint64_t key, std::int64_t size) {
  Chunks c;
  const std::int64_t n = std::max<std::int64_t>(1, (used + size - 1) / size);
  const std::int64_t files_end = used - (has_versions(key) ? used / 20 : 0);
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t start = k * size;
    c.declared.push_back(k + 1 < n ? size : used - start);
    c.declared_files.push_back(std::clamp<std::int64_t>(files_end - start, 0, c.declared.back()));
    if (c.declared_files.back() > 0 || k == 0) ++c.file_chunks;
  }
  return c;
}

// What chunk `k` serves at `size_scale`: its declared bytes scaled (at
// least 1), shared between files and versions as declared.
PartShare chunk_share(const Chunks& c, std::size_t k, double size_scale) {
  const std::int64_t declared = c.declared[k], files = c.declared_files[k];
  const std::int64_t served = served_bytes(declared, size_scale);
  std::int64_t served_files = served;  // an empty space still serves a 1-byte file
  if (files == 0 && declared > 0) {
    served_files = 0;
  } else if (files < declared && served >= 2) {  // both: each keeps at least a byte
    const double share = static_cast<double>(files) / static_cast<double>(declared);
    served_files = std::clamp<std::int64_t>(std::llround(static_cast<double>(served) * share), 1, served - 1);
  }
  return {k, served_files, served - served_files, c.file_chunks};
}

// A file or an old version with its declared size (the stack's ByteSize).
struct Sized {
  SpaceFile served;
  std::int64_t declared = 0;
};

// Shares `declared` bytes among `items` in proportion to their served
// sizes, summing exactly to `declared`.
void add_declared(std::vector<Sized>& out, const std::vector<SpaceFile>& items, std::int64_t declared) {
  long double served = 0;
  for (const auto& f : items) served += static_cast<long double>(f.size);
  std::int64_t left = declared;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto share = static_cast<std::int64_t>(std::llround(static_cast<long double>(declared) *
                                                               static_cast<long double>(items[i].size) / served));
    const std::int64_t d = i + 1 == items.size() ? left : std::clamp<std::int64_t>(share, 0, left);
    out.push_back({items[i], d});
    left -= d;
  }
}

std::vector<std::pair<std::string, std::int64_t>> sizes_by_id(const std::vector<Sized>& items) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& x : items) out.emplace_back(x.served.id, x.declared);
  return out;
}

// Puts each item (sorted by id) in its part: the next part starts at the
// item the next cursor names.
void assign_parts(PartPlan& plan, const std::vector<Sized>& items, const std::string& doctype, std::size_t& part,
                  bool versions) {
  for (const auto& x : items) {
    if (part < plan.cursors.size() && plan.cursors[part] == doctype + "/" + x.served.id) ++part;
    plan.declared[part] += x.declared;
    if (!versions) plan.declared_files[part] += x.declared;
    (versions ? plan.parts[part].versions : plan.parts[part].files).push_back(x.served);
  }
}

}  // namespace

SplitResult split_files(std::int64_t parts_size, std::int64_t remaining,
                        std::vector<std::pair<std::string, std::int64_t>> sizes_by_id, const std::string& doctype) {
  std::sort(sizes_by_id.begin(), sizes_by_id.end());
  SplitResult out{{}, remaining};
  for (const auto& [id, size] : sizes_by_id) {
    if (size > out.remaining && out.remaining != parts_size) {
      out.remaining = parts_size;
      out.cursors.push_back(doctype + "/" + id);
    }
    out.remaining -= size;
  }
  return out;
}

namespace {

// The space as generated: its files and old versions with their declared sizes.
struct SizedSpace {
  std::int64_t parts_size = 0;
  std::vector<Sized> files, versions;
};

SizedSpace generated_space(std::int64_t used, std::uint64_t key, double size_scale) {
  SizedSpace space;
  const double gib = static_cast<double>(used) / static_cast<double>(k_gib);
  space.parts_size = std::max<std::int64_t>(k_gib, static_cast<std::int64_t>(std::sqrt(gib) * k_gib));
  const Chunks chunks = chunk_layout(used, key, space.parts_size);
  for (std::size_t k = 0; k < chunks.declared.size(); ++k) {
    const PartFiles generated = part_files(key, chunk_share(chunks, k, size_scale));
    add_declared(space.files, generated.files, chunks.declared_files[k]);
    add_declared(space.versions, generated.versions, chunks.declared[k] - chunks.declared_files[k]);
  }
  return space;
}

// exportFiles over `space`: the parts and what each one holds.
PartPlan pack(SizedSpace space) {
  PartPlan plan;
  plan.parts_size = space.parts_size;
  std::vector<Sized>& files = space.files;
  std::vector<Sized>& versions = space.versions;
  auto by_id = [](const Sized& a, const Sized& b) { return a.served.id < b.served.id; };
  std::sort(files.begin(), files.end(), by_id);
  std::sort(versions.begin(), versions.end(), by_id);
  // exportFiles: the files first, then the versions in what the files left.
  const SplitResult f = split_files(plan.parts_size, plan.parts_size, sizes_by_id(files), "io.cozy.files");
  const SplitResult v = split_files(plan.parts_size, f.remaining, sizes_by_id(versions), "io.cozy.files.versions");
  plan.cursors = f.cursors;
  plan.cursors.insert(plan.cursors.end(), v.cursors.begin(), v.cursors.end());
  plan.parts.resize(plan.cursors.size() + 1);
  plan.declared.assign(plan.parts.size(), 0);
  plan.declared_files.assign(plan.parts.size(), 0);
  std::size_t part = 0;
  assign_parts(plan, files, "io.cozy.files", part, false);
  assign_parts(plan, versions, "io.cozy.files.versions", part, true);
  plan.file_parts = 0;
  for (std::size_t k = 0; k < plan.parts.size(); ++k)
    if (!plan.parts[k].files.empty() || k == 0) ++plan.file_parts;
  return plan;
}

// The declared size (ByteSize) of `served` bytes at `size_scale`.
std::int64_t declared_of(std::int64_t served, double size_scale) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(served) / size_scale));
}

}  // namespace

PartPlan plan_parts(std::int64_t used, std::uint64_t key, double size_scale) {
  return pack(generated_space(used, key, size_scale));
}

PartPlan plan_export(std::int64_t used, std::uint64_t key, double size_scale, const FileChanges* changes,
                     std::int64_t as_of_ms) {
  if (!changes) return plan_parts(used, key, size_scale);
  SizedSpace space = generated_space(used, key, size_scale);
  std::erase_if(space.files, [&](const Sized& x) { return is_deleted(x.served, changes); });
  std::erase_if(space.versions, [&](const Sized& x) { return is_deleted(x.served, changes); });
  // A rewritten file is walked at its new size.
  for (Sized& x : space.files)
    if (const auto it = changes->rewritten.find(x.served.id); it != changes->rewritten.end())
      x.declared = declared_of(it->second.size, size_scale);
  for (const auto& [id, created] : changes->created)
    if (created.created_ms <= as_of_ms && !is_deleted(created.file, changes))
      space.files.push_back({created.file, declared_of(as_changed(created.file, changes).size, size_scale)});
  for (const auto& [id, kept] : changes->versions)
    if (kept.created_ms <= as_of_ms && !is_deleted(kept.version, changes))
      space.versions.push_back({kept.version, declared_of(kept.version.size, size_scale)});
  return pack(std::move(space));
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

FileRange version_range(const PartPlan& plan, std::size_t part) {
  static const std::string k_versions = "io.cozy.files.versions/";
  auto versions_id = [&](std::size_t cursor) -> std::optional<std::string> {
    const std::string& c = plan.cursors[cursor];
    if (c.rfind(k_versions, 0) != 0) return std::nullopt;  // a file's: io.cozy.files/…
    return c.substr(k_versions.size());
  };
  FileRange range;
  if (part < plan.cursors.size()) {
    const auto to = versions_id(part);
    if (!to) return FileRange{false, {}, {}};
    range.to = *to;
  }
  if (part > 0)
    if (const auto from = versions_id(part - 1)) range.from = *from;
  return range;
}

PartShare part_share(const PartPlan& plan, std::size_t part) {
  PartShare share{part, 0, 0, plan.file_parts};
  for (const auto& f : plan.parts[part].files) share.files += f.size;
  for (const auto& v : plan.parts[part].versions) share.versions += v.size;
  return share;
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
  if (in.changes)  // those created before the export are in its plan
    for (const auto& [id, created] : in.changes->created)
      if (created.created_ms > in.now_ms && in.range.holds(id) && !is_deleted(created.file, in.changes))
        out.push_back(created.file);
  std::sort(out.begin(), out.end(), [](const SpaceFile& a, const SpaceFile& b) { return a.id < b.id; });
  return out;
}

// The old versions a part lists now, in id order: its planned ones whose
// file was not destroyed, and those kept since that its range holds.
std::vector<SpaceFile> listed_versions(const PartContentInput& in, const std::vector<SpaceFile>& planned) {
  std::vector<SpaceFile> out;
  for (const auto& v : planned)
    if (!is_deleted(v, in.changes)) out.push_back(v);
  if (in.changes)  // those kept before the export are in its plan
    for (const auto& [id, kept] : in.changes->versions)
      if (kept.created_ms > in.now_ms && in.version_range.holds(id) && !is_deleted(kept.version, in.changes))
        out.push_back(kept.version);
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
  // The plan holds every file and old version there was when the export was created.
  std::size_t n = 0;
  for (const auto& f : generated.files) n += after(f.id) ? 1 : 0;
  for (const auto& v : generated.versions) n += after(v.file_id) ? 1 : 0;
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
  const PartFiles files = in.snapshot ? *in.snapshot : part_files(in.key, in.share);
  for (const auto& f : listed_files(in, files.files)) left_out += add_file(out, f, in) ? 1 : 0;
  for (const auto& v : listed_versions(in, files.versions)) left_out += add_version(out, v, in) ? 1 : 0;
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

// A part with no file content (part 0 of a space without files): the copy
// of the job's archive (copyJSONData) fails midway instead, a document cut
// short and the later ones gone. instance.json, the archive's first entry,
// stays whole.
namespace {
void cut_documents_midway(std::vector<ZipEntry>& entries, std::uint64_t draw) {
  std::vector<std::size_t> candidates;
  for (std::size_t i = 1; i < entries.size(); ++i)
    if (entries[i].text.size() > 1 && !entries[i].render) candidates.push_back(i);
  if (candidates.empty()) return;
  const std::size_t cut = candidates[draw % candidates.size()];
  entries.resize(cut + 1);
  entries[cut].text.resize(1 + mix64(draw) % (entries[cut].text.size() - 1));
}
}  // namespace

void cut_part_midway(std::vector<ZipEntry>& entries, std::uint64_t draw) {
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i + 1 < entries.size(); ++i)
    if (entries[i].is_generated()) candidates.push_back(i);
  // A part whose only content comes last: that content is cut, nothing after it to drop.
  if (candidates.empty() && !entries.empty() && entries.back().is_generated()) candidates.push_back(entries.size() - 1);
  if (candidates.empty()) return cut_documents_midway(entries, draw);
  const std::size_t cut = candidates[draw % candidates.size()];
  entries.resize(cut + 1);
  entries[cut].size = static_cast<std::int64_t>(mix64(draw) % static_cast<std::uint64_t>(entries[cut].size));
}

std::vector<SpaceFile> unreadable_contents(const PartPlan& plan, std::uint64_t key, double rate) {
  std::vector<SpaceFile> out;
  for (std::size_t k = 0; k < plan.parts.size() && rate > 0; ++k) {
    const PartFiles& files = plan.parts[k];
    for (const auto& f : files.files)
      if (content_unreadable(key, f, rate)) out.push_back(f);
    for (const auto& v : files.versions)
      if (content_unreadable(key, v, rate)) out.push_back(v);
  }
  return out;
}

SpaceUsage space_usage(std::int64_t used, std::uint64_t key, double size_scale, const FileChanges* changes) {
  SpaceUsage usage;
  const PartPlan plan = plan_parts(used, key, size_scale);
  for (std::size_t k = 0; k < plan.parts.size(); ++k) {
    const PartFiles& files = plan.parts[k];
    for (const auto& f : files.files)
      if (!is_deleted(f, changes)) usage.files += as_changed(f, changes).size;
    for (const auto& v : files.versions) {
      if (is_deleted(v, changes)) continue;
      usage.versions += v.size;
      ++usage.versions_count;
    }
  }
  if (changes) {
    for (const auto& [id, created] : changes->created)
      if (!is_deleted(created.file, changes)) usage.files += as_changed(created.file, changes).size;
    for (const auto& [id, kept] : changes->versions) {
      if (is_deleted(kept.version, changes)) continue;
      usage.versions += kept.version.size;
      ++usage.versions_count;
    }
  }
  return usage;
}

std::string part_file_name(const std::string& domain, std::size_t part, std::size_t parts) {
  if (parts <= 1) return domain + ".zip";
  char buf[32];
  std::snprintf(buf, sizeof buf, " - part%03zu.zip", part + 1);
  return domain + buf;
}

}  // namespace sim
