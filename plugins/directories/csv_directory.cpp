// The csv directory: `login,status` with status active|departed, read once
// when built. A file that cannot be read or has any bad line answers
// `failed` for everyone: a half-read list must not let a deletion through.

#include <fstream>
#include <map>
#include <sstream>

#include "engine/accounts/csv.hpp"
#include "plugins/directories/directory.hpp"

namespace passage {
namespace {

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";

class CsvDirectory final : public Directory {
 public:
  explicit CsvDirectory(const std::filesystem::path& file) : m_file(file.string()) { load(); }

  DirectoryStatus status(const std::string& login) override {
    if (!m_error.empty()) return DirectoryStatus::failed;
    auto found = m_status.find(login);
    return found == m_status.end() ? DirectoryStatus::unknown : found->second;
  }

  std::string error() const override { return m_error; }

 private:
  void load() {
    std::ifstream in(m_file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) return fail(0, "cannot read the directory file");
    std::string_view body = text.view();
    if (body.starts_with(k_utf8_bom)) body.remove_prefix(k_utf8_bom.size());
    CsvDocument doc = read_csv(body);
    if (!doc.problems.empty()) return fail(doc.problems.front().line, doc.problems.front().what);
    if (doc.records.empty()) return fail(1, "empty file: the header login,status is missing");
    const CsvRecord& header = doc.records.front();
    if (header.fields != std::vector<std::string>{"login", "status"})
      return fail(header.line, "the header must be login,status");
    for (std::size_t i = 1; i < doc.records.size(); ++i)
      if (!add(doc.records[i])) return;
  }

  bool add(const CsvRecord& record) {
    if (record.fields.size() != 2) {
      fail(record.line, "expected 2 fields (login,status), found " +
                            std::to_string(record.fields.size()));
      return false;
    }
    const std::string& login = record.fields[0];
    const std::string& status = record.fields[1];
    if (login.empty()) {
      fail(record.line, "empty login");
      return false;
    }
    if (status != "active" && status != "departed") {
      fail(record.line, "status must be active or departed, not \"" + status + "\"");
      return false;
    }
    if (!m_status.emplace(login, status == "active" ? DirectoryStatus::active
                                                    : DirectoryStatus::departed)
             .second) {
      fail(record.line, "login " + login + " is listed twice");
      return false;
    }
    return true;
  }

  void fail(int line, const std::string& what) {
    m_status.clear();
    m_error = m_file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what;
  }

  std::string m_file;
  std::map<std::string, DirectoryStatus> m_status;
  std::string m_error;
};

}  // namespace

std::unique_ptr<Directory> make_csv_directory(const DirectoryConfig& config) {
  return std::make_unique<CsvDirectory>(config.file);
}

}  // namespace passage
