// A directory of its own for a test's files (dumps, AOF directories), removed at the end.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace magnetar::e2e {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "magnetar-persist-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string file(std::string_view name = "dump.rdb") const {
    return path_ + "/" + std::string(name);
  }

 private:
  std::string path_;
};

}  // namespace magnetar::e2e
