// The append-only file in Redis 7.0's multi-part layout: `dir/appenddirname` holds a manifest
// naming one base file (an RDB file with aof-use-rdb-preamble yes, RESP commands otherwise) and
// the incr files, whose RESP commands replay on top of it in order. Writes reach the current incr
// file as the propagator sends them (AofWriter is a PropagationSink); loading replays the incr
// files through the dispatcher as a client would send them. docs/persistence.md has the design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "magnetar/server/aof_manifest.h"
#include "magnetar/server/aof_writer.h"

namespace magnetar::persistence {
struct RdbFileOutcome;
}

namespace magnetar::server {

class Client;
class Server;
struct AofBaseJob;

// The server's AOF: loading at startup, creating the files, the writer, INFO's aof_* fields.
class Aof final : private AofWriterHost {
 public:
  explicit Aof(Server& server);
  ~Aof() override;

  // appendonly yes at startup: loads the files the manifest names, or creates a base and an incr
  // file from the (empty) dataset when there is no manifest, then appends every write to the
  // last incr file. False when the server must not start (the reason is logged).
  bool Start();

  // BGREWRITEAOF (server/aof_rewrite.cc): writes go to a new incr file from now on, and a new
  // base is written from the dataset of this instant by the snapshot machinery, in slices; once
  // it is on disk the manifest switches to it and the older files are removed. Empty, or Redis's
  // refusal.
  std::string StartRewrite();
  // BGREWRITEAOF: StartRewrite, except that inside EXEC (`in_exec`) or while a BGSAVE runs the
  // rewrite is scheduled, for RewriteCron to start once nothing else runs, as Redis does
  // (`scheduled` says which happened).
  std::string RequestRewrite(bool in_exec, bool& scheduled);
  bool rewrite_running() const { return rewrite_ != nullptr; }
  // CONFIG SET appendonly changed it. Turned on, writes go to a temporary incr file that no
  // manifest names while a rewrite writes the base, as in Redis 7.0: a crash meanwhile leaves the
  // directory as it was. Turned off, the file gets its last writes and its fsync.
  void Switch();

  void AppendInfo(std::string& out) const;
  // From the server's cron: the writer's retries and postponed writes, and the rewrites the
  // cron starts (RewriteCron).
  void Cron();

  // An AOF write or fsync failed and none has succeeded since: writes are refused with this
  // error's text (Redis's MISCONF).
  bool RefusesWrites() const { return writer_ != nullptr && writer_->failing(); }
  // Writes gathered and not yet written to the file (INFO's mem_aof_buffer).
  size_t buffer_bytes() const { return writer_ != nullptr ? writer_->pending() : 0; }
  std::string WriteErrorText() const;
  // The reply `client` got from offset `mark` of its output on is that of a unit that made
  // writes. With appendfsync always it stays back until the batch is committed, and becomes the
  // MISCONF error if the commit fails: a write is acknowledged only once it is on disk.
  void NoteWriteReply(Client& client, size_t mark);

 private:
  void HoldOutput() override;
  bool SnapshotWriting() const override;
  // The loop's group commit (net::EventLoop::SetOutputCommit).
  void CommitBatch();
  // The batch's commit failed: the replies noted since it began become MISCONF errors.
  void RefuseBatchReplies();

  // The cron's part of rewriting (aof_rewrite.cc): starts a scheduled rewrite, or an automatic
  // one once the files have grown by auto-aof-rewrite-percentage since the last rewrite or the
  // load, as Redis's serverCron does.
  void RewriteCron();

  enum IncrOpening { kCreatedAtStart, kOpenedAtStart, kCreatedForRewrite, kTempForEnabling };

  // Redis 7.0's upgrade of a single-file AOF (`dir/appendfilename`, from Redis 6 or older): true
  // when the manifest read from disk (empty when there is none) calls for it.
  bool NeedsLegacyUpgrade(const AofManifest& on_disk) const;
  // Names the old file as base 1 in a new manifest, then moves it into the directory. False, with
  // Redis's message logged, when a step fails. A crash between the two steps is redone at the
  // next start (NeedsLegacyUpgrade's third case).
  bool UpgradeLegacyFile();
  // Creates dir/appenddirname unless it exists; false, with Redis's message logged, on failure.
  bool CreateDir() const;
  // BGREWRITEAOF with the AOF off: a new base, and a manifest naming it alone.
  void RewriteWhileOff();
  // manifest_ becomes the manifest on disk (empty when there is none or it cannot be read).
  void ReadManifestOnDisk();
  bool Create();
  // Makes `name` the incr file the writes go to; a created one is added to the manifest on disk.
  bool OpenIncr(const std::string& name, IncrOpening opening);
  // Starts writing the next base; the incr files from `first_incr_seq` on hold what follows it.
  void StartBase(int64_t first_incr_seq);
  void OnRewriteStep();
  void FinishRewrite(const persistence::RdbFileOutcome& outcome);
  void RewriteFailed();
  std::string TempIncrName() const;
  // Redis's aofRewriteLimited: after 3 consecutive failures the cron's rewrites wait 1 minute,
  // then 2, 4... up to an hour between attempts (BGREWRITEAOF is never held back).
  bool RewriteLimited();
  // auto-aof-rewrite-percentage's rule, logging Redis's line when it fires.
  bool AutoRewriteDue();
  // Adds up the manifest's files but the incr file the writer appends to, whose size the writer
  // keeps: called whenever the files change.
  void CountClosedFiles();
  // INFO's aof_current_size: every file the manifest names.
  uint64_t CurrentSize() const;

  Server& server_;
  std::string dir_;  // dir/appenddirname
  AofManifest manifest_;
  std::unique_ptr<AofWriter> writer_;
  // appendfsync always: the replies of this batch's writes (NoteWriteReply), in order.
  struct WriteReply {
    uint64_t client_id;
    size_t begin;
    size_t end;
  };
  std::vector<WriteReply> batch_replies_;
  std::unique_ptr<AofBaseJob> rewrite_;
  bool enabling_ = false;  // the writes go to the temporary incr file until the base is written
  size_t rewrite_timer_;
  int64_t last_rewrite_seconds_ = -1;
  bool last_rewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t consecutive_failures_ = 0;
  bool rewrite_scheduled_ = false;  // INFO's aof_rewrite_scheduled
  uint64_t closed_files_size_ = 0;  // see CountClosedFiles
  // The size after the last rewrite or the load, from which auto-aof-rewrite-percentage's
  // growth is measured (INFO's aof_base_size).
  uint64_t rewrite_base_size_ = 0;
  int64_t limit_delay_minutes_ = 0;
  int64_t limited_until_ = 0;  // Unix seconds; 0 when not waiting
};

}  // namespace magnetar::server
