#include "memory_gauge.h"

#include "info_metrics.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

AllocatorGauge::AllocatorGauge(Server& server)
    : server_(server), loop_(ThreadAllocationCounters::OfThisThread()) {}

uint64_t AllocatorGauge::Used() const {
  if (!loop_.available()) return ReadAllocator().allocated;
  return static_cast<uint64_t>(loop_.Balance() + WorkerAllocations::Tally());
}

uint64_t AllocatorGauge::NotCounted() const {
  const uint64_t replication = server_.replication().buffer_bytes();
  const auto backlog_size = static_cast<uint64_t>(server_.config().repl_backlog_size);
  const uint64_t beyond_backlog = replication > backlog_size ? replication - backlog_size : 0;
  return beyond_backlog + server_.aof().buffer_bytes();
}

}  // namespace magnetar::server
