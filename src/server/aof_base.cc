#include "aof_base.h"

#include "magnetar/common/clock.h"
#include "magnetar/server/server.h"
#include "magnetar/server/version.h"

namespace magnetar::server {

void AofBaseJob::Finish() {
  snapshot.reset();
  sink->Finish();
  file->Finish();
}

std::unique_ptr<AofBaseJob> StartAofBase(Server& server, const std::string& dir,
                                         const std::string& name, std::string& error) {
  const Config& config = server.config();
  auto job = std::make_unique<AofBaseJob>();
  job->file = persistence::RdbFileWriter::Open(dir, name, config.rdbchecksum, error);
  if (job->file == nullptr) return nullptr;
  persistence::RdbSnapshotOptions options;
  options.compress = config.rdbcompression;
  // Redis marks its base files with aof-base 1 and leaves out the replication fields.
  options.aux = {
      {"redis-ver", std::string(kRedisVersion)},
      {"redis-bits", "64"},
      {"ctime", std::to_string(server.clock().NowMs() / 1000)},
      {"used-mem", std::to_string(server.memory_gauge().Used())},
      {"aof-base", "1"},
  };
  job->sink = std::make_unique<persistence::RdbSnapshotSink>(server.keyspace(), *job->file,
                                                             std::move(options));
  job->sink->Begin();
  job->snapshot = std::make_unique<engine::Snapshot>(server.keyspace(), *job->sink);
  job->name = name;
  job->start_us = MonotonicUs();
  return job;
}

}  // namespace magnetar::server
