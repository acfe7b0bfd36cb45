// Figures INFO and CLIENT LIST report that are not plain counters: what the allocator and the
// kernel say about memory, client memory, traffic totals, and the per-second rates the cron
// samples (Redis's instantaneous_* fields).
#pragma once

#include <cstdint>
#include <string_view>

#include "magnetar/net/connection.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

class Client;

// The allocator's view of the heap. With jemalloc these are its stats.allocated / active /
// resident / mapped (refreshed by an "epoch" first); without it, the closest figures the C
// library or the sanitizer runtime offers.
struct AllocatorFigures {
  uint64_t allocated = 0;  // bytes handed out to the program
  uint64_t active = 0;     // bytes of the pages that hold allocations
  uint64_t resident = 0;   // bytes of the allocator's memory that are in RAM
  uint64_t mapped = 0;     // bytes the allocator has mapped
};

AllocatorFigures ReadAllocator();
// As INFO's mem_allocator: "jemalloc-5.3.0", "libc", or "asan" in sanitizer builds.
std::string_view AllocatorName();
// The process's resident set size, from /proc/self/statm.
uint64_t ReadRss();
uint64_t TotalSystemMemory();

// Memory one client holds: its buffers plus its own state (CLIENT LIST tot-mem, INFO
// mem_clients_normal). `argv_bytes` is the size of the command it is running, if any.
uint64_t ClientMemory(const Client& client, uint64_t argv_bytes = 0);

// Traffic of every connection since startup: the closed ones plus those still open.
net::TrafficCounters TotalTraffic(Server& server);

// Called once at startup (recording used_memory_startup) and then from the cron: updates the
// memory peak and takes one sample of each instantaneous rate.
void SampleInfoMetrics(Server& server);
// Raises the recorded peak to `used` if it is higher; returns the peak.
uint64_t UpdateMemoryPeak(Server& server, uint64_t used);
// CONFIG RESETSTAT's part of these figures: traffic totals and rates count from now. Call it
// after resetting ServerStats' counters.
void ResetInfoMetrics(Server& server);
// The average per-second rate over the last InfoSamples::Rate::kSlots samples.
double AverageRate(const InfoSamples::Rate& rate);

}  // namespace magnetar::server
