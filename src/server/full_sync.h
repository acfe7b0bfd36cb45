// A full sync: the engine's forkless snapshot (engine/snapshot.h) as an RDB stream for the
// replicas that wait for it. Diskless (repl-diskless-sync yes, replicas that announced capa eof),
// it goes straight onto their sockets in Redis's EOF-marked form: `$EOF:<40 random bytes>\r\n`,
// the RDB with its CRC64, then the same 40 bytes; the primary's extra memory is what the sockets
// have not taken yet (the walk pauses while that is high) and the keys written ahead of the walk.
// Disk-backed, the snapshot is saved to the RDB file first (a BGSAVE's SnapshotFileJob) and the
// file then sent as `$<length>\r\n` and its bytes. Nothing is forked either way.
//
// A replica that asks while no sync runs starts one at once, unless repl-diskless-sync-max-replicas
// is set: then replicas gather until that many wait or repl-diskless-sync-delay seconds have
// passed, and share one snapshot. Those asking while a sync runs share the next one. Each gets
// +FULLRESYNC <replid> <offset> at the instant the snapshot begins, and the stream from that
// offset on is held for it until its RDB is sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "magnetar/engine/snapshot.h"
#include "magnetar/persistence/rdb_snapshot.h"
#include "snapshot_file_job.h"

namespace magnetar::server {

class Server;
class Client;
class Replication;

class FullSync final : public persistence::ChunkSink {
 public:
  FullSync(Server& server, Replication& replication);
  ~FullSync() override;

  // A replica that needs a full sync. It joins the snapshot that waits to begin, or the next one.
  void Add(Client& replica);
  // The replica's client is going away.
  void Remove(Client& replica);
  bool idle() const { return targets_.empty() && waiting_.empty(); }

  void Push(std::string chunk) override;
  size_t Backlog() const override;

 private:
  // The timer: begins the snapshot once the delay is over, then walks it in slices.
  void OnTimer();
  void Begin();
  // Diskless: the walk is over; the RDB's end goes out.
  void Finish();
  // Disk-backed: one turn of the file's writing, then of its sending.
  void StepFile();
  void SendFile();
  // The sync cannot go on: its replicas are dropped (they will ask again).
  void Abort(std::string_view why);
  void Arm(int64_t delay_ms);

  Server& server_;
  Replication& replication_;
  size_t timer_;
  std::vector<Client*> waiting_;  // for the next snapshot
  int64_t first_waiting_ms_ = 0;  // monotonic ms the first of them arrived
  std::vector<Client*> targets_;  // receiving the current snapshot
  std::string eof_mark_;
  uint64_t crc_ = 0;
  std::unique_ptr<persistence::RdbSnapshotSink> sink_;
  std::unique_ptr<engine::Snapshot> snapshot_;
  // Disk-backed: the file being written, then read back (opened when it was created, so a save
  // that renames another file over the same name meanwhile changes nothing).
  std::unique_ptr<SnapshotFileJob> file_job_;
  int file_fd_ = -1;
  uint64_t file_size_ = 0;
  uint64_t file_sent_ = 0;
};

}  // namespace magnetar::server
