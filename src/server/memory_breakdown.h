// What the server's memory is made of, as INFO memory, MEMORY STATS and MEMORY DOCTOR report it:
// the allocator's and the kernel's totals, the parts Magnetar can name (the figure at startup,
// the replication backlog, replicas' and other clients' buffers, the AOF buffer, the databases'
// tables), and the rest, which Redis calls the dataset. The ratios are Redis's, computed in
// single precision as Redis computes them, so that MEMORY STATS prints the same digits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "info_metrics.h"

namespace magnetar::server {

class Server;

struct MemoryBreakdown {
  uint64_t used = 0;     // used_memory: what the program holds
  uint64_t peak = 0;     // the highest `used` seen
  uint64_t startup = 0;  // `used` once the server had started
  uint64_t rss = 0;      // the process's resident set
  AllocatorFigures allocator;

  uint64_t replication_backlog = 0;
  uint64_t clients_replicas = 0;  // replicas' client memory, buffers included
  uint64_t clients_normal = 0;    // every other client's
  uint64_t aof_buffer = 0;
  size_t replica_count = 0;
  size_t normal_client_count = 0;

  struct Db {
    size_t index = 0;
    uint64_t table_bytes = 0;    // the key table's buckets
    uint64_t expires_bytes = 0;  // the expiry index
  };
  std::vector<Db> dbs;  // the databases that hold keys, in order
  uint64_t keys = 0;

  uint64_t overhead = 0;  // startup + buffers + tables
  uint64_t dataset = 0;   // used - overhead

  // Redis's derived figures.
  uint64_t BytesPerKey() const;
  float DatasetPercentage() const;
  float PeakPercentage() const;
  float AllocatorFragmentation() const { return Ratio(allocator.active, allocator.allocated); }
  int64_t AllocatorFragmentationBytes() const { return Gap(allocator.active, allocator.allocated); }
  float AllocatorRss() const { return Ratio(allocator.resident, allocator.active); }
  int64_t AllocatorRssBytes() const { return Gap(allocator.resident, allocator.active); }
  float RssOverhead() const { return Ratio(rss, allocator.resident); }
  int64_t RssOverheadBytes() const { return Gap(rss, allocator.resident); }
  float Fragmentation() const { return Ratio(rss, used); }
  int64_t FragmentationBytes() const { return Gap(rss, used); }

 private:
  static float Ratio(uint64_t numerator, uint64_t denominator) {
    return denominator ? static_cast<float>(numerator) / static_cast<float>(denominator) : 0;
  }
  static int64_t Gap(uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); }
};

// Reads every figure now (and raises the recorded peak).
MemoryBreakdown ReadMemoryBreakdown(Server& server);

// MEMORY DOCTOR's report, with Redis's rules and texts: below 5 MB used it declines; otherwise it
// names each problem the figures show (a past peak, fragmentation, RSS overheads, big client or
// replica buffers), or none. `allocator_name` is INFO's mem_allocator.
std::string MemoryDoctorReport(const MemoryBreakdown& memory, std::string_view allocator_name);

}  // namespace magnetar::server
