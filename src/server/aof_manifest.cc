// The AOF manifest's text and its atomic replacement. Format facts from Redis 7.0.15's files:
// `file appendonly.aof.1.base.rdb seq 1 type b\n` then one such line per incr file (type i);
// the fields are name/value pairs, so a reader takes them in any order.
#include "magnetar/server/aof_manifest.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "magnetar/common/numbers.h"

namespace magnetar::server {
namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < line.size()) {
    size_t end = line.find(' ', at);
    if (end == std::string_view::npos) end = line.size();
    if (end > at) words.push_back(line.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

std::string Errno(std::string_view what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

}  // namespace

std::string AofManifest::Format() const {
  std::string text;
  for (const File& file : files) {
    fmt::format_to(std::back_inserter(text), "file {} seq {} type {}\n", file.name, file.seq,
                   static_cast<char>(file.type));
  }
  return text;
}

std::optional<AofManifest> AofManifest::Parse(std::string_view text, std::string& error) {
  AofManifest manifest;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> words = Words(line);
    if (words.size() % 2 != 0) {
      error = fmt::format("Invalid AOF manifest file format: '{}'", line);
      return std::nullopt;
    }
    File file;
    std::string_view type;
    for (size_t i = 0; i < words.size(); i += 2) {
      if (words[i] == "file") file.name = std::string(words[i + 1]);
      if (words[i] == "seq") file.seq = ParseInt64(words[i + 1]).value_or(0);
      if (words[i] == "type") type = words[i + 1];
    }
    if (file.name.empty() || file.seq <= 0 || type.size() != 1 ||
        std::string_view("bhi").find(type[0]) == std::string_view::npos) {
      error = fmt::format("Invalid AOF manifest file format: '{}'", line);
      return std::nullopt;
    }
    file.type = static_cast<Type>(type[0]);
    if (file.type == Type::kBase && manifest.base() != nullptr) {
      error = "Found duplicate base file information";
      return std::nullopt;
    }
    manifest.files.push_back(std::move(file));
  }
  // History files are leftovers of a rewrite and are not loaded; the base goes first.
  std::erase_if(manifest.files, [](const File& file) { return file.type == Type::kHistory; });
  std::stable_partition(manifest.files.begin(), manifest.files.end(),
                        [](const File& file) { return file.type == Type::kBase; });
  return manifest;
}

const AofManifest::File* AofManifest::base() const {
  auto it = std::find_if(files.begin(), files.end(),
                         [](const File& file) { return file.type == Type::kBase; });
  return it == files.end() ? nullptr : &*it;
}

int64_t AofManifest::last_incr_seq() const {
  int64_t seq = 0;
  for (const File& file : files) {
    if (file.type == Type::kIncr) seq = std::max(seq, file.seq);
  }
  return seq;
}

std::string AofManifestName(const Config& config) { return config.appendfilename + ".manifest"; }

std::string AofBaseName(const Config& config, int64_t seq, bool rdb_preamble) {
  return fmt::format("{}.{}.base.{}", config.appendfilename, seq, rdb_preamble ? "rdb" : "aof");
}

std::string AofIncrName(const Config& config, int64_t seq) {
  return fmt::format("{}.{}.incr.aof", config.appendfilename, seq);
}

std::string WriteAofManifest(const std::string& dir, const std::string& name,
                             const AofManifest& manifest) {
  std::string temp = fmt::format("{}/temp-{}", dir, name);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("Can't open the AOF manifest file " + temp);
  std::string text = manifest.Format();
  bool ok =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  std::string error = ok ? std::string() : Errno("Can't write the AOF manifest file " + temp);
  close(fd);
  if (ok && rename(temp.c_str(), (dir + "/" + name).c_str()) != 0) {
    error = Errno("Can't rename the temp AOF manifest file to " + name);
  }
  if (!error.empty()) {
    unlink(temp.c_str());
    return error;
  }
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return {};
}

}  // namespace magnetar::server
