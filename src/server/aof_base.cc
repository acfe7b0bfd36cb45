#include "aof_base.h"

#include "magnetar/server/server.h"

namespace magnetar::server {

std::unique_ptr<AofBaseJob> StartAofBase(Server& server, const std::string& dir,
                                         const std::string& name, std::string& error) {
  // Redis marks its base files with aof-base 1 and leaves out the replication fields.
  persistence::RdbSnapshotOptions options = RdbOptions(server);
  options.aux.emplace_back("aof-base", "1");
  auto job = std::make_unique<AofBaseJob>();
  if (!job->Start(server, dir, name, std::move(options),
                  server.config().aof_rewrite_incremental_fsync, error)) {
    return nullptr;
  }
  job->name = name;
  return job;
}

}  // namespace magnetar::server
