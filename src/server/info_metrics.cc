#include "info_metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "magnetar/common/clock.h"
#include "magnetar/server/client.h"

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
// The sanitizer runtime replaces malloc; these are its own counters
// (sanitizer/allocator_interface.h declares them, but g++ does not ship that header).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
extern "C" size_t __sanitizer_get_heap_size();
#else
#include <malloc.h>
#endif

namespace magnetar::server {
namespace {

#if defined(MAGNETAR_WITH_JEMALLOC)
uint64_t JemallocStat(const char* name) {
  size_t value = 0;
  size_t size = sizeof(value);
  return mallctl(name, &value, &size, nullptr, 0) == 0 ? value : 0;
}
#endif

void Sample(InfoSamples::Rate& rate, uint64_t total, int64_t now_us) {
  if (rate.last_us != 0 && now_us > rate.last_us) {
    rate.per_second[rate.next] =
        (total - rate.last_total) * 1'000'000 / static_cast<uint64_t>(now_us - rate.last_us);
    rate.next = (rate.next + 1) % InfoSamples::Rate::kSlots;
  }
  rate.last_us = now_us;
  rate.last_total = total;
}

}  // namespace

AllocatorFigures ReadAllocator() {
  AllocatorFigures figures;
#if defined(MAGNETAR_WITH_JEMALLOC)
  // jemalloc caches its statistics; writing the epoch refreshes them.
  uint64_t epoch = 1;
  size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
  figures.allocated = JemallocStat("stats.allocated");
  figures.active = JemallocStat("stats.active");
  figures.resident = JemallocStat("stats.resident");
  figures.mapped = JemallocStat("stats.mapped");
#elif defined(__SANITIZE_ADDRESS__)
  figures.allocated = figures.active = __sanitizer_get_current_allocated_bytes();
  figures.resident = figures.mapped = __sanitizer_get_heap_size();
#else
  // glibc does not tell pages in use apart from bytes in use, so active equals allocated.
  struct mallinfo2 info = mallinfo2();
  figures.allocated = figures.active = info.uordblks + info.hblkhd;
  figures.resident = figures.mapped = info.arena + info.hblkhd;
#endif
  return figures;
}

std::string_view AllocatorName() {
#if defined(MAGNETAR_WITH_JEMALLOC)
  static const std::string name = fmt::format("jemalloc-{}.{}.{}", JEMALLOC_VERSION_MAJOR,
                                              JEMALLOC_VERSION_MINOR, JEMALLOC_VERSION_BUGFIX);
  return name;
#elif defined(__SANITIZE_ADDRESS__)
  return "asan";
#else
  return "libc";
#endif
}

uint64_t ReadRss() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (!file) return 0;
  unsigned long long pages_total = 0, pages_resident = 0;
  int fields = std::fscanf(file, "%llu %llu", &pages_total, &pages_resident);
  std::fclose(file);
  if (fields != 2) return 0;
  return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * page_size : 0;
}

uint64_t ClientMemory(const Client& client, uint64_t argv_bytes) {
  const net::Connection& connection = client.connection();
  return sizeof(Client) + connection.query_buffer_capacity() + connection.output_memory() +
         client.name.capacity() + client.transaction.queued_bytes() + argv_bytes;
}

net::TrafficCounters TotalTraffic(Server& server) {
  net::TrafficCounters total = server.stats().closed_traffic;
  for (const auto& [id, client] : server.clients()) total += client->connection().traffic();
  return total;
}

uint64_t UpdateMemoryPeak(Server& server, uint64_t used) {
  uint64_t& peak = server.info_samples().used_memory_peak;
  if (used > peak) peak = used;
  return peak;
}

void SampleInfoMetrics(Server& server) {
  InfoSamples& samples = server.info_samples();
  uint64_t used = server.memory_gauge().Used();
  if (samples.used_memory_startup == 0) samples.used_memory_startup = used;
  UpdateMemoryPeak(server, used);
  int64_t now = MonotonicUs();
  net::TrafficCounters traffic = TotalTraffic(server);
  Sample(samples.ops, server.stats().total_commands_processed, now);
  Sample(samples.input_bytes, traffic.input_bytes, now);
  Sample(samples.output_bytes, traffic.output_bytes, now);
}

void ResetInfoMetrics(Server& server) {
  net::TrafficCounters open;
  for (const auto& [id, client] : server.clients()) open += client->connection().traffic();
  // Totals are the closed connections' part plus the open ones' counters. Starting the closed
  // part at minus the open counters (unsigned arithmetic wraps) makes the totals zero now, and
  // a connection that closes later moves its whole count from one part to the other.
  net::TrafficCounters& closed = server.stats().closed_traffic;
  closed.input_bytes = 0 - open.input_bytes;
  closed.output_bytes = 0 - open.output_bytes;
  closed.reads = 0 - open.reads;
  closed.writes = 0 - open.writes;
  InfoSamples& samples = server.info_samples();
  samples.ops = samples.input_bytes = samples.output_bytes = {};
}

double AverageRate(const InfoSamples::Rate& rate) {
  uint64_t sum = 0;
  for (uint64_t value : rate.per_second) sum += value;
  return static_cast<double>(sum) / InfoSamples::Rate::kSlots;
}

}  // namespace magnetar::server
