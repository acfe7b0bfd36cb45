#include "aof_loader.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>
#include <vector>

#include "dispatcher.h"
#include "magnetar/common/clock.h"
#include "magnetar/net/connection.h"
#include "magnetar/persistence/rdb_loader.h"
#include "magnetar/resp/request_parser.h"
#include "magnetar/server/client.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"

namespace magnetar::server {
namespace {

// Redis's id for its AOF client; no connection ever gets it.
constexpr uint64_t kAofClientId = UINT64_MAX;
// How often the replay reports its progress, which lets the loop answer clients (-LOADING).
constexpr uint64_t kCommandsPerProgress = 1024;

// Reports how far into the file being loaded the load is, in bytes.
using LoadReport = std::function<void(uint64_t)>;

// The replaying client's connection: replies are dropped, nothing is ever sent.
class ReplayConnection final : public net::Connection {
 public:
  explicit ReplayConnection(const net::ConnectionLimits& limits) : Connection(limits) {
    peer_address_ = "aof";
    is_unix_ = true;  // local: a DEBUG command in the file runs under enable-debug-command local
  }
  void Close(std::string_view) override {}
  void ScheduleFlush() override {}
  void DropReplies() { reply_.buffer().clear(); }
};

double SecondsSince(int64_t start_us) {
  return static_cast<double>(MonotonicUs() - start_us) / 1e6;
}

// Loads the RDB part a file starts with: where it ends (RESP commands may follow), or null when
// it cannot be loaded. An old-style file (Redis 6's single AOF, named appendfilename) calls it
// a preamble, as Redis's log does.
std::optional<uint64_t> LoadRdbPart(Server& server, const std::string& path,
                                    const std::string& name, bool old_style,
                                    const LoadReport& progress) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("Fatal error: can't open the AOF base file {}: {}", name, std::strerror(errno));
    return std::nullopt;
  }
  struct stat info;
  uint64_t size = fstat(fd, &info) == 0 ? static_cast<uint64_t>(info.st_size) : UINT64_MAX;
  spdlog::info("{}", old_style ? "Reading RDB preamble from AOF file..."
                               : "Reading RDB base file on AOF loading...");
  persistence::FileRdbInput input(fd, size);
  persistence::RdbLoadOptions options;
  options.now_ms = server.clock().NowMs();
  // As Redis: the base keeps keys past their deadline, which the incr files may still change
  // (a PERSIST made before the deadline); they expire once the AOF is loaded.
  options.skip_expired = false;
  options.progress = progress;
  persistence::RdbLoadResult result = persistence::LoadRdb(input, server.keyspace(), options);
  close(fd);
  if (!result.ok) {
    spdlog::warn("{}", result.error);
    constexpr std::string_view kPreambleError =
        "Error reading the RDB preamble of the AOF file {}, AOF loading aborted";
    constexpr std::string_view kBaseError =
        "Error reading the RDB base file {}, AOF loading aborted";
    spdlog::warn(fmt::runtime(old_style ? kPreambleError : kBaseError), name);
    return std::nullopt;
  }
  for (const auto& [key, value] : result.aux) {
    if (key == "redis-ver") spdlog::info("Loading RDB produced by version {}", value);
    if (key == "aof-base" && value == "1") spdlog::info("RDB is base AOF");
  }
  spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", result.keys_loaded,
               result.keys_expired);
  if (old_style) spdlog::info("Reading the remaining AOF tail...");
  return input.Consumed();
}

std::string UnexpectedEndText(const std::string& name) {
  return fmt::format(
      "Unexpected end of file reading the append only file {}. You can: 1) Make a backup of your "
      "AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can "
      "set the 'aof-load-truncated' configuration option to yes and restart the server.",
      name);
}

// A file read forward in blocks: what has not been consumed stays in memory, so replaying an AOF
// of any size holds one block (or one command, when a command is bigger) rather than the file.
class FileWindow {
 public:
  FileWindow(int fd, uint64_t offset) : fd_(fd), base_(offset) {}
  ~FileWindow() { close(fd_); }

  // The bytes not consumed yet.
  std::string_view rest() const { return std::string_view(buffer_).substr(begin_); }
  void Consume(size_t bytes) { begin_ += bytes; }
  // The file offset of rest().
  uint64_t position() const { return base_ + begin_; }
  // Reads the next block after rest(); false at the end of the file (or on a read error).
  bool ReadMore() {
    constexpr size_t kBlockBytes = 1 << 20;
    buffer_.erase(0, begin_);
    base_ += begin_;
    begin_ = 0;
    const size_t held = buffer_.size();
    buffer_.resize(held + kBlockBytes);
    ssize_t n = pread(fd_, buffer_.data() + held, kBlockBytes, static_cast<off_t>(base_ + held));
    buffer_.resize(held + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    return n > 0;
  }

 private:
  int fd_;
  uint64_t base_;  // the file offset of buffer_[0]
  std::string buffer_;
  size_t begin_ = 0;  // buffer_[begin_, end) is not consumed
};

// Replays the RESP commands of one file from `offset` (past an RDB part). `last` is the
// manifest's last file, the only one whose tail a crash can have torn.
bool ReplayCommands(Server& server, const std::string& path, const std::string& name, bool last,
                    uint64_t offset, const LoadReport& progress) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("Fatal error: can't open the append only file {}: {}", name, std::strerror(errno));
    return false;
  }
  FileWindow file(fd, offset);

  net::ConnectionLimits limits;
  limits.parser.max_bulk_len = server.config().proto_max_bulk_len;
  limits.parser.max_query_buffer = SIZE_MAX;
  ReplayConnection connection(limits);
  Client client(server, connection, kAofClientId);
  client.authenticated = true;
  client.replays_aof = true;
  resp::RequestParser parser(limits.parser);
  uint64_t complete = offset;  // where the last command outside a MULTI ended
  uint64_t replayed = 0;
  bool torn = false;
  while (!file.rest().empty() || file.ReadMore()) {
    std::string_view rest = file.rest();
    if (rest.front() == '#') {  // an aof-timestamp-enabled annotation: skipped
      size_t end = rest.find('\n');
      if (end == std::string_view::npos) {
        if (file.ReadMore()) continue;
        torn = true;
        break;
      }
      file.Consume(end + 1);
      if (!client.transaction.active()) complete = file.position();
      continue;
    }
    resp::ParseStatus status = rest.front() == '*' ? parser.Parse(rest) : resp::ParseStatus::kError;
    if (status == resp::ParseStatus::kNeedMore) {
      if (file.ReadMore()) continue;  // the parser goes on from where it stopped
      torn = true;
      break;
    }
    if (status != resp::ParseStatus::kRequest) {
      spdlog::warn(
          "Bad file format reading the append only file {}: make a backup of your AOF "
          "file, then use ./redis-check-aof --fix <filename.manifest>",
          name);
      return false;
    }
    std::span<const std::string_view> args = parser.args();
    if (server.registry().Find(args[0]) == nullptr) {
      spdlog::warn("Unknown command '{}' reading the append only file {}", args[0], name);
      return false;
    }
    Dispatch(server, client, args, MonotonicUs());
    connection.DropReplies();
    file.Consume(parser.consumed());
    if (++replayed % kCommandsPerProgress == 0) progress(file.position());
    if (!client.transaction.active()) complete = file.position();
  }
  // A MULTI without its EXEC was cut by the crash too: its commands stay queued, never run.
  if (client.transaction.active()) torn = true;
  if (!torn) return true;
  if (!last || !server.config().aof_load_truncated) {
    spdlog::warn("{}", UnexpectedEndText(name));
    return false;
  }
  spdlog::warn("!!! Warning: short read while loading the AOF file {}!!!", name);
  spdlog::warn("!!! Truncating the AOF {} at offset {} !!!", name, complete);
  if (truncate(path.c_str(), static_cast<off_t>(complete)) != 0) {
    spdlog::warn("Error truncating the AOF file {}: {}", name, std::strerror(errno));
    return false;
  }
  spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
  return true;
}

// A file holds an RDB part when it starts as one, whatever its name says.
bool StartsAsRdb(const std::string& path) {
  char magic[5] = {};
  std::ifstream file(path, std::ios::binary);
  return file.read(magic, sizeof magic) && std::string_view(magic, 5) == "REDIS";
}

// One file of the manifest: its RDB part if it has one (a base, or an old-style file with an
// RDB preamble), then the RESP commands after it, as Redis reads any of them.
bool LoadFile(Server& server, const std::string& path, const std::string& name, bool last,
              const LoadReport& progress) {
  uint64_t offset = 0;
  if (StartsAsRdb(path)) {
    const bool old_style = name == server.config().appendfilename;
    std::optional<uint64_t> end = LoadRdbPart(server, path, name, old_style, progress);
    if (!end) return false;
    offset = *end;
  }
  return ReplayCommands(server, path, name, last, offset, progress);
}

}  // namespace

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream content;
  content << file.rdbuf();
  return std::move(content).str();
}

bool LoadAofFiles(Server& server, const std::string& dir, const AofManifest& manifest) {
  const int64_t start_us = MonotonicUs();
  std::vector<uint64_t> sizes;
  for (const AofManifest::File& file : manifest.files) {
    struct stat info;
    sizes.push_back(stat((dir + "/" + file.name).c_str(), &info) == 0
                        ? static_cast<uint64_t>(info.st_size)
                        : 0);
  }
  RdbSaver& saver = server.rdb_saver();
  saver.BeginStartupLoad(std::accumulate(sizes.begin(), sizes.end(), uint64_t{0}));
  uint64_t loaded = 0;  // the bytes of the files before the one loading
  const LoadReport progress = [&](uint64_t in_file) {
    saver.StartupLoadProgress(loaded + in_file);
  };
  bool ok = true;
  for (size_t i = 0; ok && i < manifest.files.size(); ++i) {
    const AofManifest::File& file = manifest.files[i];
    const bool base = file.type == AofManifest::Type::kBase;
    const int64_t file_start_us = MonotonicUs();
    bool last = i + 1 == manifest.files.size();
    ok = LoadFile(server, dir + "/" + file.name, file.name, last, progress);
    if (ok) {
      spdlog::info("DB loaded from {} file {}: {:.3f} seconds", base ? "base" : "incr", file.name,
                   SecondsSince(file_start_us));
    }
    loaded += sizes[i];
  }
  saver.EndStartupLoad();
  if (!ok) return false;
  spdlog::info("DB loaded from append only file: {:.3f} seconds", SecondsSince(start_us));
  // What was just loaded is what is on disk.
  server.keyspace().ResetDirty();
  return true;
}

}  // namespace magnetar::server
