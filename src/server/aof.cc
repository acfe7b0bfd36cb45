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
#include "magnetar/server/server.h"

namespace magnetar::server {
namespace {

bool IsRegularFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

bool IsDirectory(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

uint64_t FileSize(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

}  // namespace

Aof::Aof(Server& server)
    : server_(server),
      dir_(server.config().dir + "/" + server.config().appenddirname),
      rewrite_timer_(server.loop().AddTimer([this] { OnRewriteStep(); })) {
  server.loop().SetOutputCommit([this] { CommitBatch(); });
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
  AofManifest on_disk;
  if (std::optional<std::string> text = ReadWholeFile(dir_ + "/" + AofManifestName(config))) {
    std::string error;
    std::optional<AofManifest> manifest = AofManifest::Parse(*text, error);
    if (!manifest) {
      spdlog::warn("{}", error);
      return false;
    }
    on_disk = std::move(*manifest);
  }
  if (NeedsLegacyUpgrade(on_disk)) {
    if (!UpgradeLegacyFile()) return false;
  } else if (on_disk.files.empty()) {
    // Redis 7.0 with appendonly yes loads the AOF only, never dump.rdb: without a manifest the
    // dataset starts empty and becomes the first base.
    return Create();
  } else {
    manifest_ = std::move(on_disk);
  }
  if (!LoadAofFiles(server_, dir_, manifest_)) return false;
  bool opened;
  if (manifest_.last_incr_seq() == 0) {
    int64_t seq = 1;
    std::string name = AofIncrName(config, seq);
    manifest_.files.push_back({name, seq, AofManifest::Type::kIncr});
    opened = OpenIncr(name, kCreatedAtStart);
  } else {
    opened = OpenIncr(manifest_.files.back().name, kOpenedAtStart);
  }
  if (!opened) return false;
  CountClosedFiles();
  rewrite_base_size_ = CurrentSize();
  return true;
}

bool Aof::NeedsLegacyUpgrade(const AofManifest& on_disk) const {
  const Config& config = server_.config();
  if (!IsRegularFile(config.dir + "/" + config.appendfilename)) return false;
  if (!IsDirectory(dir_) || on_disk.files.empty()) return true;
  // An upgrade that wrote its manifest and stopped before moving the file.
  const AofManifest::File* base = on_disk.base();
  return on_disk.files.size() == 1 && base != nullptr && base->name == config.appendfilename &&
         !IsRegularFile(dir_ + "/" + config.appendfilename);
}

bool Aof::UpgradeLegacyFile() {
  const Config& config = server_.config();
  if (!CreateDir()) return false;
  // The manifest first: a crash before the move leaves the file where the next start looks.
  manifest_.files = {{config.appendfilename, 1, AofManifest::Type::kBase}};
  std::string error = WriteAofManifest(dir_, AofManifestName(config), manifest_);
  if (!error.empty()) {
    spdlog::warn("{}", error);
    return false;
  }
  std::string from = config.dir + "/" + config.appendfilename;
  if (rename(from.c_str(), (dir_ + "/" + config.appendfilename).c_str()) != 0) {
    spdlog::warn("Error trying to move the old AOF file {} into dir {}: {}", config.appendfilename,
                 config.appenddirname, std::strerror(errno));
    return false;
  }
  spdlog::info("Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
               config.appendfilename, config.appenddirname);
  return true;
}

bool Aof::CreateDir() const {
  if (mkdir(dir_.c_str(), 0755) == 0 || errno == EEXIST) return true;
  spdlog::warn("Can't open or create append-only dir {}: {}", server_.config().appenddirname,
               std::strerror(errno));
  return false;
}

// The sizes stay 0, as Redis's do: the base created here is not counted in aof_current_size
// until the next load or rewrite.
bool Aof::Create() {
  const Config& config = server_.config();
  if (!CreateDir()) return false;
  std::string base = AofBaseName(config, 1, config.aof_use_rdb_preamble);
  spdlog::info("Creating AOF base file {} on server start", base);
  std::string error;
  // At startup nothing else runs: the walk goes in one step.
  std::unique_ptr<AofBaseJob> job = StartAofBase(server_, dir_, base, error);
  if (job != nullptr) {
    persistence::RdbFileOutcome outcome = job->RunToEnd();
    if (!outcome.ok) error = outcome.error;
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
  info::Field(out, "aof_enabled", writer_ != nullptr || rewrite_scheduled_ ? 1 : 0);
  info::Field(out, "aof_rewrite_in_progress", rewrite_ != nullptr ? 1 : 0);
  info::Field(out, "aof_rewrite_scheduled", rewrite_scheduled_ ? 1 : 0);
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
  info::Field(out, "aof_current_size", CurrentSize());
  info::Field(out, "aof_base_size", rewrite_base_size_);
  info::Field(out, "aof_pending_rewrite", 0);
  info::Field(out, "aof_buffer_length", writer_->pending());
  info::Field(out, "aof_pending_bio_fsync", writer_->fsync_running() ? 1 : 0);
  info::Field(out, "aof_delayed_fsync", writer_->delayed_fsyncs());
}

void Aof::CountClosedFiles() {
  closed_files_size_ = 0;
  // The last file is the incr file the writer appends to.
  for (size_t i = 0; i + 1 < manifest_.files.size(); ++i) {
    closed_files_size_ += FileSize(dir_ + "/" + manifest_.files[i].name);
  }
}

uint64_t Aof::CurrentSize() const {
  return closed_files_size_ + (writer_ != nullptr ? writer_->size() : 0);
}

void Aof::Cron() {
  if (writer_ != nullptr) writer_->Cron();
  RewriteCron();
}

}  // namespace magnetar::server
