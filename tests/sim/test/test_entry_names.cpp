// Entry names as cozy-stack's parts store them. ExportCopyData writes
// every entry with Go's archive/zip `CreateHeader`, which sets
// general-purpose bit 11 (0x800, "the name is UTF-8") when the name is
// valid UTF-8 and needs it: a rune below 0x20 or above 0x7d, or a
// backslash (detectUTF8: `~` and `\` are not CP-437-safe). Accented file
// and folder names are therefore flagged, plain ASCII ones not. A reader
// in the C locale that honours the flag cannot convert such a name: the
// simulator has to serve it for a client's handling to be exercised.
#include "http_client.hpp"
#include "zip_check.hpp"
#include "zip_entry.hpp"
#include "part_restore.hpp"
#include "zip_names.hpp"
#include "zip_read.hpp"
#include "zip_stream.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace simtest;
namespace json = boost::json;

namespace {

constexpr std::uint16_t k_utf8_flag = 0x800;
const std::string k_accented_folder = "\xc3\x89t\xc3\xa9 2026";  // "Été 2026"

// Go's detectUTF8 for the names the simulator serves, written again here
// so the test does not take the simulator's word: they are valid UTF-8
// (boost::json would not have parsed their metadata otherwise), so only
// `require` matters.
bool go_flags_utf8(const std::string& name) {
  return std::any_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte > 0x7d || byte == '\\';
  });
}

bool is_ascii(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::uint16_t le16(const std::string& zip, std::uint64_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(zip[at]) |
                                    static_cast<unsigned char>(zip[at + 1]) << 8);
}

// The local header's flags (a streaming reader sees only those).
std::uint16_t local_flags(const std::string& zip, const sim::ZipDirEntry& entry) {
  return le16(zip, entry.header_offset + 6);
}

std::string entry_text(const std::string& zip, const sim::ZipDirEntry& entry) {
  std::string out;
  sim::read_entry_data(zip, entry, [&](std::string_view piece) { out.append(piece); });
  return out;
}

// What the parts of a space show about their names.
struct NameTally {
  int accented = 0;        // non-ASCII entry names, flagged
  int tilde_only = 0;      // ASCII names with a `~`, flagged as Go does
  int plain = 0;           // ASCII names without `~` or `\`, not flagged
  int accented_docs = 0;   // file metadata whose `name` is not ASCII
  bool accented_folder = false;  // a directory document named "Été 2026"
};

void tally_metadata(const std::string& doc_text, NameTally& tally) {
  const json::object doc = json::parse(doc_text).as_object();
  const std::string name = doc.contains("name") ? std::string(doc.at("name").as_string()) : "";
  if (doc.at("type") == "directory") {
    if (name == k_accented_folder && doc.at("path") == json::value("/" + k_accented_folder))
      tally.accented_folder = true;
  } else if (!is_ascii(name)) {
    ++tally.accented_docs;
  }
}

// Checks every entry's flag, in the central directory and its local header,
// against Go's rule, and tallies what the part holds. Returns the bytes of
// its files' contents.
long long check_part_names(const std::string& zip, NameTally& tally) {
  std::string error;
  const auto entries = sim::read_zip_directory(zip, error);
  REQUIRE(entries);
  for (const auto& e : *entries) {
    INFO(e.name);
    const bool expected = go_flags_utf8(e.name);
    CHECK(((e.flags & k_utf8_flag) != 0) == expected);
    CHECK(((local_flags(zip, e) & k_utf8_flag) != 0) == expected);
    if (!is_ascii(e.name)) ++tally.accented;
    else if (expected) ++tally.tilde_only;
    else ++tally.plain;
    if (e.name.rfind("My Cozy/Data/io.cozy.files/", 0) == 0) tally_metadata(entry_text(zip, e), tally);
  }
  // A libarchive reader honouring the flag reads the names back byte for
  // byte (in a UTF-8 locale, as Passage's check runs), and every file's
  // content sits at the path its metadata's name says.
  const ZipCheck read = check_zip(zip);
  INFO(read.error);
  REQUIRE(read.ok);
  REQUIRE(read.entries.size() == entries->size());
  for (std::size_t i = 0; i < entries->size(); ++i) CHECK(read.entries[i] == (*entries)[i].name);
  const PartAudit audit = audit_part(read);
  INFO((audit.problems.empty() ? std::string() : audit.problems.front()));
  CHECK(audit.complete());
  return audit.file_bytes;
}

}  // namespace

TEST_CASE("the UTF-8 flag is Go's rule: a valid UTF-8 name with a rune outside 0x20-0x7d or a backslash",
          "[units][names]") {
  CHECK_FALSE(sim::go_sets_utf8_flag("My Cozy/Files/Photos/file-000-00.jpg"));
  CHECK_FALSE(sim::go_sets_utf8_flag("a{b}c|d"));                // up to 0x7d: CP-437-safe
  CHECK(sim::go_sets_utf8_flag("My Cozy/Files/" + k_accented_folder + "/a.txt"));
  CHECK(sim::go_sets_utf8_flag("brouillon~1.txt"));             // 0x7e
  CHECK(sim::go_sets_utf8_flag("a\\b"));                        // 0x5c
  CHECK(sim::go_sets_utf8_flag("tab\there"));                   // below 0x20
  CHECK_FALSE(sim::go_sets_utf8_flag("caf\xe9.txt"));           // Latin-1, not UTF-8: never flagged
  CHECK_FALSE(sim::go_sets_utf8_flag("\xc3\xa9t\xc3"));         // cut in the middle of a rune
  CHECK_FALSE(sim::go_sets_utf8_flag("\xed\xa0\x80"));          // a surrogate is not a valid rune
}

TEST_CASE("a rendered zip flags each entry as Go does, in its local header and in the central directory",
          "[units][names]") {
  std::vector<sim::ZipEntry> entries;
  for (const std::string& name : {std::string("My Cozy/Data/instance.json"),
                                 "My Cozy/Files/" + k_accented_folder + "/compte-rendu r\xc3\xa9union.odt",
                                 std::string("My Cozy/Files/Notes/brouillon~1.txt"),
                                 std::string("My Cozy/Files/na\xc3\xafve ~ caf\xc3\xa9.txt")})
    entries.push_back({name, 0, 0, "{}", {}});
  const std::string zip = sim::ZipStream::render(entries, 1'700'000'000);
  std::string error;
  const auto read = sim::read_zip_directory(zip, error);
  REQUIRE(read);
  REQUIRE(read->size() == 4);
  const bool expected[] = {false, true, true, true};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO((*read)[i].name);
    CHECK((*read)[i].name == entries[i].path);
    CHECK((((*read)[i].flags & k_utf8_flag) != 0) == expected[i]);
    CHECK(((local_flags(zip, (*read)[i]) & k_utf8_flag) != 0) == expected[i]);
  }
}

TEST_CASE("export parts name accented files and folders in UTF-8 flagged as cozy-stack's Go writer does, "
          "ASCII names unflagged",
          "[exports][names]") {
  Sim sim({"--instances", "6", "--domain-suffix", "test.example", "--seed", "7", "--clock",
           "2026-11-20T10:00:00Z", "--export-ms", "20:40"});
  NameTally tally;
  for (int i = 0; i < 6; ++i) {
    const std::string d = domain(i);
    REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
    REQUIRE(eventually([&] {
      const auto e = sim.current_export(d);
      return e.contains("state") && e.at("state") == "done";
    }));
    const json::object e = sim.current_export(d);
    const std::string base = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
    std::vector<std::string> paths{base};
    for (const auto& cursor : e.at("parts_cursors").as_array())
      paths.push_back(base + "?cursor=" + std::string(cursor.as_string()));
    sim::FolderIndex folders;  // the target's folders, over the whole import
    for (const auto& path : paths) {
      INFO(d << " " << path);
      const HttpResult part = sim.get(path);
      REQUIRE(part.status == 200);
      const long long file_bytes = check_part_names(part.body, tally);
      // The simulator's importer restores every file, the accented ones
      // in the accented folder included, as a move's target would.
      const sim::PartRestore restored = sim::restore_part(part.body, {}, &folders);
      INFO((restored.errors.empty() ? std::string() : restored.errors.front()));
      CHECK(restored.errors.empty());
      CHECK(restored.restored.files == file_bytes);
    }
  }
  CHECK(tally.accented > 0);
  CHECK(tally.tilde_only > 0);
  CHECK(tally.plain > 0);
  CHECK(tally.accented_docs > 0);
  CHECK(tally.accented_folder);
}
