// Writing an AOF base file: the dataset of one instant, as an RDB file in the AOF directory, by
// the snapshot machinery the RDB saves use (engine::Snapshot, RdbSnapshotSink, RdbFileWriter).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "magnetar/engine/snapshot.h"
#include "magnetar/persistence/rdb_file_writer.h"
#include "magnetar/persistence/rdb_snapshot.h"

namespace magnetar::server {

class Server;

struct AofBaseJob {
  // Declared in construction order: the snapshot goes first, then its sink, then the file.
  std::unique_ptr<persistence::RdbFileWriter> file;
  std::unique_ptr<persistence::RdbSnapshotSink> sink;
  std::unique_ptr<engine::Snapshot> snapshot;
  std::string name;
  int64_t seq = 0;
  int64_t first_incr_seq = 0;  // the incr files the base does not hold start here
  int64_t start_us = 0;

  // The walk is over: the sink's last bytes and the file's completion.
  void Finish();
};

// Starts writing `dir/name` from the dataset as it is now; null, with the reason in `error`,
// when the file cannot be created.
std::unique_ptr<AofBaseJob> StartAofBase(Server& server, const std::string& dir,
                                         const std::string& name, std::string& error);

}  // namespace magnetar::server
