// One snapshot written to one file: engine::Snapshot walking the keyspace into a sink (the RDB
// form, or the AOF's command form) whose chunks an RdbFileWriter's thread writes. BGSAVE, SAVE,
// the AOF rewrite and the AOF base at startup are each one of these; they differ in the file, the
// form and the aux fields.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "magnetar/engine/snapshot.h"
#include "magnetar/persistence/rdb_file_writer.h"
#include "magnetar/persistence/rdb_snapshot.h"

namespace magnetar::server {

class Server;

// What every RDB stream Magnetar writes shares: rdbcompression, the IDLE or FREQ fields the
// maxmemory-policy calls for, and the aux fields redis-ver, redis-bits, ctime and used-mem, as
// Redis 7.0 writes them. Callers append their own aux fields.
persistence::RdbSnapshotOptions RdbOptions(Server& server);

// Advances a background snapshot's walk (a BGSAVE, an AOF rewrite, a replica's full sync) by one
// slice between client requests, then offers the CPU to other runnable work; true once the walk
// is done.
bool WalkSlice(engine::Snapshot& snapshot);

struct SnapshotFileJob {
  // Declared in construction order: the snapshot goes first, then its sink, then the file.
  std::unique_ptr<persistence::RdbFileWriter> file;
  std::unique_ptr<persistence::FileSnapshotSink> sink;
  std::unique_ptr<engine::Snapshot> snapshot;  // null once the walk is over
  int64_t start_us = 0;

  // Creates `dir/name`'s temporary file and begins the snapshot. False, with the reason in
  // `error`, when the file cannot be created. `incremental_fsync`: see RdbFileWriter::Open.
  bool Start(Server& server, const std::string& dir, const std::string& name,
             persistence::RdbSnapshotOptions options, bool incremental_fsync, std::string& error);
  // The same for a file of commands (an AOF base without RDB preamble).
  bool StartCommands(Server& server, const std::string& dir, const std::string& name,
                     bool incremental_fsync, std::string& error);

  // One turn of a background job, for its timer: the outcome once the file is complete or has
  // failed; otherwise nullopt, and `next_delay_ms` says when to come back (0 while walking, in
  // slices between client requests; 1 while the disk catches up or the thread syncs).
  std::optional<persistence::RdbFileOutcome> Advance(int64_t& next_delay_ms);
  // The whole walk at once, then the file's completion (SAVE, the AOF base at startup).
  persistence::RdbFileOutcome RunToEnd();

 private:
  // The walk is over: the sink's last bytes and the file's completion.
  void FinishWalk();
  // Begins the walk into `sink`, which writes to `file`.
  void Walk(Server& server, std::unique_ptr<persistence::FileSnapshotSink> walked);
};

}  // namespace magnetar::server
