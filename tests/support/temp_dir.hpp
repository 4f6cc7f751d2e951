#pragma once
// A fresh folder under the system temp dir, removed with everything in it
// when the object goes. Header-only: unit and integration tests share it.

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace passage::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "passage-test") {
    std::random_device random;
    m_path = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

}  // namespace passage::testing
