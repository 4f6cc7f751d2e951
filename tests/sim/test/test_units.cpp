// The simulator's pure pieces, without a process.
#include "accounts_csv.hpp"
#include "export_layout.hpp"
#include "faults.hpp"
#include "part_restore.hpp"
#include "population.hpp"
#include "safe_http.hpp"
#include "sim_time.hpp"
#include "space_files.hpp"
#include "hash.hpp"
#include "options.hpp"
#include "zip_check.hpp"
#include "zip_entry.hpp"
#include "zip_read.hpp"
#include "zip_stream.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace sim;

TEST_CASE("ISO times: offsets, UTC default, Go-like printing", "[units]") {
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00Z")) == "2026-11-20T10:00:00Z");
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00")) == "2026-11-20T10:00:00Z");
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00+02:00")) == "2026-11-20T08:00:00Z");
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00.250Z")) == "2026-11-20T10:00:00.25Z");
  CHECK(format_iso(*parse_iso("2026-11-20")) == "2026-11-20T00:00:00Z");
  CHECK_FALSE(parse_iso("2026-13-01"));
  CHECK_FALSE(parse_iso("yesterday"));
  CHECK(format_day(day_of(*parse_iso("2018-01-01T23:59:59Z"))) == "2018-01-01");
}

TEST_CASE("part size rule: at least 1 GiB, about sqrt(used/GiB) GiB, n-1 cursors", "[units]") {
  auto small = plan_parts(500'000'000, 1, 1e-5);
  CHECK(small.parts_size == k_gib);
  CHECK(small.declared.size() == 1);
  CHECK(small.cursors.empty());
  auto big = plan_parts(4 * k_gib, 1, 1e-5);
  CHECK(big.parts_size == 2 * k_gib);
  CHECK(big.declared.size() == 2);
  CHECK(big.cursors.size() == 1);
  auto five = plan_parts(5'000'000'000, 1, 1e-5);
  CHECK(five.declared.size() == 3);
  std::int64_t total = 0;
  for (auto b : five.declared) total += b;
  CHECK(total == 5'000'000'000);
  CHECK(part_file_name("a.b.c", 0, 1) == "a.b.c.zip");
  CHECK(part_file_name("a.b.c", 1, 3) == "a.b.c - part002.zip");
}

namespace {

// A space key with old versions (about 30 % of them have some).
std::uint64_t key_with_versions(bool wanted) {
  std::uint64_t key = 1;
  while (has_versions(key) != wanted) ++key;
  return key;
}

constexpr std::int64_t k_two_parts = 3 * k_gib;  // parts of ~1.73 GiB: 2 of them

// Part `part` of the export of a space of `used` declared bytes, served at `scale`.
PartContentInput part_input(std::uint64_t key, std::size_t part, std::int64_t used, double scale) {
  const auto plan = plan_parts(used, key, scale);
  PartContentInput in{R"({"domain":"u1.example.org"})", part_share(plan, part), key, 1'790'000'000'000};
  in.range = file_range(plan, part);
  in.snapshot = plan.parts[part];
  in.version_range = version_range(plan, part);
  return in;
}

bool is_version_meta(const std::string& path) { return path.rfind("My Cozy/Data/io.cozy.files.versions/", 0) == 0; }
bool is_file_meta(const std::string& path) { return path.rfind("My Cozy/Data/io.cozy.files/", 0) == 0; }

}  // namespace

TEST_CASE("zip parts are valid, part 0 holds instance.json and the directories", "[units]") {
  const auto check = simtest::check_zip(ZipStream::render(part_entries(part_input(42, 0, k_two_parts, 1e-5)), 1'700'000'000));
  CHECK(check.ok);
  CHECK(check.has("My Cozy/Data/instance.json"));
  CHECK(check.bytes >= 3000);
  CHECK(check.ok);
  const auto audit = simtest::audit_part(check);
  CHECK(audit.complete());
  CHECK(audit.directories == 1 + static_cast<int>(space_folders().size()));
  CHECK(check.has("My Cozy/Data/io.cozy.files/io.cozy.files.root-dir.json"));
  const auto other = simtest::check_zip(ZipStream::render(part_entries(part_input(42, 1, k_two_parts, 1e-5)), 0));
  CHECK_FALSE(other.has("My Cozy/Data/instance.json"));
  CHECK(simtest::audit_part(other).directories == 0);
}

TEST_CASE("part layout: each file's metadata right before its content, with its size and md5sum", "[units]") {
  for (const bool versioned : {false, true}) {
    const auto key = key_with_versions(versioned);
    for (std::size_t part = 0; part < 2; ++part) {
      const auto in = part_input(key, part, k_two_parts, 1e-4);
      const auto zip = simtest::check_zip(ZipStream::render(part_entries(in), 0));
      REQUIRE(zip.ok);
      const auto audit = simtest::audit_part(zip);
      CHECK(audit.complete());
      CHECK(audit.files >= 2);
      CHECK(audit.file_bytes == in.share.files);
      CHECK(audit.version_bytes == in.share.versions);
      CHECK((audit.versions > 0) == (versioned && part == 1));  // after every file: in the last part
      CHECK(audit.versions <= 2);
      CHECK(std::none_of(zip.entries.begin(), zip.entries.end(),
                         [](const std::string& p) { return p.rfind("My Cozy/Versions/", 0) == 0; }));
    }
  }
  const auto zip = simtest::check_zip(ZipStream::render(part_entries(part_input(key_with_versions(true), 1, k_two_parts, 1e-5)), 0));
  const auto doc = boost::json::parse(zip.contents.at(0)).as_object();
  CHECK(doc.at("type") == "file");
  CHECK(doc.at("size").is_string());
  for (const char* key : {"_id", "name", "dir_id", "md5sum"}) CHECK(doc.contains(key));
  CHECK(simtest::md5_base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
}

namespace {

// The metadata entries of every part of the export of a space, in order.
std::vector<std::vector<std::string>> export_metadata(std::uint64_t key, std::int64_t used) {
  std::vector<std::vector<std::string>> parts;
  for (std::size_t k = 0; k < plan_parts(used, key, 1e-5).declared.size(); ++k) {
    parts.emplace_back();
    for (const auto& e : part_entries(part_input(key, k, used, 1e-5)))
      if (is_file_meta(e.path) || is_version_meta(e.path)) parts.back().push_back(e.render ? e.render() : e.text);
  }
  return parts;
}

// `io.cozy.files/<id>` or `io.cozy.files.versions/<id>`, as the stack's cursors name a document.
std::string cursor_of(const std::string& doc_text, bool version) {
  const auto doc = boost::json::parse(doc_text).as_object();
  return (version ? "io.cozy.files.versions/" : "io.cozy.files/") + std::string(doc.at("_id").as_string());
}

}  // namespace

TEST_CASE("plan: old versions after every file, each part's cursor its first file or version", "[units]") {
  const auto key = key_with_versions(true);
  for (const std::int64_t used : std::vector<std::int64_t>{3 * k_gib, 5'000'000'000, k_gib + 1000, 4 * k_gib + 123}) {
    INFO("used " << used);
    const auto plan = plan_parts(used, key, 1);
    REQUIRE(plan.cursors.size() + 1 == plan.declared.size());
    bool versions_seen = false;
    std::int64_t versions = 0;
    for (std::size_t k = 0; k < plan.declared.size(); ++k) {
      const auto in = part_input(key, k, used, 1);
      const auto files = *in.snapshot;
      for (const auto& f : files.versions) versions += f.size;
      if (!files.files.empty()) CHECK_FALSE(versions_seen);  // no file after a version, whatever the part
      versions_seen = versions_seen || !files.versions.empty();
      if (k == 0) continue;
      const bool starts_with_version = files.files.empty();
      CHECK(plan.cursors[k - 1] == (starts_with_version ? "io.cozy.files.versions/" + files.versions.front().id
                                                         : "io.cozy.files/" + files.files.front().id));
    }
    CHECK(versions == used / 20);
  }
  // A space just above one part: its versions overflow into a second part of their own.
  const auto spill = plan_parts(k_gib + 1000, key, 1e-5);
  REQUIRE(spill.cursors.size() == 1);
  CHECK(spill.cursors[0].rfind("io.cozy.files.versions/", 0) == 0);
  CHECK(std::count(spill.cursors[0].begin(), spill.cursors[0].end(), '/') == 2);  // <doctype>/<file id>/<version id>
  CHECK(plan_parts(k_gib + 1000, key_with_versions(false), 1e-5).cursors[0].rfind("io.cozy.files/", 0) == 0);
  // The zips say the same: each part's first metadata names its cursor.
  const auto parts = export_metadata(key, k_gib + 1000);
  REQUIRE(parts.size() == 2);
  CHECK(cursor_of(parts[1].front(), true) == spill.cursors[0]);
}

TEST_CASE("a part cut midway: well-formed, its last file short, later entries gone", "[units]") {
  for (std::uint64_t draw = 0; draw < 20; ++draw) {
    const auto key = key_with_versions(draw % 2 == 0);
    auto full = part_entries(part_input(key, draw % 3, 5'000'000'000, 1e-5));
    auto entries = part_entries(part_input(key, draw % 3, 5'000'000'000, 1e-5));
    cut_part_midway(entries, mix64(draw));
    REQUIRE(entries.size() < full.size());
    CHECK(entries.back().size < full[entries.size() - 1].size);
    const auto zip = simtest::check_zip(ZipStream::render(std::move(entries), 0));
    CHECK(zip.ok);  // libarchive reads it to the end
    CHECK_FALSE(simtest::audit_part(zip).complete());
  }
  // A tiny part (one 1-byte file): its only content is cut.
  auto tiny = part_entries({"{}", PartShare{1, 1, 0, 1}, key_with_versions(false), 0});
  cut_part_midway(tiny, 3);
  REQUIRE(tiny.back().is_generated());
  CHECK(tiny.back().size == 0);
  CHECK_FALSE(simtest::audit_part(simtest::check_zip(ZipStream::render(std::move(tiny), 0))).complete());
}

TEST_CASE("space usage: the content bytes of every part, used == files + versions at scale 1", "[units]") {
  for (std::uint64_t key = 1; key < 40; ++key) {
    const std::int64_t used = 3'000'000'000 + static_cast<std::int64_t>(key) * 7'777;
    const auto usage = space_usage(used, key, 1);
    CHECK(usage.files + usage.versions == used);
    CHECK((usage.versions_count > 0) == has_versions(key));
    const auto small = space_usage(used, key, 1e-5);
    const auto plan = plan_parts(used, key, 1e-5);
    std::int64_t files = 0, versions = 0;
    for (std::size_t k = 0; k < plan.declared.size(); ++k) {
      const auto entries = part_entries(part_input(key, k, used, 1e-5));
      for (std::size_t i = 1; i < entries.size(); ++i) {
        if (!entries[i].is_generated()) continue;
        const bool version = entries[i - 1].path.rfind("My Cozy/Data/io.cozy.files.versions/", 0) == 0;
        (version ? versions : files) += entries[i].size;
      }
    }
    CHECK(small.files == files);
    CHECK(small.versions == versions);
  }
}

TEST_CASE("population: generated names, listed names, domain syntax", "[units]") {
  Population p(12, "test.example", {"jdupont.mytoutatice.cloud"});
  CHECK(p.size() == 13);
  CHECK(p.domain(7) == "u000007.test.example");
  CHECK(p.find("u000007.test.example") == 7u);
  CHECK_FALSE(p.find("u07.test.example"));
  CHECK_FALSE(p.find("u000012.test.example"));
  CHECK(p.find("jdupont.mytoutatice.cloud") == 12u);
  CHECK(is_well_formed_domain("alice.cozy.localhost:8080"));
  CHECK_FALSE(is_well_formed_domain("Alice.example"));
  CHECK_FALSE(is_well_formed_domain("-a.example"));
  CHECK_FALSE(is_well_formed_domain("a..example"));
  const auto profile = make_profile("u000001.test.example", 1, 20000);
  CHECK(profile.used <= k_default_quota);
  CHECK(make_profile("u000001.test.example", 1, 20000).used == profile.used);
}

TEST_CASE("CSV records: quotes, doubled quotes, CRLF, multi-line fields", "[units]") {
  CsvReader r("a,\"b,c\",\"d \"\"e\"\"\"\r\n\"multi\nline\",x\n");
  std::vector<std::string> f;
  std::string error;
  REQUIRE(r.next(f, error));
  CHECK(f == std::vector<std::string>{"a", "b,c", "d \"e\""});
  REQUIRE(r.next(f, error));
  CHECK(r.record_line() == 2);
  CHECK(f == std::vector<std::string>{"multi\nline", "x"});
  CHECK_FALSE(r.next(f, error));
}

TEST_CASE("faults JSON round trip", "[units]") {
  std::string error;
  auto f = parse_faults(R"({"latency_ms":{"min":1,"max":5},"throttle":{"status":503,"rate":0.5,"retry_after_s":2}})", error);
  REQUIRE(f);
  auto again = parse_faults(faults_to_json(*f), error);
  REQUIRE(again);
  CHECK(again->throttle.retry_after_s == 2);
  CHECK(again->latency_ms.max == 5);
  f = parse_faults(R"({"export_error":0.25,"part_missing_entries":0.5,"skip_file_content":0.125,"edit_during_download":0.75})", error);
  REQUIRE(f);
  again = parse_faults(faults_to_json(*f), error);
  REQUIRE(again);
  CHECK(again->export_error == 0.25);
  CHECK(again->part_missing_entries == 0.5);
  CHECK(again->skip_file_content == 0.125);
  CHECK(again->edit_during_download == 0.75);
  CHECK_FALSE(parse_faults(R"({"export_error":1.5})", error));
  CHECK(error.find("export_error") != std::string::npos);
  CHECK_FALSE(parse_faults(R"({"part_missing_entries":"often"})", error));
  CHECK(error.find("part_missing_entries") != std::string::npos);
  CHECK_FALSE(parse_faults(R"({"latency_ms":{"min":1,"max":5,"avg":3}})", error));
  CHECK(error.find("latency_ms.avg") != std::string::npos);
}

TEST_CASE("safehttp: loopback and private refused unless trusted, public needs port 80 or 443", "[units]") {
  std::string why;
  auto safe = [&](const char* ip, std::uint16_t port, bool trust) { return safe_to_dial(ip, port, trust, why); };
  CHECK(safe("93.184.216.34", 80, false));
  CHECK(safe("93.184.216.34", 443, false));
  CHECK_FALSE(safe("93.184.216.34", 8080, false));
  CHECK(why == "8080 is not a safe port number");
  CHECK_FALSE(safe("93.184.216.34", 8080, true));  // trust covers private and loopback addresses only
  for (const char* ip : {"127.0.0.1", "127.1.2.3", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                         "192.168.1.1", "fd00::1", "::ffff:127.0.0.1", "::ffff:192.168.0.1"}) {
    INFO(ip);
    CHECK_FALSE(safe(ip, 80, false));
    CHECK(why.find("is not a public IP address") != std::string::npos);
    CHECK(safe(ip, 45678, true));
  }
  CHECK(safe("172.32.0.1", 443, false));  // just past 172.16/12
  for (const char* ip : {"0.0.0.0", "::", "169.254.1.1", "fe80::1", "224.0.0.1", "ff02::1", "not-an-ip"}) {
    INFO(ip);
    CHECK_FALSE(safe(ip, 80, true));  // never dialed, trusted or not
    CHECK(why.find("is not a valid IP address") != std::string::npos);
  }
  CHECK(fetchable_scheme("http"));
  CHECK(fetchable_scheme("https"));
  CHECK_FALSE(fetchable_scheme("ftp"));
  CHECK_FALSE(fetchable_scheme("file"));
}

TEST_CASE("zip directory: the entries libarchive reads, with their sizes, a cut zip is no zip", "[units]") {
  const auto zip = ZipStream::render(part_entries(part_input(key_with_versions(true), 0, 40'000, 1)), 0);
  std::string error;
  const auto entries = read_zip_directory(zip, error);
  REQUIRE(entries);
  const auto check = simtest::check_zip(zip);
  REQUIRE(entries->size() == check.entries.size());
  for (std::size_t i = 0; i < entries->size(); ++i) {
    CHECK((*entries)[i].name == check.entries[i]);
    CHECK((*entries)[i].size == check.contents[i].size());
    std::string bytes;
    CHECK(read_entry_data(zip, (*entries)[i], [&](std::string_view piece) { bytes += piece; }) == EntryError::none);
    CHECK(bytes == check.contents[i]);
  }
  CHECK_FALSE(read_zip_directory(zip.substr(0, zip.size() / 2), error));
  CHECK_FALSE(read_zip_directory(zip.substr(0, zip.size() - 1), error));
  CHECK_FALSE(read_zip_directory("not a zip", error));
}

TEST_CASE("zip parts: every entry deflated with a data descriptor, as Go's zip.Writer with zip.Deflate",
          "[units]") {
  const auto zip = ZipStream::render(part_entries(part_input(key_with_versions(true), 0, 400'000, 1)), 0);
  std::string error;
  const auto entries = read_zip_directory(zip, error);
  REQUIRE(entries);
  std::uint64_t compressed = 0, size = 0;
  for (const auto& e : *entries) {
    CHECK(e.method == 8);
    CHECK((e.flags & 0x8) != 0);
    compressed += e.compressed;
    size += e.size;
  }
  CHECK(compressed < size * 3 / 4);  // the generated letters deflate to about 60 %
  CHECK(zip.size() < size);
}

TEST_CASE("restore a part: files and versions counted as cozy-stack's importer restores them", "[units]") {
  for (const bool versioned : {false, true}) {
    const auto key = key_with_versions(versioned);
    for (std::size_t part = 0; part < 2; ++part) {
      const auto in = part_input(key, part, k_two_parts, 2e-5);
      const auto files = *in.snapshot;
      const auto got = restore_part(ZipStream::render(part_entries(in), 0));
      INFO("versioned " << versioned << " part " << part);
      CHECK(got.errors.empty());
      std::int64_t file_bytes = 0, version_bytes = 0;
      for (const auto& f : files.files) file_bytes += f.size;
      for (const auto& v : files.versions) version_bytes += v.size;
      CHECK(got.restored.files == file_bytes);
      CHECK(got.restored.versions == version_bytes);
      CHECK(got.restored.versions_count == static_cast<std::int64_t>(files.versions.size()));
      const auto directories = part == 0 ? static_cast<std::int64_t>(space_folders().size()) : 0;  // the root exists already
      CHECK(got.restored.doc_count == static_cast<std::int64_t>(files.files.size()) + directories);
    }
  }
}

TEST_CASE("restore a part: a file cut short is not restored and fails, a cut zip restores nothing", "[units]") {
  for (std::uint64_t draw = 0; draw < 20; ++draw) {
    const auto in = part_input(key_with_versions(draw % 2 == 0), 1, k_two_parts, 1e-5);
    auto entries = part_entries(in);
    cut_part_midway(entries, mix64(draw));
    const bool cut_is_version = entries.size() >= 2 &&
                                entries[entries.size() - 2].path.rfind("My Cozy/Data/io.cozy.files.versions/", 0) == 0;
    const auto got = restore_part(ZipStream::render(std::move(entries), 0));
    const auto whole = restore_part(ZipStream::render(part_entries(in), 0));
    INFO("draw " << draw);
    if (cut_is_version) {  // restored without a check, at its metadata's size
      CHECK(got.errors.empty());
      CHECK(got.restored.files == whole.restored.files);
    } else {
      CHECK(got.errors.size() == 1);
      CHECK(got.restored.files < whole.restored.files);
    }
  }
  const auto zip = ZipStream::render(part_entries(part_input(key_with_versions(false), 0, 50'000, 1)), 0);
  const auto cut = restore_part(zip.substr(0, zip.size() * 2 / 3));
  CHECK(cut.errors.size() == 1);
  CHECK(cut.restored.files == 0);
  CHECK(cut.restored.doc_count == 0);
}

TEST_CASE("restore a part: content is checked against the metadata's size and md5sum", "[units]") {
  auto doc = [](const char* size, const char* md5) {
    return std::string(R"({"type":"file","_id":"f1","name":"a.txt","size":)") + size + R"(,"md5sum":")" + md5 + "\"}";
  };
  const std::string md5_abc = simtest::md5_base64("abc");
  auto part = [](std::string meta, std::string content) {
    std::vector<ZipEntry> entries;
    entries.push_back({"My Cozy/Data/io.cozy.files/f1.json", 0, 0, std::move(meta), {}});
    entries.push_back({"My Cozy/Files/a.txt", 0, 0, std::move(content), {}});
    return restore_part(ZipStream::render(std::move(entries), 0));
  };
  CHECK(part(doc("\"3\"", md5_abc.c_str()), "abc").restored.files == 3);
  CHECK(part(doc("\"3\"", md5_abc.c_str()), "abd").errors.size() == 1);  // md5 differs
  CHECK(part(doc("\"4\"", md5_abc.c_str()), "abc").errors.size() == 1);  // length differs
  CHECK(part(doc("3", md5_abc.c_str()), "abc").errors.size() == 1);        // size is a string in cozy-stack's JSON
  // A file's metadata as the last entry: no content for it.
  std::vector<ZipEntry> alone;
  alone.push_back({"My Cozy/Data/io.cozy.files/f1.json", 0, 0, doc("\"3\"", md5_abc.c_str()), {}});
  CHECK(restore_part(ZipStream::render(std::move(alone), 0)).errors.size() == 1);
}

TEST_CASE("restore a part within an import: a file whose folder was not restored before it, or whose name is "
          "taken in its folder, is refused and the import goes on",
          "[units]") {
  const std::string md5_abc = simtest::md5_base64("abc");
  auto file = [&](const char* id, const char* dir, const char* name) {
    std::vector<ZipEntry> pair;
    pair.push_back({std::string("My Cozy/Data/io.cozy.files/") + id + ".json", 0, 0,
                    std::string(R"({"type":"file","_id":")") + id + R"(","name":")" + name + R"(","dir_id":")" + dir +
                        R"(","size":"3","md5sum":")" + md5_abc + "\"}",
                    {}});
    pair.push_back({std::string("My Cozy/Files/") + name, 0, 0, "abc", {}});
    return pair;
  };
  std::vector<ZipEntry> entries;
  entries.push_back({"My Cozy/Data/io.cozy.files/d1.json", 0, 0,
                     R"({"type":"directory","_id":"d1","name":"Docs","dir_id":"io.cozy.files.root-dir"})", {}});
  for (auto* one : {"f1", "f2", "f3", "f4"}) {
    const std::string id(one);
    auto pair = id == "f1"   ? file("f1", "d1", "a.txt")                     // in a restored folder
                : id == "f2" ? file("f2", "io.cozy.files.root-dir", "b.txt")  // at the root
                : id == "f3" ? file("f3", "d9", "c.txt")                      // its folder was never restored
                             : file("f4", "d1", "a.txt");                     // a.txt is taken in Docs
    for (auto& e : pair) entries.push_back(std::move(e));
  }
  const std::string zip = ZipStream::render(std::move(entries), 0);

  FolderIndex folders;
  const auto within = restore_part(zip, {}, &folders);
  CHECK(within.restored.files == 6);
  CHECK(within.restored.doc_count == 3);  // Docs, a.txt, b.txt
  REQUIRE(within.errors.size() == 2);
  CHECK(within.errors[0].find("Parent directory with given DirID does not exist") != std::string::npos);
  CHECK(within.errors[1].find("file already exists") != std::string::npos);
  CHECK(folders.knows("d1"));

  // A part read alone (no import): folders are not checked.
  const auto alone = restore_part(zip);
  CHECK(alone.errors.empty());
  CHECK(alone.restored.files == 12);
}

TEST_CASE("restore the parts of an export in order within one import: every file finds its folder, a later part "
          "restored without part 0's folders restores only the files at the root",
          "[units]") {
  const auto key = key_with_versions(false);
  FolderIndex folders;
  std::int64_t files = 0;
  for (std::size_t part = 0; part < 2; ++part) {
    const auto got = restore_part(ZipStream::render(part_entries(part_input(key, part, k_two_parts, 2e-5)), 0), {},
                                  &folders);
    INFO("part " << part << " errors: " << (got.errors.empty() ? "" : got.errors.front()));
    CHECK(got.errors.empty());
    files += got.restored.files;
  }
  std::int64_t declared = 0;
  for (std::size_t part = 0; part < 2; ++part) {
    const auto in = part_input(key, part, k_two_parts, 2e-5);
    for (const auto& f : in.snapshot->files) declared += f.size;
  }
  CHECK(files == declared);

  FolderIndex empty;
  const auto orphan = restore_part(ZipStream::render(part_entries(part_input(key, 1, k_two_parts, 2e-5)), 0), {},
                                   &empty);
  CHECK_FALSE(orphan.errors.empty());
  CHECK(orphan.errors.front().find("Parent directory with given DirID does not exist") != std::string::npos);
}

namespace {

// Overwrites the CRC-32 of entry `i` in the central directory.
void break_crc(std::string& zip, std::size_t i) {
  std::string error;
  const auto entries = read_zip_directory(zip, error);
  REQUIRE(entries);
  std::size_t at = zip.rfind(std::string("PK\x01\x02", 4));
  for (std::size_t n = entries->size() - 1; n > i; --n) at = zip.rfind(std::string("PK\x01\x02", 4), at - 1);
  zip[at + 16] = static_cast<char>(zip[at + 16] ^ 0x5a);
}

// Flips a byte in the middle of entry `i`'s compressed bytes.
void break_stream(std::string& zip, std::size_t i) {
  std::string error;
  const auto e = read_zip_directory(zip, error)->at(i);
  zip[e.data_offset + e.compressed / 2] = static_cast<char>(zip[e.data_offset + e.compressed / 2] ^ 0xff);
}

std::vector<ZipEntry> one_file(const std::string& content) {
  const std::string md5 = simtest::md5_base64(content);
  std::vector<ZipEntry> entries;
  entries.push_back({"My Cozy/Data/io.cozy.files/f1.json", 0, 0,
                     R"({"type":"file","_id":"f1","name":"a.txt","size":")" + std::to_string(content.size()) +
                         R"(","md5sum":")" + md5 + "\"}",
                     {}});
  entries.push_back({"My Cozy/Files/a.txt", 0, 0, content, {}});
  return entries;
}

}  // namespace

TEST_CASE("restore a part: deflated entries inflated, a content's CRC-32 checked, a document's not", "[units]") {
  const std::string content(5000, 'q');
  const auto zip = ZipStream::render(one_file(content), 0);
  const auto fine = restore_part(zip);
  CHECK(fine.errors.empty());
  CHECK(fine.restored.files == 5000);

  auto bad_content_crc = zip;
  break_crc(bad_content_crc, 1);
  const auto crc = restore_part(bad_content_crc);
  REQUIRE(crc.errors.size() == 1);
  CHECK(crc.errors[0] == "My Cozy/Files/a.txt: zip: checksum error");
  CHECK(crc.restored.files == 5000);  // the VFS kept it (length and MD5 match): only the import fails

  auto bad_document_crc = zip;
  break_crc(bad_document_crc, 0);
  CHECK(restore_part(bad_document_crc).errors.empty());

  auto bad_stream = zip;
  break_stream(bad_stream, 1);
  const auto broken = restore_part(bad_stream);
  CHECK(broken.errors.size() == 1);
  CHECK(broken.restored.files == 0);
}

namespace {

std::optional<SimOptions> options_of(std::vector<std::string> args, std::string& error) {
  args.insert(args.begin(), "passage-cozy-sim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  bool exit_now = false;
  return parse_options(static_cast<int>(argv.size()), argv.data(), error, exit_now);
}

}  // namespace

TEST_CASE("people flags: late band defaults, bands summing above 1 refused by name", "[units][people]") {
  std::string error;
  auto o = options_of({}, error);
  REQUIRE(o);
  CHECK(o->late_move_share == 0);
  CHECK(o->late_move_delay_s.lo == 604800);
  CHECK(o->late_move_delay_s.hi == 1209600);
  o = options_of({"--never-move-share", "0.2", "--move-share", "0.3", "--late-move-share", "0.5",
                  "--late-move-delay-s", "10:20"},
                 error);
  REQUIRE(o);
  CHECK(o->late_move_delay_s.lo == 10);
  CHECK(o->late_move_delay_s.hi == 20);
  CHECK_FALSE(options_of({"--move-share", "0.5", "--late-move-share", "0.6"}, error));
  CHECK(error.find("--never-move-share + --move-share + --late-move-share must be at most 1") != std::string::npos);
  CHECK(error.find("1.1") != std::string::npos);
  CHECK_FALSE(options_of({"--late-move-share", "-0.1"}, error));
  CHECK(error.find("--late-move-share") != std::string::npos);
  CHECK_FALSE(options_of({"--late-move-delay-s", "20:10"}, error));
  CHECK(error.find("--late-move-delay-s") != std::string::npos);
}
