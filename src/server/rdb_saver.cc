#include "magnetar/server/rdb_saver.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "info_sections.h"
#include "magnetar/common/clock.h"
#include "magnetar/persistence/rdb_loader.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "snapshot_file_job.h"

namespace magnetar::server {
namespace {

// Redis retries a failed background save after this many seconds (CONFIG_BGSAVE_RETRY_DELAY).
constexpr int64_t kRetryDelaySeconds = 5;

int64_t UnixSeconds(const Server& server) { return server.clock().NowMs() / 1000; }

std::string RdbPath(const Config& config) { return config.dir + "/" + config.dbfilename; }

}  // namespace

struct RdbSaver::Job : SnapshotFileJob {
  uint64_t dirty_at_start = 0;
  uint64_t keys_at_start = 0;
  size_t most_ahead_bytes = 0;
};

RdbSaver::RdbSaver(Server& server)
    : server_(server),
      step_timer_(server.loop().AddTimer([this] { OnStep(); })),
      last_save_time_(UnixSeconds(server)) {}

RdbSaver::~RdbSaver() = default;

std::unique_ptr<RdbSaver::Job> RdbSaver::NewJob(std::string& error) {
  const Config& config = server_.config();
  persistence::RdbSnapshotOptions options = RdbOptions(server_);
  options.aux.insert(options.aux.end(),
                     {{"repl-stream-db", "0"},
                      {"repl-id", server_.replication().replid()},
                      {"repl-offset", std::to_string(server_.replication().offset())},
                      {"aof-base", "0"}});
  auto job = std::make_unique<Job>();
  if (!job->Start(server_, config.dir, config.dbfilename, std::move(options),
                  config.rdb_save_incremental_fsync, error)) {
    spdlog::warn(
        "Failed opening the temp RDB file temp-{}.rdb (in server root dir {}) for "
        "saving: {}",
        getpid(), config.dir, error);
    return nullptr;
  }
  job->dirty_at_start = server_.keyspace().dirty();
  for (size_t i = 0; i < server_.keyspace().database_count(); ++i) {
    job->keys_at_start += server_.keyspace().db(i).Size();
  }
  return job;
}

std::string RdbSaver::RequestBackgroundSave(bool schedule, bool in_exec, bool& scheduled) {
  scheduled = false;
  if (job_ != nullptr) return "ERR Background save already in progress";
  if (in_exec || server_.aof().rewrite_running()) {
    if (!schedule && !in_exec) {
      return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
             "SCHEDULE in order to schedule a BGSAVE whenever possible.";
    }
    scheduled = bgsave_scheduled_ = true;
    return {};
  }
  return StartBackgroundSave();
}

std::string RdbSaver::StartBackgroundSave() {
  if (job_ != nullptr) return "ERR Background save already in progress";
  last_bgsave_try_ = UnixSeconds(server_);
  std::string error;
  job_ = NewJob(error);
  if (job_ == nullptr) {
    // Redis's child fails the same way after BGSAVE has answered: the status records it.
    last_bgsave_ok_ = false;
    return {};
  }
  spdlog::info("Background saving started");
  server_.loop().ArmTimer(step_timer_, 0);
  return {};
}

void RdbSaver::OnStep() {
  if (job_ == nullptr) return;
  Job& job = *job_;
  int64_t next_delay_ms;
  if (std::optional<persistence::RdbFileOutcome> outcome = job.Advance(next_delay_ms)) {
    Record(*outcome, job, /*background=*/true, /*counted=*/true);
    job_.reset();
    return;
  }
  job.most_ahead_bytes = std::max(job.most_ahead_bytes, job.sink->ahead_bytes());
  server_.loop().ArmTimer(step_timer_, next_delay_ms);
}

std::string RdbSaver::SaveNow(bool refuse_if_busy, bool counted) {
  if (job_ != nullptr) {
    if (refuse_if_busy) return "ERR Background save already in progress";
    AbortBackgroundSave();
  }
  std::string error;
  std::unique_ptr<Job> job = NewJob(error);
  if (job == nullptr) return "ERR";
  persistence::RdbFileOutcome outcome = job->RunToEnd();
  Record(outcome, *job, /*background=*/false, counted);
  return outcome.ok ? std::string() : "ERR";
}

void RdbSaver::StopWriting() {
  if (job_ != nullptr && job_->snapshot != nullptr) job_->snapshot->Abandon();
}

void RdbSaver::AbortBackgroundSave() {
  if (job_ == nullptr) return;
  if (job_->snapshot != nullptr) job_->snapshot->Abandon();
  job_.reset();  // the file thread removes its temp file
  // Not a failure: Redis stops its child with a signal that leaves the status as it was.
  spdlog::warn("Background saving terminated by the server");
}

void RdbSaver::Record(const persistence::RdbFileOutcome& outcome, const Job& job, bool background,
                      bool counted) {
  int64_t seconds = (MonotonicUs() - job.start_us) / 1'000'000;
  engine::Keyspace& keyspace = server_.keyspace();
  if (!outcome.ok) {
    spdlog::warn("Write error saving DB on disk: {}", outcome.error);
    if (background) {
      last_bgsave_ok_ = false;
      last_bgsave_seconds_ = seconds;
      spdlog::warn("Background saving error");
    }
    return;
  }
  // Changes made while a background save ran are not in the file: they still count.
  uint64_t dirty = keyspace.dirty();
  keyspace.ResetDirty();
  if (background) keyspace.AddDirty(dirty - job.dirty_at_start);
  last_save_time_ = UnixSeconds(server_);
  last_bgsave_ok_ = true;
  last_ahead_bytes_ = job.most_ahead_bytes;
  if (counted) ++saves_;
  if (background) {
    last_bgsave_seconds_ = seconds;
    spdlog::info("Background saving terminated with success");
  } else {
    spdlog::info("DB saved on disk");
  }
}

void RdbSaver::Cron() {
  // As Redis runs one child at a time, a save waits for an AOF rewrite to end.
  if (job_ != nullptr || server_.aof().rewrite_running()) return;
  int64_t now = UnixSeconds(server_);
  uint64_t dirty = server_.keyspace().dirty();
  // After a failure, retry only once the delay has passed, whatever asked for the save.
  const bool may_retry = last_bgsave_ok_ || now - last_bgsave_try_ > kRetryDelaySeconds;
  if (bgsave_scheduled_ && may_retry) {
    StartBackgroundSave();
    bgsave_scheduled_ = job_ == nullptr;  // a save that could not start is tried again
    return;
  }
  for (const Config::SavePoint& point : server_.config().save) {
    if (dirty >= static_cast<uint64_t>(point.changes) && now - last_save_time_ > point.seconds &&
        may_retry) {
      spdlog::info("{} changes in {} seconds. Saving...", point.changes, point.seconds);
      StartBackgroundSave();
      return;
    }
  }
}

bool RdbSaver::RefusesWrites() const {
  const Config& config = server_.config();
  return config.stop_writes_on_bgsave_error && !config.save.empty() && !last_bgsave_ok_;
}

bool RdbSaver::LoadAtStartup() { return Load(/*at_startup=*/true).empty(); }

void RdbSaver::BeginStartupLoad(uint64_t total_bytes) {
  load_ = {true, UnixSeconds(server_), total_bytes, 0, 0};
}

void RdbSaver::StartupLoadProgress(uint64_t loaded_bytes) {
  load_.loaded_bytes = loaded_bytes;
  // Before the loop runs, clients that connect are answered (-LOADING, INFO) between chunks.
  server_.loop().Poll();
  if (server_.shutting_down()) throw ShutdownDuringLoad{};
}

std::string RdbSaver::Reload(bool save, bool flush) {
  if (save && !SaveNow(/*refuse_if_busy=*/false).empty()) return "ERR Error trying to save the DB";
  engine::Keyspace& keyspace = server_.keyspace();
  if (flush) {
    for (size_t i = 0; i < keyspace.database_count(); ++i) keyspace.db(i).Clear();
  }
  keyspace.ResetDirty();
  std::string error = Load(/*at_startup=*/false);
  if (!error.empty()) return "ERR Error trying to load the RDB dump, check server logs.";
  return {};
}

std::string RdbSaver::Load(bool at_startup) {
  const Config& config = server_.config();
  std::string path = RdbPath(config);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    spdlog::warn("Fatal error loading the DB: {}. Exiting.", std::strerror(errno));
    return std::strerror(errno);
  }
  struct stat info;
  uint64_t size = fstat(fd, &info) == 0 ? static_cast<uint64_t>(info.st_size) : UINT64_MAX;
  int64_t start_us = MonotonicUs();
  load_ = {true, UnixSeconds(server_), size, 0, 0};
  persistence::FileRdbInput input(fd, size);
  persistence::RdbLoadOptions options;
  options.now_ms = server_.clock().NowMs();
  // A replica (or a server configured as one, which loads before it connects: replicaof_host
  // follows the role) keeps keys past their deadline, as Redis does: its primary sends their
  // deletion.
  options.skip_expired = server_.config().replicaof_host.empty();
  options.progress = [this, at_startup](uint64_t consumed) {
    if (at_startup) {
      StartupLoadProgress(consumed);
    } else {
      load_.loaded_bytes = consumed;
    }
  };
  persistence::RdbLoadResult result = persistence::LoadRdb(input, server_.keyspace(), options);
  close(fd);
  load_.loading = false;
  if (!result.ok) {
    spdlog::warn("{}", result.error);
    return result.error;
  }
  std::string repl_id;
  uint64_t repl_offset = 0;
  for (const auto& [key, value] : result.aux) {
    if (key == "repl-id") repl_id = value;
    if (key == "repl-offset") repl_offset = std::strtoull(value.c_str(), nullptr, 10);
    if (key == "redis-ver") spdlog::info("Loading RDB produced by version {}", value);
    if (key == "ctime") {
      spdlog::info("RDB age {} seconds", UnixSeconds(server_) - std::atoll(value.c_str()));
    }
    if (key == "used-mem") {
      spdlog::info("RDB memory usage when created {:.2f} Mb",
                   static_cast<double>(std::atoll(value.c_str())) / (1024 * 1024));
    }
  }
  // A file that continues a replication history lets a restarted server continue it: its
  // replicas, or its primary, resume with a partial resync.
  if (at_startup && repl_offset > 0) server_.replication().RestoreFromRdb(repl_id, repl_offset);
  last_load_keys_loaded_ = result.keys_loaded;
  last_load_keys_expired_ = result.keys_expired;
  spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", result.keys_loaded,
               result.keys_expired);
  spdlog::info("DB loaded from disk: {:.3f} seconds",
               static_cast<double>(MonotonicUs() - start_us) / 1e6);
  // What was just loaded is what is on disk.
  server_.keyspace().ResetDirty();
  last_save_time_ = UnixSeconds(server_);
  return {};
}

void RdbSaver::AppendInfo(std::string& out) const {
  int64_t now = UnixSeconds(server_);
  info::Field(out, "loading", load_.loading ? 1 : 0);
  info::Field(out, "async_loading", 0);
  if (load_.loading) {
    double fraction =
        load_.total_bytes > 0 && load_.total_bytes != UINT64_MAX
            ? static_cast<double>(load_.loaded_bytes) / static_cast<double>(load_.total_bytes)
            : 0;
    int64_t elapsed = now - load_.start_time;
    info::Field(out, "loading_start_time", load_.start_time);
    info::Field(out, "loading_total_bytes", load_.total_bytes);
    info::Field(out, "loading_rdb_used_mem", load_.rdb_used_mem);
    info::Field(out, "loading_loaded_bytes", load_.loaded_bytes);
    info::Field(out, "loading_loaded_perc", fmt::format("{:.2f}", fraction * 100));
    info::Field(out, "loading_eta_seconds",
                fraction > 0 ? static_cast<int64_t>(elapsed / fraction - elapsed) : 1);
  }
  info::Field(out, "current_cow_peak", 0);
  info::Field(out, "current_cow_size", job_ != nullptr ? job_->sink->ahead_bytes() : 0);
  info::Field(out, "current_cow_size_age", 0);
  info::Field(out, "current_fork_perc", "0.00");
  info::Field(out, "current_save_keys_processed",
              job_ != nullptr && job_->snapshot != nullptr ? job_->snapshot->written() : 0);
  info::Field(out, "current_save_keys_total", job_ != nullptr ? job_->keys_at_start : 0);
  info::Field(out, "rdb_changes_since_last_save", server_.keyspace().dirty());
  info::Field(out, "rdb_bgsave_in_progress", job_ != nullptr ? 1 : 0);
  info::Field(out, "rdb_last_save_time", last_save_time_);
  info::Field(out, "rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  info::Field(out, "rdb_last_bgsave_time_sec", last_bgsave_seconds_);
  info::Field(out, "rdb_current_bgsave_time_sec",
              job_ != nullptr ? (MonotonicUs() - job_->start_us) / 1'000'000 : -1);
  info::Field(out, "rdb_saves", saves_);
  info::Field(out, "rdb_last_cow_size", last_ahead_bytes_);
  info::Field(out, "rdb_last_load_keys_expired", last_load_keys_expired_);
  info::Field(out, "rdb_last_load_keys_loaded", last_load_keys_loaded_);
}

}  // namespace magnetar::server
