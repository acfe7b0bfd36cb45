// Helpers for the configuration tests: a scratch directory for configuration files, and
// ParseCommandLine called with a list of strings.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "magnetar/server/config.h"

namespace magnetar::server::test {

// A directory removed with everything in it when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "magnetar-config-XXXXXX");
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
    // Resolved the way the loader resolves `dir`, so paths compare equal.
    path_ = std::filesystem::canonical(path_).string();
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `content` to `name` inside the directory and returns the file's path.
  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

  std::string Read(const std::string& name) const {
    std::ifstream file(path_ + "/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  }

 private:
  std::string path_;
};

// ParseCommandLine({"magnetar-server", ...}).
inline CommandLine Parse(std::initializer_list<std::string> args) {
  std::vector<std::string> storage = {"magnetar-server"};
  storage.insert(storage.end(), args);
  std::vector<const char*> argv;
  for (const std::string& arg : storage) argv.push_back(arg.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

// The message of the ConfigError ParseCommandLine throws, or "<no error>".
inline std::string ParseError(std::initializer_list<std::string> args) {
  try {
    Parse(args);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "<no error>";
}

}  // namespace magnetar::server::test
