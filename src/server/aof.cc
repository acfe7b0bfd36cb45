// Aof: the files at startup (loaded, or created), the writer attached to the propagator, and
// INFO's aof_* fields.
#include "magnetar/server/aof.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aof_loader.h"
#include "info_sections.h"
#include "magnetar/engine/snapshot.h"
#include "magnetar/persistence/rdb_file_writer.h"
#include "magnetar/persistence/rdb_snapshot.h"
#include "magnetar/server/server.h"
#include "magnetar/server/version.h"

namespace magnetar::server {
namespace {

// Writes the whole dataset as an RDB base file, through the snapshot machinery the RDB saves
// use. With aux field aof-base 1, as Redis marks its base files.
std::string WriteRdbBase(Server& server, const std::string& dir, const std::string& name) {
  const Config& config = server.config();
  std::string error;
  std::unique_ptr<persistence::RdbFileWriter> file =
      persistence::RdbFileWriter::Open(dir, name, config.rdbchecksum, error);
  if (file == nullptr) return error;
  persistence::RdbSnapshotOptions options;
  options.compress = config.rdbcompression;
  options.aux = {
      {"redis-ver", std::string(kRedisVersion)},
      {"redis-bits", "64"},
      {"ctime", std::to_string(server.clock().NowMs() / 1000)},
      {"used-mem", std::to_string(server.memory_gauge().Used())},
      {"aof-base", "1"},
  };
  persistence::RdbSnapshotSink sink(server.keyspace(), *file, std::move(options));
  sink.Begin();
  {
    engine::Snapshot snapshot(server.keyspace(), sink);
    while (!snapshot.Step(INT64_MAX)) {
    }
  }
  sink.Finish();
  file->Finish();
  persistence::RdbFileOutcome outcome = file->Wait();
  return outcome.ok ? std::string() : outcome.error;
}

}  // namespace

Aof::Aof(Server& server)
    : server_(server), dir_(server.config().dir + "/" + server.config().appenddirname) {}

Aof::~Aof() {
  if (writer_ != nullptr) server_.propagator().RemoveSink(*writer_);
}

bool Aof::Start() {
  const Config& config = server_.config();
  if (!config.appendonly) return true;
  std::string manifest_name = AofManifestName(config);
  std::optional<std::string> text = ReadWholeFile(dir_ + "/" + manifest_name);
  if (!text) {
    // Redis 7.0 with appendonly yes loads the AOF only, never dump.rdb: without a manifest the
    // dataset starts empty and becomes the first base.
    return Create();
  }
  std::string error;
  std::optional<AofManifest> manifest = AofManifest::Parse(*text, error);
  if (!manifest) {
    spdlog::warn("{}", error);
    return false;
  }
  manifest_ = std::move(*manifest);
  if (!LoadAofFiles(server_, dir_, manifest_)) return false;
  if (manifest_.last_incr_seq() == 0) {
    int64_t seq = 1;
    std::string name = AofIncrName(config, seq);
    manifest_.files.push_back({name, seq, AofManifest::Type::kIncr});
    return OpenIncr(name, /*created=*/true);
  }
  return OpenIncr(manifest_.files.back().name, /*created=*/false);
}

bool Aof::Create() {
  const Config& config = server_.config();
  if (mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    spdlog::warn("Can't open or create append-only dir {}: {}", config.appenddirname,
                 std::strerror(errno));
    return false;
  }
  std::string base = AofBaseName(config, 1, config.aof_use_rdb_preamble);
  spdlog::info("Creating AOF base file {} on server start", base);
  std::string error;
  if (config.aof_use_rdb_preamble) {
    error = WriteRdbBase(server_, dir_, base);
  } else {
    // A command base of an empty dataset is an empty file.
    int fd = open((dir_ + "/" + base).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || fsync(fd) != 0) error = std::strerror(errno);
    if (fd >= 0) close(fd);
  }
  if (!error.empty()) {
    spdlog::warn("Can't create the AOF base file {}: {}", base, error);
    return false;
  }
  manifest_.files = {{base, 1, AofManifest::Type::kBase}};
  std::string incr = AofIncrName(config, 1);
  manifest_.files.push_back({incr, 1, AofManifest::Type::kIncr});
  return OpenIncr(incr, /*created=*/true);
}

bool Aof::OpenIncr(const std::string& name, bool created) {
  spdlog::info("{} AOF incr file {} on server start", created ? "Creating" : "Opening", name);
  std::string path = dir_ + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0) {
    spdlog::warn("Can't open the append-only file {}: {}", name, std::strerror(errno));
    if (fd >= 0) close(fd);
    return false;
  }
  if (created) {
    std::string error = WriteAofManifest(dir_, AofManifestName(server_.config()), manifest_);
    if (!error.empty()) {
      spdlog::warn("{}", error);
      close(fd);
      return false;
    }
  }
  writer_ = std::make_unique<AofWriter>(fd, static_cast<uint64_t>(info.st_size), server_.config());
  // Whatever the stream selected before, the file's next write must say its database.
  server_.propagator().ForgetSelectedDb();
  server_.propagator().AddSink(*writer_);
  return true;
}

void Aof::AppendInfo(std::string& out) const {
  info::Field(out, "aof_enabled", writer_ != nullptr ? 1 : 0);
  info::Field(out, "aof_rewrite_in_progress", 0);
  info::Field(out, "aof_rewrite_scheduled", 0);
  info::Field(out, "aof_last_rewrite_time_sec", -1);
  info::Field(out, "aof_current_rewrite_time_sec", -1);
  info::Field(out, "aof_last_bgrewrite_status", "ok");
  info::Field(out, "aof_rewrites", 0);
  info::Field(out, "aof_rewrites_consecutive_failures", 0);
  info::Field(out, "aof_last_write_status",
              writer_ == nullptr || writer_->last_write_ok() ? "ok" : "err");
  info::Field(out, "aof_last_cow_size", 0);
  info::Field(out, "module_fork_in_progress", 0);
  info::Field(out, "module_fork_last_cow_size", 0);
  if (writer_ == nullptr) return;
  uint64_t base_size = 0;
  if (const AofManifest::File* base = manifest_.base()) {
    struct stat info;
    if (stat((dir_ + "/" + base->name).c_str(), &info) == 0) {
      base_size = static_cast<uint64_t>(info.st_size);
    }
  }
  info::Field(out, "aof_current_size", base_size + writer_->size());
  info::Field(out, "aof_base_size", base_size);
  info::Field(out, "aof_pending_rewrite", 0);
  info::Field(out, "aof_buffer_length", writer_->pending());
  info::Field(out, "aof_pending_bio_fsync", 0);
  info::Field(out, "aof_delayed_fsync", 0);
}

}  // namespace magnetar::server
