#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/archive/zip_check.hpp"
#include "engine/store/sha256.hpp"

using namespace passage;
namespace asio = boost::asio;

namespace {

using passage::testing::TempDir;

struct Entry {
  std::string name;
  std::string content;
  bool deflate = true;
};

// Bytes that do not compress: a stored or deflated entry keeps its size.
std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 engine(seed);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(engine() & 0xff);
  return bytes;
}

std::string text(std::size_t size, const std::string& word) {
  std::string out;
  for (int n = 0; out.size() < size; ++n) out += word + " " + std::to_string(n) + "\n";
  out.resize(size);
  return out;
}

void write_zip(const std::filesystem::path& file, const std::vector<Entry>& entries) {
  std::unique_ptr<archive, int (*)(archive*)> writer(archive_write_new(), archive_write_free);
  REQUIRE(archive_write_set_format_zip(writer.get()) == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(writer.get(), file.c_str()) == ARCHIVE_OK);
  for (const Entry& item : entries) {
    if (item.deflate) {
      REQUIRE(archive_write_zip_set_compression_deflate(writer.get()) == ARCHIVE_OK);
    } else {
      REQUIRE(archive_write_zip_set_compression_store(writer.get()) == ARCHIVE_OK);
    }
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                     archive_entry_free);
    archive_entry_set_pathname(entry.get(), item.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(item.content.size()));
    REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
    REQUIRE(archive_write_data(writer.get(), item.content.data(), item.content.size()) ==
            static_cast<la_ssize_t>(item.content.size()));
  }
  REQUIRE(archive_write_close(writer.get()) == ARCHIVE_OK);
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string md5_base64(const std::string& bytes) {
  Md5 md5;
  md5.update(bytes);
  return md5.base64_final();
}

// A file as cozy-stack writes it into a part: its metadata, then its content.
void add_file(std::vector<Entry>& entries, const std::string& id, const std::string& path,
              const std::string& content, bool deflate = true) {
  const std::string name = path.substr(path.rfind('/') + 1);
  entries.push_back({"My Cozy/Data/io.cozy.files/" + id + ".json",
                     R"({"_id":")" + id + R"(","type":"file","name":")" + name + R"(","size":")" +
                         std::to_string(content.size()) + R"(","md5sum":")" + md5_base64(content) + R"("})",
                     true});
  entries.push_back({"My Cozy/Files/" + path, content, deflate});
}

void add_version(std::vector<Entry>& entries, const std::string& id, const std::string& content) {
  entries.push_back({"My Cozy/Data/io.cozy.files.versions/" + id + ".json",
                     R"({"_id":")" + id + R"(","size":")" + std::to_string(content.size()) +
                         R"(","md5sum":")" + md5_base64(content) + R"("})",
                     true});
  entries.push_back({"My Cozy/Files/" + id, content, true});
}

std::vector<Entry> first_part_entries() {
  std::vector<Entry> entries{
      {"My Cozy/Data/instance.json", R"({"domain":"alice.mycozy.cloud","locale":"fr"})", true},
      {"My Cozy/Data/io.cozy.files/d1.json", R"({"_id":"d1","type":"directory","name":"Photos"})", true},
  };
  add_file(entries, "4f2a", "Documents/notes.txt", text(20000, "lorem ipsum dolor"));
  add_file(entries, "4f2b", "Photos/beach.jpg", random_bytes(9000, 7), false);
  add_file(entries, "4f2c", "Photos/hill.jpg", random_bytes(6000, 8));
  return entries;
}

std::vector<Entry> later_part_entries() {
  std::vector<Entry> entries;
  add_file(entries, "5a01", "Archives/old.bin", random_bytes(12000, 9), false);
  add_file(entries, "5a02", "Archives/readme.md", text(5000, "# old files"));
  add_version(entries, "5a02/1-aa", text(700, "# older files"));
  return entries;
}

std::int64_t total_bytes(const std::vector<Entry>& entries) {
  std::int64_t total = 0;
  for (const Entry& entry : entries) total += static_cast<std::int64_t>(entry.content.size());
  return total;
}

// Offset of an entry's data in a zip file, from its local header.
std::size_t data_offset(const std::string& zip, const std::string& name) {
  const std::string signature("PK\x03\x04", 4);
  for (std::size_t at = zip.find(signature); at != std::string::npos;
       at = zip.find(signature, at + 1)) {
    const auto u16 = [&](std::size_t offset) {
      return static_cast<std::size_t>(static_cast<unsigned char>(zip[at + offset])) |
             static_cast<std::size_t>(static_cast<unsigned char>(zip[at + offset + 1])) << 8;
    };
    const std::size_t name_length = u16(26);
    const std::size_t extra_length = u16(28);
    if (zip.compare(at + 30, name_length, name) == 0) return at + 30 + name_length + extra_length;
  }
  FAIL("no local header for " << name);
  return 0;
}

struct Zips {
  TempDir dir;
  std::filesystem::path first = dir.path() / "alice.mycozy.cloud - part000.zip";
  std::filesystem::path later = dir.path() / "alice.mycozy.cloud - part001.zip";
  Zips() {
    write_zip(first, first_part_entries());
    write_zip(later, later_part_entries());
  }
};

}  // namespace

TEST_CASE("a whole first part is valid with its entries and bytes", "[zip_check]") {
  Zips zips;
  const ZipCheck check = check_zip_part(zips.first, true);
  INFO(check.problem);
  CHECK(check.valid);
  CHECK(check.problem.empty());
  CHECK(check.entries == 8);
  CHECK(check.uncompressed_bytes == total_bytes(first_part_entries()));
  CHECK(check.has_instance_json);
  CHECK(check.content.complete());
  CHECK(check.content.totals.files == 3);
  CHECK(check.content.totals.file_bytes == 20000 + 9000 + 6000);
  CHECK(check.content.totals.versions == 0);
}

TEST_CASE("the job's JSON documents of a first part are counted apart from the files' metadata",
          "[zip_check]") {
  Zips zips;
  const std::vector<Entry> entries = first_part_entries();
  // instance.json and the directory's document: what total_size counts.
  const std::int64_t documents =
      static_cast<std::int64_t>(entries[0].content.size() + entries[1].content.size());
  const ZipCheck check = check_zip_part(zips.first, true);
  CHECK(check.content.document_bytes == documents);
  CHECK(check_zip_part(zips.later, false).content.document_bytes == 0);
}

TEST_CASE("a later part needs no instance.json but a first part does", "[zip_check]") {
  Zips zips;
  const ZipCheck later = check_zip_part(zips.later, false);
  INFO(later.problem);
  CHECK(later.valid);
  CHECK(later.entries == 6);
  CHECK(later.uncompressed_bytes == total_bytes(later_part_entries()));
  CHECK_FALSE(later.has_instance_json);
  CHECK(later.content.totals.files == 2);
  CHECK(later.content.totals.file_bytes == 12000 + 5000);
  CHECK(later.content.totals.versions == 1);
  CHECK(later.content.totals.version_bytes == 700);

  const ZipCheck as_first = check_zip_part(zips.later, true);
  CHECK_FALSE(as_first.valid);
  CHECK(as_first.entries == 6);
  CHECK(as_first.problem.find("My Cozy/Data/instance.json") != std::string::npos);
}

TEST_CASE("entry names are read as written whether ASCII or UTF-8 flagged as cozy-stack writes accents",
          "[zip_check]") {
  // The check reads ASCII names as stored, and only the others through
  // libarchive's UTF-8 conversion (BENCHMARKS.md, session 10): both name a
  // content without its metadata byte for byte.
  TempDir dir;
  const std::filesystem::path part = dir.path() / "part.zip";
  std::unique_ptr<archive, int (*)(archive*)> writer(archive_write_new(), archive_write_free);
  REQUIRE(archive_write_set_format_zip(writer.get()) == ARCHIVE_OK);
  REQUIRE(archive_write_set_options(writer.get(), "zip:hdrcharset=UTF-8") == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(writer.get(), part.c_str()) == ARCHIVE_OK);
  const std::vector<std::string> names{"My Cozy/Files/Photos/plain.txt",
                                       "My Cozy/Files/Photos/\xc3\xa9t\xc3\xa9 \xc3\xa0 No\xc3\xabl.jpg"};
  for (const std::string& name : names) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname_utf8(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), 3);
    REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
    REQUIRE(archive_write_data(writer.get(), "abc", 3) == 3);
  }
  REQUIRE(archive_write_close(writer.get()) == ARCHIVE_OK);

  const ZipCheck check = check_zip_part(part, false);
  CHECK(check.well_formed);
  CHECK(check.entries == 2);
  CHECK_FALSE(check.valid);
  for (const std::string& name : names) {
    INFO(check.problem);
    CHECK(check.problem.find(name + ": content without its metadata") != std::string::npos);
  }
}

TEST_CASE("an empty zip (a replaced export's first part) is well-formed, has no entry, and is not valid "
          "as a first part, a cut zip is not well-formed",
          "[zip_check]") {
  Zips zips;
  const std::filesystem::path empty = zips.dir.path() / "empty.zip";
  // Only the end of central directory record: 22 bytes.
  write_all(empty, std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  const ZipCheck check = check_zip_part(empty, true);
  INFO(check.problem);
  CHECK(check.well_formed);
  CHECK(check.entries == 0);
  CHECK_FALSE(check.valid);

  const std::string whole = read_all(zips.first);
  const std::filesystem::path cut = zips.dir.path() / "cut.zip";
  for (const std::size_t length : {std::size_t{1}, std::size_t{100}, whole.size() / 2, whole.size() - 1}) {
    write_all(cut, whole.substr(0, length));
    INFO("cut at " << length);
    CHECK_FALSE(check_zip_part(cut, true).well_formed);
  }
}

TEST_CASE("a truncated part is invalid wherever it was cut", "[zip_check]") {
  Zips zips;
  const std::string whole = read_all(zips.first);
  const std::size_t directory = whole.find(std::string("PK\x01\x02", 4));
  REQUIRE(directory != std::string::npos);
  const std::vector<std::size_t> lengths = {
      whole.size() / 2,
      whole.size() * 9 / 10,
      whole.size() - 10,
      whole.size() - 1,
      directory,
      directory + (whole.size() - directory) / 2,
      100,
      1,
  };
  const std::filesystem::path cut = zips.dir.path() / "cut.zip";
  for (const std::size_t length : lengths) {
    write_all(cut, whole.substr(0, length));
    const ZipCheck check = check_zip_part(cut, true);
    INFO("cut at " << length << " of " << whole.size());
    CHECK_FALSE(check.valid);
    CHECK_FALSE(check.problem.empty());
  }
}

TEST_CASE("a flipped byte in stored data fails the CRC", "[zip_check]") {
  Zips zips;
  std::string bytes = read_all(zips.first);
  const std::size_t at = data_offset(bytes, "My Cozy/Files/Photos/beach.jpg") + 4500;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
  const std::filesystem::path damaged = zips.dir.path() / "damaged.zip";
  write_all(damaged, bytes);
  const ZipCheck check = check_zip_part(damaged, true);
  CHECK_FALSE(check.valid);
  CHECK(check.problem.find("beach.jpg") != std::string::npos);
  CHECK(check.problem.find("CRC") != std::string::npos);
}

TEST_CASE("a flipped byte in deflated data is invalid", "[zip_check]") {
  Zips zips;
  std::string bytes = read_all(zips.first);
  const std::size_t at = data_offset(bytes, "My Cozy/Files/Photos/hill.jpg") + 3000;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  const std::filesystem::path damaged = zips.dir.path() / "damaged.zip";
  write_all(damaged, bytes);
  const ZipCheck check = check_zip_part(damaged, true);
  CHECK_FALSE(check.valid);
  CHECK(check.problem.find("hill.jpg") != std::string::npos);
}

TEST_CASE("an empty file, a text file and a missing file are invalid", "[zip_check]") {
  TempDir dir;
  const std::filesystem::path empty = dir.path() / "empty.zip";
  write_all(empty, "");
  const std::filesystem::path html = dir.path() / "error.zip";
  write_all(html, "<html><body>502 Bad Gateway</body></html>\n");
  for (const auto& file : {empty, html, dir.path() / "missing.zip"}) {
    const ZipCheck check = check_zip_part(file, false);
    INFO(file);
    CHECK_FALSE(check.valid);
    CHECK_FALSE(check.problem.empty());
    CHECK(check.entries == 0);
  }
}

// What cozy-stack's data route sends when copying fails midway: its
// deferred zip.Writer.Close still writes a valid central directory, so the
// part is well formed, its last file is cut short with a CRC that matches
// the bytes written, and the files after it are missing.
TEST_CASE("a well-formed part whose last file is cut short and the rest missing is incomplete",
          "[zip_check]") {
  TempDir dir;
  std::vector<Entry> whole = later_part_entries();
  std::vector<Entry> cut(whole.begin(), whole.begin() + 4);  // old.bin, readme.md with metadata
  cut[3].content.resize(1200);                                // readme.md: 1200 of 5000 bytes
  const std::filesystem::path file = dir.path() / "cut.zip";
  write_zip(file, cut);
  const ZipCheck check = check_zip_part(file, false);
  INFO(check.problem);
  CHECK_FALSE(check.valid);
  CHECK(check.content.problems == 1);
  CHECK(check.problem.starts_with("evidence_incomplete: 1 file: "));
  CHECK(check.problem.find("readme.md: 1200 of 5000 bytes") != std::string::npos);
  CHECK(check.content.totals.files == 1);

  // Cut right after a metadata entry: the file's content is missing.
  std::vector<Entry> no_content(whole.begin(), whole.begin() + 3);
  write_zip(dir.path() / "no-content.zip", no_content);
  const ZipCheck missing = check_zip_part(dir.path() / "no-content.zip", false);
  CHECK_FALSE(missing.valid);
  CHECK(missing.problem.find("readme.md: content missing (5000 bytes announced)") != std::string::npos);

  // The version's metadata without its content, followed by nothing.
  std::vector<Entry> no_version(whole.begin(), whole.begin() + 5);
  write_zip(dir.path() / "no-version.zip", no_version);
  const ZipCheck no_version_check = check_zip_part(dir.path() / "no-version.zip", false);
  INFO(no_version_check.problem);
  CHECK(no_version_check.problem.find("version 5a02/1-aa: content missing") != std::string::npos);
}

TEST_CASE("a file's content must have its metadata's MD5 and come right after it", "[zip_check]") {
  TempDir dir;
  const std::filesystem::path file = dir.path() / "part.zip";
  std::vector<Entry> entries = later_part_entries();
  entries[1].content[100] = static_cast<char>(entries[1].content[100] ^ 0x01);  // same size, other bytes
  write_zip(file, entries);
  const ZipCheck changed = check_zip_part(file, false);
  CHECK_FALSE(changed.valid);
  CHECK(changed.problem.find("old.bin: content differs from its md5sum") != std::string::npos);

  // A content entry without metadata cannot be checked.
  std::vector<Entry> orphan = later_part_entries();
  orphan.erase(orphan.begin());
  write_zip(dir.path() / "orphan.zip", orphan);
  CHECK(check_zip_part(dir.path() / "orphan.zip", false).problem.find("old.bin: content without its metadata") !=
        std::string::npos);

  // A content that is not the one the metadata announced (skipped file).
  std::vector<Entry> skipped = later_part_entries();
  skipped.erase(skipped.begin() + 1);  // old.bin's content skipped: readme's metadata follows
  write_zip(dir.path() / "skipped.zip", skipped);
  const ZipCheck gap = check_zip_part(dir.path() / "skipped.zip", false);
  CHECK_FALSE(gap.valid);
  CHECK(gap.problem.find("old.bin: content missing") != std::string::npos);
  CHECK(gap.content.totals.files == 1);  // readme.md still checked
}

TEST_CASE("a content longer than its metadata announces is not read beyond it", "[zip_check]") {
  TempDir dir;
  std::vector<Entry> entries = later_part_entries();
  entries[1].content += random_bytes(200'000, 3);  // old.bin: far more than its 12000 bytes
  write_zip(dir.path() / "long.zip", entries);
  const ZipCheck check = check_zip_part(dir.path() / "long.zip", false);
  CHECK_FALSE(check.valid);
  CHECK(check.problem.find("old.bin: longer than the size its metadata announces") != std::string::npos);
  CHECK(check.uncompressed_bytes < 12000 + 2 * 64 * 1024 + 200);  // stopped within a block
}

TEST_CASE("a raised stop flag abandons a check", "[zip_check]") {
  Zips zips;
  const std::atomic<bool> stop{true};
  const ZipCheck check = check_zip_part(zips.first, true, stop);
  CHECK_FALSE(check.valid);
  CHECK(check.problem.find("abandoned") != std::string::npos);
}

TEST_CASE("PartWriter writes the chunks and hashes them", "[zip_check]") {
  TempDir dir;
  const std::string content = random_bytes(300'000, 42);
  PartWriter writer(dir.path() / "part.zip.part");
  std::size_t at = 0;
  for (std::size_t size = 1; at < content.size(); size = size * 3 + 7) {
    const std::string_view chunk = std::string_view(content).substr(at, size);
    REQUIRE(writer.write(chunk));
    at += chunk.size();
  }
  REQUIRE(writer.write(""));
  const PartWriter::Written written = writer.finish();
  CHECK(written.ok);
  CHECK(written.bytes == static_cast<std::int64_t>(content.size()));
  CHECK(written.sha256 == sha256_hex(content));
  CHECK(read_all(writer.file()) == content);

  CHECK_FALSE(writer.write("more"));
  CHECK_FALSE(writer.finish().ok);
  CHECK(read_all(writer.file()) == content);
}

TEST_CASE("PartWriter of an empty part and into a missing directory", "[zip_check]") {
  TempDir dir;
  PartWriter empty(dir.path() / "empty.part");
  const PartWriter::Written nothing = empty.finish();
  CHECK(nothing.ok);
  CHECK(nothing.bytes == 0);
  CHECK(nothing.sha256 == sha256_hex(""));
  CHECK(std::filesystem::exists(dir.path() / "empty.part"));

  PartWriter nowhere(dir.path() / "no" / "such" / "dir.part");
  CHECK_FALSE(nowhere.write("bytes"));
  CHECK_FALSE(nowhere.finish().ok);
}

namespace {

struct Outcome {
  bool done = false;
  ZipCheck check;
  std::thread::id resumed_on;
};

asio::awaitable<void> await_check(ZipCheckPool& pool, std::filesystem::path file, bool first,
                                  Outcome& outcome) {
  outcome.check = co_await pool.check(std::move(file), first);
  outcome.resumed_on = std::this_thread::get_id();
  outcome.done = true;
}

}  // namespace

TEST_CASE("ZipCheckPool runs checks concurrently and resumes on the io thread", "[zip_check]") {
  Zips zips;
  const std::filesystem::path junk = zips.dir.path() / "junk.zip";
  write_all(junk, "not a zip at all");
  asio::io_context io;
  ZipCheckPool pool(io, 2);
  std::vector<Outcome> outcomes(20);
  for (std::size_t n = 0; n < outcomes.size(); ++n) {
    const std::filesystem::path& file = n % 3 == 0 ? junk : (n % 3 == 1 ? zips.first : zips.later);
    asio::co_spawn(io, await_check(pool, file, n % 3 == 1, outcomes[n]), asio::detached);
  }
  io.run();
  const std::thread::id io_thread = std::this_thread::get_id();
  for (std::size_t n = 0; n < outcomes.size(); ++n) {
    INFO("check " << n << ": " << outcomes[n].check.problem);
    REQUIRE(outcomes[n].done);
    CHECK(outcomes[n].resumed_on == io_thread);
    CHECK(outcomes[n].check.valid == (n % 3 != 0));
    if (n % 3 == 1) CHECK(outcomes[n].check.entries == 8);
    if (n % 3 == 2) CHECK(outcomes[n].check.entries == 6);
  }
}

TEST_CASE("ZipCheckPool destroyed with checks in flight still completes them", "[zip_check]") {
  Zips zips;
  asio::io_context io;
  auto pool = std::make_unique<ZipCheckPool>(io, 2);
  std::vector<Outcome> outcomes(8);
  for (Outcome& outcome : outcomes) {
    asio::co_spawn(io, await_check(*pool, zips.first, true, outcome), asio::detached);
  }
  io.poll();  // every coroutine has handed its check to the pool
  pool.reset();
  io.run();
  for (const Outcome& outcome : outcomes) {
    INFO(outcome.check.problem);
    REQUIRE(outcome.done);
    CHECK((outcome.check.valid || outcome.check.problem.find("abandoned") != std::string::npos));
  }
}

TEST_CASE("a part's entries are counted from its directory, and nothing is counted in what is not a zip",
          "[zip_check][purge]") {
  Zips zips;
  CHECK(count_zip_entries(zips.first) == check_zip_part(zips.first, true).entries);
  CHECK(count_zip_entries(zips.later) == check_zip_part(zips.later, false).entries);
  const std::string whole = read_all(zips.first);
  const std::filesystem::path other = zips.dir.path() / "other.zip";
  // What a restore that zero-fills leaves, random bytes, a part cut short
  // in its directory, an empty file, no file: the same length is not enough.
  write_all(other, std::string(whole.size(), '\0'));
  CHECK_FALSE(count_zip_entries(other));
  std::string scrambled = whole;
  for (std::size_t i = 0; i < scrambled.size(); ++i) scrambled[i] = static_cast<char>((i * 7919) >> 3);
  write_all(other, scrambled);
  CHECK_FALSE(count_zip_entries(other));
  write_all(other, whole.substr(0, whole.size() - 10));
  CHECK_FALSE(count_zip_entries(other));
  write_all(other, "");
  CHECK_FALSE(count_zip_entries(other));
  CHECK_FALSE(count_zip_entries(zips.dir.path() / "missing.zip"));
}
