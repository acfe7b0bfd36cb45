// Writing an AOF base file: the dataset of one instant, as an RDB file in the AOF directory (or,
// with aof-use-rdb-preamble no, as commands), by the snapshot machinery the RDB saves use
// (snapshot_file_job.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "snapshot_file_job.h"

namespace magnetar::server {

class Server;

struct AofBaseJob : SnapshotFileJob {
  std::string name;
  int64_t seq = 0;
  int64_t first_incr_seq = 0;  // the incr files the base does not hold start here
};

// Starts writing `dir/name` from the dataset as it is now; null, with the reason in `error`,
// when the file cannot be created.
std::unique_ptr<AofBaseJob> StartAofBase(Server& server, const std::string& dir,
                                         const std::string& name, std::string& error);

}  // namespace magnetar::server
