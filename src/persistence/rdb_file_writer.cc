#include "magnetar/persistence/rdb_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "magnetar/common/cpu_yield.h"
#include "magnetar/common/worker_allocations.h"
#include "magnetar/persistence/crc64.h"

namespace magnetar::persistence {

std::unique_ptr<RdbFileWriter> RdbFileWriter::Open(const std::string& dir,
                                                   const std::string& file_name, Trailer trailer,
                                                   bool incremental_fsync, std::string& error) {
  // Numbered, so that writers that overlap (a BGSAVE and a replica's disk-backed sync) never
  // share a temporary file.
  static std::atomic<uint64_t> sequence = 0;
  std::string temp_path = dir + "/temp-" + std::to_string(getpid()) + "-" +
                          std::to_string(sequence.fetch_add(1)) + ".rdb";
  int fd = open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  std::string final_path = file_name.starts_with('/') ? file_name : dir + "/" + file_name;
  return std::unique_ptr<RdbFileWriter>(new RdbFileWriter(
      fd, std::move(temp_path), std::move(final_path), dir, trailer, incremental_fsync));
}

RdbFileWriter::RdbFileWriter(int fd, std::string temp_path, std::string final_path, std::string dir,
                             Trailer trailer, bool incremental_fsync)
    : fd_(fd),
      temp_path_(std::move(temp_path)),
      final_path_(std::move(final_path)),
      dir_(std::move(dir)),
      trailer_(trailer),
      checksum_(trailer == Trailer::kCrc64),
      incremental_fsync_(incremental_fsync),
      thread_([this] { Run(); }) {}

RdbFileWriter::~RdbFileWriter() {
  {
    std::lock_guard lock(mutex_);
    abandon_ = !outcome_.has_value();
  }
  wake_.notify_one();
  thread_.join();
  if (fd_ >= 0) close(fd_);
}

void RdbFileWriter::Push(std::string chunk) {
  {
    std::lock_guard lock(mutex_);
    backlog_ += chunk.size();
    queue_.push_back(std::move(chunk));
  }
  wake_.notify_one();
}

size_t RdbFileWriter::Backlog() const {
  std::lock_guard lock(mutex_);
  return backlog_;
}

void RdbFileWriter::Finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  wake_.notify_one();
}

std::optional<RdbFileOutcome> RdbFileWriter::Poll() const {
  std::lock_guard lock(mutex_);
  return outcome_;
}

RdbFileOutcome RdbFileWriter::Wait() {
  std::unique_lock lock(mutex_);
  done_cv_.wait(lock, [this] { return outcome_.has_value(); });
  return *outcome_;
}

void RdbFileWriter::Run() {
  // The chunks (and queue nodes) the loop allocated are freed here.
  WorkerAllocations allocations;
  while (true) {
    std::string chunk;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || finishing_ || abandon_; });
      if (abandon_) break;
      if (queue_.empty()) break;  // finishing, and everything is written
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    bool ok = WriteAll(chunk);
    {
      std::lock_guard lock(mutex_);
      backlog_ -= chunk.size();
    }
    std::string().swap(chunk);
    allocations.Publish();
    if (!ok) return;
  }
  bool abandoned;
  {
    std::lock_guard lock(mutex_);
    abandoned = abandon_;
  }
  if (abandoned) {
    unlink(temp_path_.c_str());
    return;
  }
  if (!Complete()) return;
  std::lock_guard lock(mutex_);
  outcome_ = RdbFileOutcome{true, {}, written_};
  done_cv_.notify_all();
}

bool RdbFileWriter::WriteAll(const std::string& chunk) {
  // A chunk is checksummed and written a piece at a time, offering the CPU to others in between:
  // a whole 1 MiB chunk was over a millisecond of work with the table-driven checksum.
  constexpr size_t kPieceBytes = 64 << 10;
  for (size_t done = 0; done < chunk.size();) {
    const size_t piece = std::min(kPieceBytes, chunk.size() - done);
    const char* bytes = chunk.data() + done;
    if (checksum_) crc_ = Crc64(crc_, {reinterpret_cast<const uint8_t*>(bytes), piece});
    if (!WriteFully(bytes, piece)) return false;
    done += piece;
    YieldCpu();
  }
  written_ += chunk.size();
  // As Redis's 4 MB autosync: the dirty pages go to the disk while the file grows, not all at the
  // final fsync (on the file thread, so the loop never waits for it).
  constexpr uint64_t kIncrementalFsyncBytes = 4 * 1024 * 1024;
  if (incremental_fsync_ && written_ - synced_ >= kIncrementalFsyncBytes) {
    if (fdatasync(fd_) != 0) {
      Fail(std::strerror(errno));
      return false;
    }
    synced_ = written_;
  }
  return true;
}

bool RdbFileWriter::WriteFully(const char* bytes, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd_, bytes + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Fail(n < 0 ? std::strerror(errno) : "short write");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool RdbFileWriter::Complete() {
  if (trailer_ != Trailer::kNone) {
    uint64_t crc = checksum_ ? crc_ : 0;
    std::string trailer(8, '\0');
    for (int i = 0; i < 8; ++i) trailer[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    checksum_ = false;  // the checksum covers what precedes it
    if (!WriteAll(trailer)) return false;
  }
  if (fsync(fd_) != 0) {
    Fail(std::strerror(errno));
    return false;
  }
  close(fd_);
  fd_ = -1;
  if (rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    Fail(std::strerror(errno));
    return false;
  }
  // The rename is durable only once the directory entry is.
  int dir_fd = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return true;
}

void RdbFileWriter::Fail(const std::string& what) {
  unlink(temp_path_.c_str());
  std::lock_guard lock(mutex_);
  outcome_ = RdbFileOutcome{false, what, written_};
  done_cv_.notify_all();
}

}  // namespace magnetar::persistence
