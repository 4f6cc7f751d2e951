// The ldap directory against a real slapd started by the test: its own
// throw-away slapd.conf, an mdb database filled with slapadd, a free port on
// 127.0.0.1. The system's slapd instance (if any) plays no part.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "plugins/registry.hpp"
#include "tests/support/process.hpp"

using namespace passage;
using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

const std::string k_suffix = "dc=example,dc=org";
const std::string k_root_dn = "cn=admin," + k_suffix;
const std::string k_root_password = "s3cret-root-pw";

// alice left; bob is active; carol's attribute has two values, one of them
// `departed`; dave has no employeeType at all.
const std::string k_entries =
    "dn: " + k_suffix + "\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n"
    "dn: ou=people," + k_suffix + "\nobjectClass: organizationalUnit\nou: people\n\n"
    "dn: uid=alice,ou=people," + k_suffix + "\nobjectClass: inetOrgPerson\nuid: alice\ncn: Alice\nsn: A\n"
    "employeeType: departed\n\n"
    "dn: uid=bob,ou=people," + k_suffix + "\nobjectClass: inetOrgPerson\nuid: bob\ncn: Bob\nsn: B\n"
    "employeeType: active\n\n"
    "dn: uid=carol,ou=people," + k_suffix + "\nobjectClass: inetOrgPerson\nuid: carol\ncn: Carol\n"
    "sn: C\nemployeeType: staff\nemployeeType: departed\n\n"
    "dn: uid=dave,ou=people," + k_suffix + "\nobjectClass: inetOrgPerson\nuid: dave\ncn: Dave\nsn: D\n\n";

// A TCP port nothing listens on right now: bind port 0, read it, close.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// slapd in the foreground (-d 0) on 127.0.0.1:<free port>, its config and
// database in a temp folder removed afterwards.
class Slapd {
 public:
  Slapd() {
    std::string pattern = (fs::temp_directory_path() / "passage-slapd-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    m_dir = pattern;
    fs::create_directories(m_dir / "db");
    write_file(m_dir / "slapd.conf", config());
    write_file(m_dir / "entries.ldif", k_entries);
    ProcessResult added = run_process(
        {"/usr/sbin/slapadd", "-f", (m_dir / "slapd.conf").string(), "-l",
         (m_dir / "entries.ldif").string()},
        Millis(30000), m_dir);
    if (added.exit_code != 0) throw std::runtime_error("slapadd failed: " + added.err);
    m_port = free_port();
    m_process = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/sbin/slapd", "-h", url(), "-f",
                                 (m_dir / "slapd.conf").string(), "-d", "0"},
        m_dir, m_dir / "slapd.out", m_dir / "slapd.err");
    const bool up = wait_until(
        [&] { return !m_process->running() || accepts_connections(m_port); }, Millis(15000));
    if (!up || !m_process->running())
      throw std::runtime_error("slapd did not start: " + read_file(m_dir / "slapd.err"));
  }

  ~Slapd() {
    m_process.reset();  // kills and reaps slapd before its files go
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
  }

  Slapd(const Slapd&) = delete;
  Slapd& operator=(const Slapd&) = delete;

  std::string url() const { return "ldap://127.0.0.1:" + std::to_string(m_port) + "/"; }

  // A directory config bound as the root DN.
  DirectoryConfig directory() const {
    DirectoryConfig config;
    config.provider = "ldap";
    config.url = url();
    config.base_dn = "ou=people," + k_suffix;
    config.bind_dn = k_root_dn;
    config.password = Secret(k_root_password);
    config.departed_attribute = "employeeType";
    config.departed_value = "departed";
    return config;
  }

 private:
  std::string config() const {
    const std::string dir = m_dir.string();
    return "include /etc/ldap/schema/core.schema\n"
           "include /etc/ldap/schema/cosine.schema\n"
           "include /etc/ldap/schema/inetorgperson.schema\n"
           "modulepath /usr/lib/ldap\n"
           "moduleload back_mdb\n"
           "pidfile " + dir + "/slapd.pid\n"
           "argsfile " + dir + "/slapd.args\n"
           "database mdb\n"
           "maxsize 10485760\n"
           "suffix \"" + k_suffix + "\"\n"
           "rootdn \"" + k_root_dn + "\"\n"
           "rootpw " + k_root_password + "\n"
           "directory " + dir + "/db\n";
  }

  fs::path m_dir;
  int m_port = 0;
  std::unique_ptr<BackgroundProcess> m_process;
};

std::unique_ptr<Directory> ldap(const DirectoryConfig& config) {
  auto directory = make_directory(config);
  REQUIRE(directory != nullptr);
  return directory;
}

}  // namespace

TEST_CASE("ldap directory answers departed active and unknown from a real slapd",
          "[directory][ldap]") {
  Slapd slapd;
  DirectoryConfig config = slapd.directory();

  SECTION("bound as the root DN with the default filter") {
    auto directory = ldap(config);
    CHECK(directory->status("alice") == DirectoryStatus::departed);
    CHECK(directory->status("bob") == DirectoryStatus::active);
    CHECK(directory->status("carol") == DirectoryStatus::departed);  // any value counts
    CHECK(directory->status("dave") == DirectoryStatus::active);     // no attribute: active
    CHECK(directory->status("zoe") == DirectoryStatus::unknown);
    CHECK(directory->error().empty());
  }

  SECTION("anonymous, with a filter of its own") {
    config.bind_dn.clear();
    config.password = Secret();
    config.filter = "(&(objectClass=inetOrgPerson)(uid={login}))";
    auto directory = ldap(config);
    CHECK(directory->status("alice") == DirectoryStatus::departed);
    CHECK(directory->status("bob") == DirectoryStatus::active);
    CHECK(directory->status("zoe") == DirectoryStatus::unknown);
  }
}

TEST_CASE("a login never widens the ldap filter", "[directory][ldap]") {
  Slapd slapd;
  auto directory = ldap(slapd.directory());
  // Unescaped, each of these would match alice (departed) or everyone.
  const std::vector<std::string> logins{"a*",
                                        "*",
                                        "al*ce",
                                        "bob)(uid=*",
                                        "*)(|(uid=*",
                                        "alice)(employeeType=departed",
                                        "x\\2a",
                                        std::string("alice\0", 6)};
  for (const std::string& login : logins) {
    INFO("login " << login);
    CHECK(directory->status(login) == DirectoryStatus::unknown);
  }
  CHECK(directory->status("alice") == DirectoryStatus::departed);
  CHECK(directory->error().empty());
}

TEST_CASE("ldap lookups fail on a wrong password a wrong base or no server", "[directory][ldap]") {
  Slapd slapd;
  DirectoryConfig config = slapd.directory();

  SECTION("wrong bind password: failed, and the error never shows a password") {
    config.password = Secret("not-the-password");
    auto directory = ldap(config);
    CHECK(directory->status("alice") == DirectoryStatus::failed);
    CHECK(directory->status("bob") == DirectoryStatus::failed);
    const std::string error = directory->error();
    INFO(error);
    CHECK(error.find("Invalid credentials") != std::string::npos);
    CHECK(error.find(k_root_dn) != std::string::npos);
    CHECK(error.find("not-the-password") == std::string::npos);
    CHECK(error.find(k_root_password) == std::string::npos);
  }

  SECTION("a base DN that does not exist: failed") {
    config.base_dn = "ou=nobody," + k_suffix;
    auto directory = ldap(config);
    CHECK(directory->status("alice") == DirectoryStatus::failed);
    CHECK(directory->error().find("No such object") != std::string::npos);
  }

  SECTION("nothing listening: failed") {
    config.url = "ldap://127.0.0.1:" + std::to_string(free_port()) + "/";
    auto directory = ldap(config);
    CHECK(directory->status("alice") == DirectoryStatus::failed);
    CHECK(directory->status("bob") == DirectoryStatus::failed);
    CHECK(directory->error().find("Can't contact LDAP server") != std::string::npos);
  }
}
