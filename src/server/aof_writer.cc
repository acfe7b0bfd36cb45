// AofWriter: the propagated writes, in RESP, appended to the current incr file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "magnetar/server/aof.h"

namespace magnetar::server {

AofWriter::AofWriter(int fd, uint64_t size, const Config& config)
    : fd_(fd), size_(size), config_(config), sync_thread_([this] { SyncLoop(); }) {}

AofWriter::~AofWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  sync_thread_.join();
  EndOfWrites();
  if (config_.appendfsync != AppendFsync::kNo) Sync();
  close(fd_);
}

void AofWriter::Append(std::span<const std::string_view> argv) {
  fmt::format_to(std::back_inserter(buffer_), "*{}\r\n", argv.size());
  for (std::string_view arg : argv) {
    fmt::format_to(std::back_inserter(buffer_), "${}\r\n", arg.size());
    buffer_.append(arg).append("\r\n");
  }
}

void AofWriter::EndOfWrites() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // What was not written stays gathered and goes with the next unit's writes.
      if (last_write_ok_) spdlog::warn("Error writing to the AOF file: {}", std::strerror(errno));
      last_write_ok_ = false;
      buffer_.erase(0, done);
      size_ += done;
      return;
    }
    done += static_cast<size_t>(n);
  }
  size_ += done;
  buffer_.clear();
  if (!last_write_ok_) spdlog::info("AOF write error looks solved, Redis can write again.");
  last_write_ok_ = true;
  if (done == 0) return;
  if (config_.appendfsync == AppendFsync::kAlways) Sync();
  // Read on the loop, so that the thread never reads the configuration.
  if (config_.appendfsync == AppendFsync::kEverysec) {
    unsynced_.store(true, std::memory_order_relaxed);
  }
}

bool AofWriter::Sync() {
  if (fdatasync(fd_) == 0) return true;
  spdlog::warn("Can't persist the AOF file: fdatasync failed: {}", std::strerror(errno));
  return false;
}

// appendfsync everysec: once a second, the writes of that second reach the disk here, off the
// event loop.
void AofWriter::SyncLoop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (stop_) return;
    if (unsynced_.exchange(false, std::memory_order_relaxed)) Sync();
  }
}

}  // namespace magnetar::server
