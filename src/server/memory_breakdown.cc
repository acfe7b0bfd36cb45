#include "memory_breakdown.h"

#include <fmt/format.h>

#include "magnetar/engine/keyspace.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/client.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

uint64_t MemoryBreakdown::BytesPerKey() const {
  return keys != 0 && used > startup ? (used - startup) / keys : 0;
}

float MemoryBreakdown::DatasetPercentage() const {
  // Redis divides by what the server holds beyond its startup figure, or by 1 below it.
  const uint64_t net_usage = used > startup ? used - startup : 1;
  return static_cast<float>(dataset) * 100 / static_cast<float>(net_usage);
}

float MemoryBreakdown::PeakPercentage() const {
  return peak != 0 ? static_cast<float>(used) * 100 / static_cast<float>(peak) : 0;
}

MemoryBreakdown ReadMemoryBreakdown(Server& server) {
  MemoryBreakdown memory;
  memory.allocator = ReadAllocator();
  memory.used = server.memory_gauge().Used();
  memory.rss = ReadRss();
  memory.peak = UpdateMemoryPeak(server, memory.used);
  memory.startup = server.info_samples().used_memory_startup;
  memory.replication_backlog = server.replication().backlog_bytes();
  memory.aof_buffer = server.aof().buffer_bytes();
  for (const auto& [id, client] : server.clients()) {
    if (client->replica != nullptr) {
      memory.clients_replicas += ClientMemory(*client);
      ++memory.replica_count;
    } else {
      memory.clients_normal += ClientMemory(*client);
      ++memory.normal_client_count;
    }
  }
  memory.overhead = memory.startup + memory.replication_backlog + memory.clients_replicas +
                    memory.clients_normal + memory.aof_buffer;
  const engine::Keyspace& keyspace = server.keyspace();
  for (size_t i = 0; i < keyspace.database_count(); ++i) {
    const engine::Database& db = keyspace.db(i);
    if (db.Size() == 0) continue;
    const engine::DatabaseMemory tables = db.Memory();
    memory.dbs.push_back({.index = i,
                          .table_bytes = tables.table_bytes,
                          .expires_bytes = tables.expiry_index_bytes});
    memory.keys += db.Size();
    memory.overhead += tables.table_bytes + tables.expiry_index_bytes;
  }
  memory.dataset = memory.used > memory.overhead ? memory.used - memory.overhead : 0;
  return memory;
}

std::string MemoryDoctorReport(const MemoryBreakdown& memory, std::string_view allocator_name) {
  constexpr uint64_t kMiB = 1024 * 1024;
  if (memory.used < 5 * kMiB) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::string issues;
  if (static_cast<float>(memory.peak) / static_cast<float>(memory.used) > 1.5f) {
    issues +=
        " * Peak memory: In the past this instance used more than 150% the memory that is "
        "currently using. The allocator is normally not able to release memory after a peak, so "
        "you can expect to see a big fragmentation ratio, however this is actually harmless and "
        "is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is "
        "currently bigger than expected, the memory will be used as soon as you fill the Redis "
        "instance with more data. If the memory peak was only occasional and you want to try to "
        "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is "
        "to shutdown and restart the instance.\n\n";
  }
  // Each overhead counts when its ratio and its bytes are both large.
  const auto large = [](float ratio, float limit, int64_t bytes) {
    return ratio > limit && bytes > static_cast<int64_t>(10 * kMiB);
  };
  if (large(memory.Fragmentation(), 1.4f, memory.FragmentationBytes())) {
    issues += fmt::format(
        " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
        "than 1.4 (this means that the Resident Set Size of the Redis process is much larger than "
        "the sum of the logical allocations Redis performed). This problem is usually due either "
        "to a large peak memory (check if there is a peak memory entry above in the report) or "
        "may result from a workload that causes the allocator to fragment memory a lot. If the "
        "problem is a large peak memory, then there is no issue. Otherwise, make sure you are "
        "using the Jemalloc allocator and not the default libc malloc. Note: The currently used "
        "allocator is \"{}\".\n\n",
        allocator_name);
  }
  if (large(memory.AllocatorFragmentation(), 1.1f, memory.AllocatorFragmentationBytes())) {
    issues +=
        " * High allocator fragmentation: This instance has an allocator external fragmentation "
        "greater than 1.1. This problem is usually due either to a large peak memory (check if "
        "there is a peak memory entry above in the report) or may result from a workload that "
        "causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' "
        "config option.\n\n";
  }
  if (large(memory.AllocatorRss(), 1.1f, memory.AllocatorRssBytes())) {
    issues +=
        " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than "
        "1.1 (this means that the Resident Set Size of the allocator is much larger than the sum "
        "what the allocator actually holds). This problem is usually due to a large peak memory "
        "(check if there is a peak memory entry above in the report), you can try the MEMORY "
        "PURGE command to reclaim it.\n\n";
  }
  if (large(memory.RssOverhead(), 1.1f, memory.RssOverheadBytes())) {
    issues +=
        " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
        "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
        "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
        "Modules.\n\n";
  }
  // Redis checks the replicas' total against the per-replica limit, as here.
  if (memory.replica_count > 0 && memory.clients_replicas > 10 * kMiB) {
    issues +=
        " * Big replica buffers: The replica output buffers in this instance are greater than "
        "10MB for each replica (on average). This likely means that there is some replica "
        "instance that is struggling receiving data, either because it is too slow or because of "
        "networking issues. As a result, data piles on the master output buffers. Please try to "
        "identify what replica is not receiving data correctly and why. You can use the INFO "
        "output in order to check the replicas delays and the CLIENT LIST command to check the "
        "output buffers of each replica.\n\n";
  }
  if (memory.normal_client_count > 0 &&
      memory.clients_normal / memory.normal_client_count > 200 * 1024) {
    issues +=
        " * Big client buffers: The clients output buffers in this instance are greater than "
        "200K per client (on average). This may result from different causes, like Pub/Sub "
        "clients subscribed to channels bot not receiving data fast enough, so that data piles "
        "on the Redis instance output buffer, or clients sending commands with large replies or "
        "very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
        "command in order to investigate the issue if it causes problems in your instance, or to "
        "understand better why certain clients are using a big amount of memory.\n\n";
  }
  if (issues.empty()) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  return "Sam, I detected a few issues in this Redis instance memory implants:\n\n" + issues +
         "I'm here to keep you safe, Sam. I want to help you.\n";
}

}  // namespace magnetar::server
