// INFO memory: the allocator's and the kernel's figures, and how Redis derives its ratios from
// them.
#include "info_metrics.h"
#include "info_sections.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/server/client.h"

namespace magnetar::server::info {
namespace {

// Redis's human-readable sizes: "894.80K", "11.48M", "0B".
std::string HumanBytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{}B", bytes);
  double value = static_cast<double>(bytes);
  for (char unit : {'K', 'M', 'G', 'T', 'P'}) {
    value /= 1024;
    if (value < 1024) return fmt::format("{:.2f}{}", value, unit);
  }
  return fmt::format("{}B", bytes);  // 1024 PiB and above, as Redis
}

void BytesField(std::string& out, std::string_view name, uint64_t bytes) {
  Field(out, name, bytes);
  fmt::format_to(std::back_inserter(out), "{}_human:{}\r\n", name, HumanBytes(bytes));
}

double Ratio(uint64_t numerator, uint64_t denominator) {
  return denominator ? static_cast<double>(numerator) / denominator : 0;
}

int64_t Difference(uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); }

}  // namespace

void MemorySection(Server& server, std::string& out) {
  AllocatorFigures allocator = ReadAllocator();
  const uint64_t used = server.memory_gauge().Used();
  const uint64_t rss = ReadRss();
  const uint64_t peak = UpdateMemoryPeak(server, used);
  const uint64_t startup = server.info_samples().used_memory_startup;
  uint64_t clients = 0;
  for (const auto& [id, client] : server.clients()) clients += ClientMemory(*client);
  // The databases' tables and expiry indexes, as Redis counts its dictionaries' overhead.
  uint64_t tables = 0;
  const engine::Keyspace& keyspace = server.keyspace();
  for (size_t i = 0; i < keyspace.database_count(); ++i) {
    engine::DatabaseMemory memory = keyspace.db(i).Memory();
    tables += memory.table_bytes + memory.expiry_index_bytes;
  }
  // Redis's overhead also counts the replication and AOF buffers, which Magnetar has none of yet.
  const uint64_t overhead = startup + clients + tables;
  const uint64_t dataset = used > overhead ? used - overhead : 0;
  const uint64_t net_usage = used > startup ? used - startup : 1;

  BytesField(out, "used_memory", used);
  BytesField(out, "used_memory_rss", rss);
  BytesField(out, "used_memory_peak", peak);
  fmt::format_to(std::back_inserter(out), "used_memory_peak_perc:{:.2f}%\r\n",
                 100 * Ratio(used, peak));
  Field(out, "used_memory_overhead", overhead);
  Field(out, "used_memory_startup", startup);
  Field(out, "used_memory_dataset", dataset);
  fmt::format_to(std::back_inserter(out), "used_memory_dataset_perc:{:.2f}%\r\n",
                 100 * Ratio(dataset, net_usage));
  Field(out, "allocator_allocated", allocator.allocated);
  Field(out, "allocator_active", allocator.active);
  Field(out, "allocator_resident", allocator.resident);
  BytesField(out, "total_system_memory", TotalSystemMemory());
  // No scripting or functions yet: no Lua VM and nothing cached.
  Field(out, "used_memory_lua", 0);
  Field(out, "used_memory_vm_eval", 0);
  Field(out, "used_memory_lua_human", HumanBytes(0));
  Field(out, "used_memory_scripts_eval", 0);
  Field(out, "number_of_cached_scripts", 0);
  Field(out, "number_of_functions", 0);
  Field(out, "number_of_libraries", 0);
  Field(out, "used_memory_vm_functions", 0);
  BytesField(out, "used_memory_vm_total", 0);
  Field(out, "used_memory_functions", 0);
  BytesField(out, "used_memory_scripts", 0);
  BytesField(out, "maxmemory", server.config().maxmemory);
  Field(out, "maxmemory_policy",
        engine::kEvictionPolicyNames[static_cast<size_t>(server.config().maxmemory_policy)]);
  Fixed2Field(out, "allocator_frag_ratio", Ratio(allocator.active, allocator.allocated));
  Field(out, "allocator_frag_bytes", Difference(allocator.active, allocator.allocated));
  Fixed2Field(out, "allocator_rss_ratio", Ratio(allocator.resident, allocator.active));
  Field(out, "allocator_rss_bytes", Difference(allocator.resident, allocator.active));
  Fixed2Field(out, "rss_overhead_ratio", Ratio(rss, allocator.resident));
  Field(out, "rss_overhead_bytes", Difference(rss, allocator.resident));
  Fixed2Field(out, "mem_fragmentation_ratio", Ratio(rss, used));
  Field(out, "mem_fragmentation_bytes", Difference(rss, used));
  // Redis leaves out the replication buffers past repl-backlog-size and the AOF buffer, which
  // Magnetar does not have yet: everything counts.
  Field(out, "mem_not_counted_for_evict", 0);
  Field(out, "mem_replication_backlog", 0);
  Field(out, "mem_total_replication_buffers", 0);
  Field(out, "mem_clients_slaves", 0);
  Field(out, "mem_clients_normal", clients);
  Field(out, "mem_cluster_links", 0);
  Field(out, "mem_aof_buffer", 0);
  Field(out, "mem_allocator", AllocatorName());
  Field(out, "active_defrag_running", 0);
  const engine::LazyFreer& lazy_freer = server.keyspace().lazy_freer();
  Field(out, "lazyfree_pending_objects", lazy_freer.pending_objects());
  Field(out, "lazyfreed_objects", lazy_freer.freed_objects());
}

}  // namespace magnetar::server::info
