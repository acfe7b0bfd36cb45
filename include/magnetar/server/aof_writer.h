// The AOF's writer: the propagated writes appended to the current incr file, written and fsynced
// at each event-loop batch's group commit (server/aof.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "magnetar/server/config.h"
#include "magnetar/server/propagator.h"

namespace magnetar::server {

// What an AofWriter needs from the server it writes for.
class AofWriterHost {
 public:
  virtual ~AofWriterHost() = default;
  // Group commit: keeps every reply back until the loop calls AofWriter::Commit() after the
  // batch (net::EventLoop::HoldOutput).
  virtual void HoldOutput() = 0;
  // A rewrite or a save is writing its file (no-appendfsync-on-rewrite skips fsyncs meanwhile).
  virtual bool SnapshotWriting() const = 0;
};

// Appends the propagated writes to an incr file in RESP. The writes of an event-loop batch are
// gathered and written with one write() when the batch ends (group commit: the first write of a
// batch has the host hold every reply back until Commit()), so no reply leaves before its write
// is in the file, as in Redis, which writes before it sends the replies of a loop iteration.
// - appendfsync always: Commit() also fsyncs, once for the whole batch. When the write or the
//   fsync fails, Commit() says so and the batch's writes are not acknowledged (Aof).
// - everysec: a thread fsyncs once a second, so the loop never waits for the disk. While that
//   fsync runs, writes are postponed (write() would wait behind it) for up to 2 s, as Redis does.
// - no: the kernel decides.
// A failed write keeps its bytes, which go first with the next write or the cron's retry; until
// one succeeds (and, after a failed fsync, until an fsync does) the server refuses writes.
class AofWriter final : public PropagationSink {
 public:
  // Takes `fd`, opened for appending; `size` is the file's current length.
  AofWriter(int fd, uint64_t size, const Config& config, AofWriterHost& host);
  ~AofWriter() override;  // writes what is pending, fsyncs and closes

  void Append(std::span<const std::string_view> argv) override;
  void EndOfWrites() override;
  // The batch's write (and, with appendfsync always, its fsync). False when the writes gathered
  // are not persisted as appendfsync asks: the write failed, or always's fsync did.
  bool Commit();
  // From the server's cron: writes postponed or failed writes, and retries a failed fsync.
  void Cron();

  uint64_t size() const { return size_; }
  // A write or an fsync failed and no later one has succeeded: writes are refused (MISCONF).
  bool failing() const { return error_number() != 0; }
  int error_number() const {
    return write_errno_ != 0 ? write_errno_ : fsync_errno_.load(std::memory_order_relaxed);
  }
  // Bytes gathered and not yet written (INFO's aof_buffer_length).
  size_t pending() const { return buffer_.size(); }
  bool fsync_running() const { return fsync_running_.load(std::memory_order_relaxed); }
  uint64_t delayed_fsyncs() const { return delayed_fsyncs_; }

 private:
  // Writes the gathered bytes unless everysec postpones them, then fsyncs as appendfsync says.
  // False when the write or always's fsync failed.
  bool Persist();
  bool WriteOut();
  bool PostponedBySlowFsync();
  bool SyncAfterWrite();
  bool Sync();
  void SyncLoop();

  int fd_;
  uint64_t size_;
  const Config& config_;
  AofWriterHost& host_;
  std::string buffer_;
  int write_errno_ = 0;             // the last write()'s error, 0 once one succeeds
  bool commit_pending_ = false;     // the host holds the replies until Commit()
  bool sync_skipped_ = false;       // written while no-appendfsync-on-rewrite held the fsync
  int64_t postponed_since_us_ = 0;  // everysec: writes held back behind a running fsync
  uint64_t delayed_fsyncs_ = 0;
  int64_t annotated_second_ = 0;  // aof-timestamp-enabled: the second of the last #TS line

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> unsynced_ = false;  // written since the last fsync
  std::atomic<bool> fsync_running_ = false;
  std::atomic<int> fsync_errno_ = 0;  // the last fsync's error, 0 once one succeeds
  std::thread sync_thread_;
};

}  // namespace magnetar::server
