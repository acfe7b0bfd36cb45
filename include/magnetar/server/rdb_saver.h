// RDB persistence as Redis users run it: SAVE, BGSAVE, LASTSAVE, save points, the save at
// shutdown and after FLUSHALL, loading at startup, and INFO persistence's figures. A save is the
// engine's point-in-time snapshot (engine/snapshot.h) written by RdbSnapshotSink into an
// RdbFileWriter: the event loop walks the keyspace in slices between client requests and a
// thread writes the file, so BGSAVE forks nothing and stalls nobody. SAVE runs the same walk
// without slicing. docs/persistence.md has the design and its figures.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "magnetar/engine/snapshot.h"
#include "magnetar/persistence/rdb_file_writer.h"
#include "magnetar/persistence/rdb_snapshot.h"

namespace magnetar::server {

class Server;

struct LoadProgress {
  bool loading = false;
  int64_t start_time = 0;  // Unix seconds
  uint64_t total_bytes = 0;
  uint64_t loaded_bytes = 0;
  uint64_t rdb_used_mem = 0;
};

// Thrown out of a startup load when the server was asked to shut down meanwhile; the process then
// exits without saving (the dataset is incomplete), as Redis does.
struct ShutdownDuringLoad {};

class RdbSaver {
 public:
  explicit RdbSaver(Server& server);
  ~RdbSaver();

  // Starts a background save. Returns the empty string, or Redis's refusal text.
  std::string StartBackgroundSave();
  // BGSAVE [SCHEDULE]: as Redis, while an AOF rewrite runs (Redis's other child) the save is
  // refused, or with SCHEDULE (and always inside EXEC) `scheduled` for the cron to start once
  // nothing else runs.
  std::string RequestBackgroundSave(bool schedule, bool in_exec, bool& scheduled);
  // Saves synchronously (SAVE, shutdown, FLUSHALL, DEBUG RELOAD). Aborts a background save that
  // is running first unless `refuse_if_busy` (SAVE refuses then). Returns empty or the error.
  // Only the SAVE command's saves count in INFO's rdb_saves (`counted`), as in Redis.
  std::string SaveNow(bool refuse_if_busy, bool counted = false);
  // Abandons a running background save (FLUSHALL, shutdown): its temp file is removed. The
  // snapshot first finishes marking the entries it has not reached (engine/snapshot.h), which
  // takes a pass over the keys: FLUSHALL calls StopWriting first and this once the keys are gone.
  void AbortBackgroundSave();
  // The running background save writes nothing more (its walk only marks entries from now on).
  void StopWriting();
  bool background_save_running() const { return job_ != nullptr; }

  // Loads dir/dbfilename into the (empty) keyspace, if the file exists. Logs as Redis does.
  // Returns false when the file exists but cannot be loaded (the server must not start).
  bool LoadAtStartup();
  // DEBUG RELOAD: saves (unless `save` is false), empties the keyspace (unless `flush` is false)
  // and loads the file. Empty string or the error.
  std::string Reload(bool save, bool flush);

  // The cron's part: starts a background save when a save point is due.
  void Cron();
  // MISCONF: a save failed and stop-writes-on-bgsave-error is on with save points set.
  bool RefusesWrites() const;

  // INFO persistence.
  void AppendInfo(std::string& out) const;
  int64_t last_save_time() const { return last_save_time_; }
  const LoadProgress& load_progress() const { return load_; }
  // A load at startup (this class's, or the AOF's) reports through these: INFO's loading fields,
  // and between steps the loop serves the clients that are ready, which get -LOADING. A SHUTDOWN
  // or SIGTERM served meanwhile ends the load: StartupLoadProgress throws ShutdownDuringLoad.
  void BeginStartupLoad(uint64_t total_bytes);
  void StartupLoadProgress(uint64_t loaded_bytes);
  void EndStartupLoad() { load_.loading = false; }

 private:
  struct Job;

  std::unique_ptr<Job> NewJob(std::string& error);
  // The step timer: one slice of the running background save's walk, or a look at whether its
  // file is complete; re-arms itself until the outcome is recorded.
  void OnStep();
  void Record(const persistence::RdbFileOutcome& outcome, const Job& job, bool background,
              bool counted);
  std::string Load(bool at_startup);

  Server& server_;
  std::unique_ptr<Job> job_;
  size_t step_timer_;
  int64_t last_save_time_;       // Unix seconds
  int64_t last_bgsave_try_ = 0;  // Unix seconds
  bool last_bgsave_ok_ = true;
  bool bgsave_scheduled_ = false;  // BGSAVE SCHEDULE waits for the cron
  int64_t last_bgsave_seconds_ = -1;
  uint64_t saves_ = 0;
  uint64_t last_ahead_bytes_ = 0;  // INFO's rdb_last_cow_size: what the save held for writes
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;
  LoadProgress load_;
};

}  // namespace magnetar::server
