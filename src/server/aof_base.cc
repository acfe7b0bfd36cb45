#include "aof_base.h"

#include "magnetar/server/server.h"

namespace magnetar::server {

std::unique_ptr<AofBaseJob> StartAofBase(Server& server, const std::string& dir,
                                         const std::string& name, std::string& error) {
  const Config& config = server.config();
  auto job = std::make_unique<AofBaseJob>();
  bool started;
  if (config.aof_use_rdb_preamble) {
    // Redis marks its base files with aof-base 1 and leaves out the replication fields.
    persistence::RdbSnapshotOptions options = RdbOptions(server);
    options.aux.emplace_back("aof-base", "1");
    started = job->Start(server, dir, name, std::move(options),
                         config.aof_rewrite_incremental_fsync, error);
  } else {
    started = job->StartCommands(server, dir, name, config.aof_rewrite_incremental_fsync, error);
  }
  if (!started) return nullptr;
  job->name = name;
  return job;
}

}  // namespace magnetar::server
