// The directory plugins without a server: the csv provider, the registry,
// and the RFC 4515 escaping that keeps a login from rewriting an LDAP filter.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "plugins/directories/ldap_filter.hpp"
#include "plugins/registry.hpp"

using namespace passage;
namespace fs = std::filesystem;

namespace {

// A csv directory file in a fresh folder, removed afterwards.
class DirectoryFile {
 public:
  explicit DirectoryFile(const std::string& content) {
    static std::atomic<int> counter{0};
    m_dir = fs::temp_directory_path() / ("passage-directory-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter++));
    fs::create_directories(m_dir);
    std::ofstream(path(), std::ios::binary) << content;
  }
  ~DirectoryFile() {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  DirectoryFile(const DirectoryFile&) = delete;
  DirectoryFile& operator=(const DirectoryFile&) = delete;

  fs::path path() const { return m_dir / "directory.csv"; }

 private:
  fs::path m_dir;
};

DirectoryConfig csv_config(const fs::path& file) {
  DirectoryConfig config;
  config.provider = "csv";
  config.file = file;
  return config;
}

std::unique_ptr<Directory> csv_directory(const DirectoryFile& file) {
  auto directory = make_directory(csv_config(file.path()));
  REQUIRE(directory != nullptr);
  return directory;
}

}  // namespace

TEST_CASE("csv directory answers departed, active and unknown", "[directory]") {
  DirectoryFile file(
      "login,status\r\n"
      "alice,departed\r\n"
      "bob,active\r\n"
      "\"carol, jr\",departed\r\n"
      "\n"
      "dave,\"active\"\r\n");
  auto directory = csv_directory(file);
  CHECK(directory->status("alice") == DirectoryStatus::departed);
  CHECK(directory->status("bob") == DirectoryStatus::active);
  CHECK(directory->status("carol, jr") == DirectoryStatus::departed);
  CHECK(directory->status("dave") == DirectoryStatus::active);
  CHECK(directory->status("eve") == DirectoryStatus::unknown);
  CHECK(directory->status("Alice") == DirectoryStatus::unknown);
  CHECK(directory->status("") == DirectoryStatus::unknown);
  CHECK(directory->error().empty());
}

TEST_CASE("csv directory with a BOM and only a header knows no one", "[directory]") {
  DirectoryFile file("\xEF\xBB\xBFlogin,status\n");
  auto directory = csv_directory(file);
  CHECK(directory->status("alice") == DirectoryStatus::unknown);
  CHECK(directory->error().empty());
}

TEST_CASE("csv directory is read once when built", "[directory]") {
  DirectoryFile file("login,status\nalice,departed\n");
  auto directory = csv_directory(file);
  std::ofstream(file.path(), std::ios::binary | std::ios::trunc) << "login,status\nalice,active\n";
  CHECK(directory->status("alice") == DirectoryStatus::departed);
}

TEST_CASE("a missing csv directory file fails every lookup", "[directory]") {
  auto directory = make_directory(csv_config("/nonexistent/passage/directory.csv"));
  REQUIRE(directory != nullptr);
  CHECK(directory->status("alice") == DirectoryStatus::failed);
  CHECK(directory->status("bob") == DirectoryStatus::failed);
  CHECK(directory->error().find("/nonexistent/passage/directory.csv") != std::string::npos);
  CHECK(directory->error().find("cannot read") != std::string::npos);
}

TEST_CASE("one malformed line fails every lookup and is named by its line", "[directory]") {
  struct Case {
    const char* text;
    const char* line;
    const char* what;
  };
  const Case cases[] = {
      {"login,status\nalice,departed\nbob,gone\n", ":3:", "active or departed"},
      {"login,status\nalice,departed\nbob\n", ":3:", "expected 2 fields"},
      {"login,status\nalice,departed,extra\n", ":2:", "expected 2 fields"},
      {"login,status\n,departed\n", ":2:", "empty login"},
      {"login,status\nalice,departed\nalice,active\n", ":3:", "listed twice"},
      {"user,state\nalice,departed\n", ":1:", "header"},
      {"", ":1:", "empty file"},
      {"login,status\nalice,\"departed\n", ":2:", ""},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    DirectoryFile file(c.text);
    auto directory = csv_directory(file);
    CHECK(directory->status("alice") == DirectoryStatus::failed);
    CHECK(directory->status("nobody") == DirectoryStatus::failed);
    const std::string error = directory->error();
    INFO(error);
    CHECK(error.find(file.path().string() + c.line) == 0);
    CHECK(error.find(c.what) != std::string::npos);
  }
}

TEST_CASE("no directory configured builds none and the table lists both providers",
          "[directory]") {
  CHECK(make_directory(std::nullopt) == nullptr);
  int directories = 0;
  for (const PluginInfo& plugin : plugin_table())
    if (plugin.kind == "directory") {
      ++directories;
      CHECK((plugin.name == "csv" || plugin.name == "ldap"));
    }
  CHECK(directories == 2);
}

TEST_CASE("directory status names", "[directory]") {
  CHECK(std::string(status_name(DirectoryStatus::departed)) == "departed");
  CHECK(std::string(status_name(DirectoryStatus::active)) == "active");
  CHECK(std::string(status_name(DirectoryStatus::unknown)) == "unknown");
  CHECK(std::string(status_name(DirectoryStatus::failed)) == "failed");
}

TEST_CASE("RFC 4515 escaping of filter values", "[directory][ldap]") {
  CHECK(ldap_escape_filter_value("alice") == "alice");
  CHECK(ldap_escape_filter_value("") == "");
  CHECK(ldap_escape_filter_value("a*") == "a\\2a");
  CHECK(ldap_escape_filter_value("*") == "\\2a");
  CHECK(ldap_escape_filter_value("bob)(uid=*") == "bob\\29\\28uid=\\2a");
  CHECK(ldap_escape_filter_value("back\\slash") == "back\\5cslash");
  CHECK(ldap_escape_filter_value(std::string("nul\0byte", 8)) == "nul\\00byte");
  CHECK(ldap_escape_filter_value("\\2a") == "\\5c2a");  // an escape is escaped in turn
  CHECK(ldap_escape_filter_value("h\xC3\xA9l\xC3\xA8ne") == "h\xC3\xA9l\xC3\xA8ne");  // UTF-8 kept
  CHECK(ldap_escape_filter_value("a=b,c&d|e!f") == "a=b,c&d|e!f");
}

TEST_CASE("the filter template takes the escaped login at every placeholder",
          "[directory][ldap]") {
  CHECK(ldap_filter_for("(uid={login})", "alice") == "(uid=alice)");
  CHECK(ldap_filter_for("(uid={login})", "*)(|(uid=*") == "(uid=\\2a\\29\\28|\\28uid=\\2a)");
  CHECK(ldap_filter_for("(|(uid={login})(mail={login}@x.org))", "a(b") ==
        "(|(uid=a\\28b)(mail=a\\28b@x.org))");
  CHECK(ldap_filter_for("(objectClass=person)", "alice") == "(objectClass=person)");
  CHECK(ldap_filter_for("(uid={login})", "{login}") == "(uid={login})");  // not re-expanded
}
