// Aof: the files at startup (loaded, or created), the writer attached to the propagator, and
// INFO's aof_* fields.
#include "magnetar/server/aof.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aof_base.h"
#include "aof_loader.h"
#include "info_sections.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"

namespace magnetar::server {
Aof::Aof(Server& server)
    : server_(server),
      dir_(server.config().dir + "/" + server.config().appenddirname),
      rewrite_timer_(server.loop().AddTimer([this] { OnRewriteStep(); })) {
  server.loop().SetOutputCommit([this] { return writer_ == nullptr || writer_->Commit(); });
}

Aof::~Aof() {
  // A rewrite cut short leaves the manifest as it was; its temp file is removed.
  if (rewrite_ != nullptr && rewrite_->snapshot != nullptr) rewrite_->snapshot->Abandon();
  rewrite_.reset();
  if (writer_ != nullptr) server_.propagator().RemoveSink(*writer_);
  server_.loop().SetOutputCommit(nullptr);
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
    return OpenIncr(name, kCreatedAtStart);
  }
  return OpenIncr(manifest_.files.back().name, kOpenedAtStart);
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
    // At startup nothing else runs: the walk goes in one step.
    std::unique_ptr<AofBaseJob> job = StartAofBase(server_, dir_, base, error);
    if (job != nullptr) {
      persistence::RdbFileOutcome outcome = job->RunToEnd();
      if (!outcome.ok) error = outcome.error;
    }
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
  return OpenIncr(incr, kCreatedAtStart);
}

bool Aof::OpenIncr(const std::string& name, IncrOpening opening) {
  constexpr std::string_view kLogText[] = {"Creating AOF incr file {} on server start",
                                           "Opening AOF incr file {} on server start",
                                           "Creating AOF incr file {} on background rewrite",
                                           "Creating AOF incr file {} on background rewrite"};
  spdlog::info(fmt::runtime(kLogText[static_cast<int>(opening)]), name);
  // A temporary incr file left by a crash holds nothing anyone needs.
  const int truncate = opening == kTempForEnabling ? O_TRUNC : 0;
  std::string path = dir_ + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | truncate, 0644);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0) {
    spdlog::warn("Can't open the append-only file {}: {}", name, std::strerror(errno));
    if (fd >= 0) close(fd);
    return false;
  }
  if (opening == kCreatedAtStart || opening == kCreatedForRewrite) {
    std::string error = WriteAofManifest(dir_, AofManifestName(server_.config()), manifest_);
    if (!error.empty()) {
      spdlog::warn("{}", error);
      close(fd);
      return false;
    }
  }
  // The previous incr file (a rewrite's) gets its last writes and its fsync as it goes.
  if (writer_ != nullptr) server_.propagator().RemoveSink(*writer_);
  writer_ = std::make_unique<AofWriter>(fd, static_cast<uint64_t>(info.st_size), server_.config(),
                                        static_cast<AofWriterHost&>(*this));
  // Whatever the stream selected before, the file's next write must say its database.
  server_.propagator().ForgetSelectedDb();
  server_.propagator().AddSink(*writer_);
  return true;
}

void Aof::AppendInfo(std::string& out) const {
  info::Field(out, "aof_enabled", writer_ != nullptr ? 1 : 0);
  info::Field(out, "aof_rewrite_in_progress", rewrite_ != nullptr ? 1 : 0);
  info::Field(out, "aof_rewrite_scheduled", 0);
  info::Field(out, "aof_last_rewrite_time_sec", last_rewrite_seconds_);
  info::Field(out, "aof_current_rewrite_time_sec",
              rewrite_ != nullptr ? (MonotonicUs() - rewrite_->start_us) / 1'000'000 : -1);
  info::Field(out, "aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  info::Field(out, "aof_rewrites", rewrites_);
  info::Field(out, "aof_rewrites_consecutive_failures", consecutive_failures_);
  info::Field(out, "aof_last_write_status", RefusesWrites() ? "err" : "ok");
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
  info::Field(out, "aof_pending_bio_fsync", writer_->fsync_running() ? 1 : 0);
  info::Field(out, "aof_delayed_fsync", writer_->delayed_fsyncs());
}

void Aof::Cron() {
  if (writer_ != nullptr) writer_->Cron();
}

std::string Aof::WriteErrorText() const {
  return fmt::format("MISCONF Errors writing to the AOF file: {}",
                     std::strerror(writer_ != nullptr ? writer_->error_number() : 0));
}

void Aof::HoldOutput() { server_.loop().HoldOutput(); }

bool Aof::SnapshotWriting() const {
  return rewrite_ != nullptr || server_.rdb_saver().background_save_running();
}

}  // namespace magnetar::server
