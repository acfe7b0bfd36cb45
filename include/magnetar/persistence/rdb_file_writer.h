// Writes an RDB stream to a file on a thread of its own, so the event loop never waits for the
// disk: the loop pushes chunks, the thread checksums and writes them. The file is written as
// `temp-<pid>-<n>.rdb` beside its destination; Finish() appends the CRC64 (zero with rdbchecksum
// off), fsyncs the file, renames it over the destination and fsyncs the directory, so a crash at
// any point leaves either the old file or the complete new one.
//
// Ownership: the loop only pushes and polls; the thread only takes chunks and writes. They share
// the queue and the outcome, under one mutex.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "magnetar/persistence/rdb_snapshot.h"

namespace magnetar::persistence {

struct RdbFileOutcome {
  bool ok = false;
  std::string error;  // strerror-style reason, for the log
  uint64_t bytes = 0;
};

class RdbFileWriter final : public ChunkSink {
 public:
  // What follows the last chunk: an RDB file's CRC64 of everything before it, or 8 zero bytes
  // (rdbchecksum no); nothing for a file of commands (an AOF base without RDB preamble).
  enum class Trailer { kCrc64, kZeroChecksum, kNone };

  // Creates the temporary file in `dir` for `file_name`; null, with the reason in `error`, when
  // it cannot be created. With `incremental_fsync` (rdb-save-incremental-fsync,
  // aof-rewrite-incremental-fsync) the file is fsynced every 4 MB as it is written, so that the
  // last fsync does not have to push gigabytes to the disk at once.
  static std::unique_ptr<RdbFileWriter> Open(const std::string& dir, const std::string& file_name,
                                             Trailer trailer, bool incremental_fsync,
                                             std::string& error);
  ~RdbFileWriter() override;  // an unfinished file is abandoned and removed

  void Push(std::string chunk) override;
  size_t Backlog() const override;
  // No more chunks: the thread completes the file. Poll() reports when it is done.
  void Finish();
  // The outcome once the thread is done, nullopt while it works.
  std::optional<RdbFileOutcome> Poll() const;
  // Blocks until the thread is done (SAVE, shutdown).
  RdbFileOutcome Wait();

  const std::string& temp_path() const { return temp_path_; }

 private:
  RdbFileWriter(int fd, std::string temp_path, std::string final_path, std::string dir,
                Trailer trailer, bool incremental_fsync);
  void Run();
  // Checksums and writes `chunk`; false (with the reason recorded) on an I/O error.
  bool WriteAll(const std::string& chunk);
  // Writes `size` bytes, retrying short writes; false (with the reason recorded) on an error.
  bool WriteFully(const char* bytes, size_t size);
  bool Complete();
  void Fail(const std::string& what);

  int fd_;
  std::string temp_path_;
  std::string final_path_;
  std::string dir_;
  Trailer trailer_;
  bool checksum_;  // thread-only: the CRC64 still covers what is written
  bool incremental_fsync_;
  uint64_t crc_ = 0;  // thread-only
  uint64_t written_ = 0;
  uint64_t synced_ = 0;  // thread-only: bytes up to which the last incremental fsync reached

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_cv_;
  std::deque<std::string> queue_;
  size_t backlog_ = 0;
  bool finishing_ = false;
  bool abandon_ = false;
  std::optional<RdbFileOutcome> outcome_;
  std::thread thread_;
};

}  // namespace magnetar::persistence
