// The append-only file in Redis 7.0's multi-part layout: `dir/appenddirname` holds a manifest
// naming one base file (an RDB file with aof-use-rdb-preamble yes, RESP commands otherwise) and
// the incr files, whose RESP commands replay on top of it in order. Writes reach the current incr
// file as the propagator sends them (AofWriter is a PropagationSink); loading replays the incr
// files through the dispatcher as a client would send them. docs/persistence.md has the design.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "magnetar/server/config.h"
#include "magnetar/server/propagator.h"

namespace magnetar::persistence {
struct RdbFileOutcome;
}

namespace magnetar::server {

class Server;
struct AofBaseJob;

// appendonly.aof.manifest: one line per file, `file <name> seq <n> type <b|h|i>`.
struct AofManifest {
  enum class Type : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };
  struct File {
    std::string name;
    int64_t seq = 0;
    Type type = Type::kIncr;
  };
  std::vector<File> files;  // the base first, then the incr files in seq order

  std::string Format() const;
  // Null, with the reason in `error`, when `text` is not a manifest.
  static std::optional<AofManifest> Parse(std::string_view text, std::string& error);

  const File* base() const;
  // The highest incr seq, 0 when there is no incr file.
  int64_t last_incr_seq() const;
};

// File names derived from appendfilename, as Redis 7.0 names them.
std::string AofManifestName(const Config& config);
std::string AofBaseName(const Config& config, int64_t seq, bool rdb_preamble);
std::string AofIncrName(const Config& config, int64_t seq);
// Replaces `dir/name` with `manifest` atomically: a temp file, fsynced, renamed over it, and the
// directory fsynced. Empty, or the reason it failed.
std::string WriteAofManifest(const std::string& dir, const std::string& name,
                             const AofManifest& manifest);

// Appends the propagated writes to an incr file in RESP. A unit's writes are gathered and written
// with one write() when the unit ends (EndOfWrites), which is before its replies leave; with
// appendfsync always they are also fsynced there, with everysec a thread fsyncs once a second
// so the loop never waits for the disk, with no the kernel decides.
class AofWriter final : public PropagationSink {
 public:
  // Takes `fd`, opened for appending; `size` is the file's current length.
  AofWriter(int fd, uint64_t size, const Config& config);
  ~AofWriter() override;  // writes what is pending, fsyncs and closes

  void Append(std::span<const std::string_view> argv) override;
  void EndOfWrites() override;

  uint64_t size() const { return size_; }
  bool last_write_ok() const { return last_write_ok_; }
  // Bytes gathered and not yet written (INFO's aof_buffer_length).
  size_t pending() const { return buffer_.size(); }

 private:
  void SyncLoop();
  bool Sync();

  int fd_;
  uint64_t size_;
  const Config& config_;
  std::string buffer_;
  bool last_write_ok_ = true;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> unsynced_ = false;  // written since the last fsync
  std::thread sync_thread_;
};

// The server's AOF: loading at startup, creating the files, the writer, INFO's aof_* fields.
class Aof {
 public:
  explicit Aof(Server& server);
  ~Aof();

  // appendonly yes at startup: loads the files the manifest names, or creates a base and an incr
  // file from the (empty) dataset when there is no manifest, then appends every write to the
  // last incr file. False when the server must not start (the reason is logged).
  bool Start();

  // BGREWRITEAOF (server/aof_rewrite.cc): writes go to a new incr file from now on, and a new
  // base is written from the dataset of this instant by the snapshot machinery, in slices; once
  // it is on disk the manifest switches to it and the older files are removed. Empty, or Redis's
  // refusal.
  std::string StartRewrite();
  bool rewrite_running() const { return rewrite_ != nullptr; }
  // CONFIG SET appendonly changed it. Turned on, writes go to a temporary incr file that no
  // manifest names while a rewrite writes the base, as in Redis 7.0: a crash meanwhile leaves the
  // directory as it was. Turned off, the file gets its last writes and its fsync.
  void Switch();

  void AppendInfo(std::string& out) const;

 private:
  enum IncrOpening { kCreatedAtStart, kOpenedAtStart, kCreatedForRewrite, kTempForEnabling };

  bool Create();
  // Makes `name` the incr file the writes go to; a created one is added to the manifest on disk.
  bool OpenIncr(const std::string& name, IncrOpening opening);
  // Starts writing the next base; the incr files from `first_incr_seq` on hold what follows it.
  void StartBase(int64_t first_incr_seq);
  void OnRewriteStep();
  void FinishRewrite(const persistence::RdbFileOutcome& outcome);
  void RewriteFailed();
  std::string TempIncrName() const;

  Server& server_;
  std::string dir_;  // dir/appenddirname
  AofManifest manifest_;
  std::unique_ptr<AofWriter> writer_;
  std::unique_ptr<AofBaseJob> rewrite_;
  bool enabling_ = false;  // the writes go to the temporary incr file until the base is written
  size_t rewrite_timer_;
  int64_t last_rewrite_seconds_ = -1;
  bool last_rewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t consecutive_failures_ = 0;
};

}  // namespace magnetar::server
