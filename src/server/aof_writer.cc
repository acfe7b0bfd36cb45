// AofWriter: the propagated writes, in RESP, appended to the current incr file.
#include "magnetar/server/aof_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "magnetar/common/clock.h"
#include "magnetar/resp/reply_builder.h"

namespace magnetar::server {
namespace {

// How long everysec postpones writes behind a running fsync before writing anyway (Redis's 2 s).
constexpr int64_t kMaxFsyncPostponeUs = 2'000'000;

}  // namespace

AofWriter::AofWriter(int fd, uint64_t size, const Config& config, AofWriterHost& host)
    : fd_(fd), size_(size), config_(config), host_(host), sync_thread_([this] { SyncLoop(); }) {}

AofWriter::~AofWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  sync_thread_.join();
  if (!buffer_.empty()) WriteOut();
  if (config_.appendfsync != AppendFsync::kNo) Sync();
  close(fd_);
}

void AofWriter::Append(std::span<const std::string_view> argv) {
  if (config_.aof_timestamp_enabled) {
    // The lines are skipped by loaders; tools read them to find where a point in time begins.
    int64_t now = std::time(nullptr);
    if (now > annotated_second_) {
      annotated_second_ = now;
      fmt::format_to(std::back_inserter(buffer_), "#TS:{}\r\n", now);
    }
  }
  resp::ReplyBuilder::AppendCommand(buffer_, argv);
}

void AofWriter::EndOfWrites() {
  if (commit_pending_ || buffer_.empty()) return;
  commit_pending_ = true;
  host_.HoldOutput();
}

bool AofWriter::Commit() {
  if (!commit_pending_) return true;
  commit_pending_ = false;
  return Persist();
}

bool AofWriter::Persist() {
  if (buffer_.empty() || PostponedBySlowFsync()) return true;
  return WriteOut() && SyncAfterWrite();
}

// everysec: write() on a file being fsynced waits for the fsync, which would stall the loop on a
// busy disk. So, as Redis does, writes wait in the buffer while the thread's fsync runs, for up to
// 2 s; then they are written anyway (INFO's aof_delayed_fsync counts those times).
bool AofWriter::PostponedBySlowFsync() {
  if (config_.appendfsync != AppendFsync::kEverysec || !fsync_running()) {
    postponed_since_us_ = 0;
    return false;
  }
  int64_t now = MonotonicUs();
  if (postponed_since_us_ == 0) postponed_since_us_ = now;
  if (now - postponed_since_us_ < kMaxFsyncPostponeUs) return true;
  ++delayed_fsyncs_;
  postponed_since_us_ = 0;
  spdlog::info(
      "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without "
      "waiting for fsync to complete, this may slow down Redis.");
  return false;
}

bool AofWriter::WriteOut() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // What was not written stays gathered and goes first with the next write: the file never
      // misses a command, and a crash meanwhile leaves a torn tail the loader cuts.
      if (write_errno_ == 0) {
        spdlog::warn("Error writing to the AOF file: {}", std::strerror(errno));
      }
      write_errno_ = errno;
      buffer_.erase(0, done);
      size_ += done;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  size_ += done;
  buffer_.clear();
  if (write_errno_ != 0) spdlog::warn("AOF write error looks solved, Redis can write again.");
  write_errno_ = 0;
  return true;
}

bool AofWriter::SyncAfterWrite() {
  if (config_.no_appendfsync_on_rewrite && host_.SnapshotWriting()) {
    sync_skipped_ = true;
    return true;
  }
  sync_skipped_ = false;
  if (config_.appendfsync == AppendFsync::kAlways) return Sync();
  // Read on the loop, so that the thread never reads the configuration.
  if (config_.appendfsync == AppendFsync::kEverysec) {
    unsynced_.store(true, std::memory_order_relaxed);
  }
  return true;
}

void AofWriter::Cron() {
  if (commit_pending_) return;  // the batch's commit is queued
  if (!buffer_.empty()) {
    Persist();
  } else if (sync_skipped_ || (config_.appendfsync == AppendFsync::kAlways &&
                               fsync_errno_.load(std::memory_order_relaxed) != 0)) {
    // An fsync held back by no-appendfsync-on-rewrite, or a failed one, which is retried: one that
    // succeeds lets writes in again. (everysec's thread retries by itself: its file stays
    // unsynced.)
    SyncAfterWrite();
  }
}

bool AofWriter::Sync() {
  fsync_running_.store(true, std::memory_order_relaxed);
  int result = fdatasync(fd_);
  int error = result == 0 ? 0 : errno;
  fsync_running_.store(false, std::memory_order_relaxed);
  int previous = fsync_errno_.exchange(error, std::memory_order_relaxed);
  if (error != 0 && previous == 0) {
    spdlog::warn("Can't persist the AOF file: fdatasync failed: {}", std::strerror(error));
  } else if (error == 0 && previous != 0) {
    spdlog::info("AOF fsync error looks solved, Redis can write again.");
  }
  return error == 0;
}

// appendfsync everysec: once a second, the writes of that second reach the disk here, off the
// event loop. A failed fsync leaves the file unsynced, so the next second retries it.
void AofWriter::SyncLoop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (stop_) return;
    if (unsynced_.exchange(false, std::memory_order_relaxed) && !Sync()) {
      unsynced_.store(true, std::memory_order_relaxed);
    }
  }
}

}  // namespace magnetar::server
