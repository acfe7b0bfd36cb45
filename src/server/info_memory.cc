// INFO memory: the figures of MemoryBreakdown, in Redis's fields.
#include "info_sections.h"
#include "magnetar/engine/keyspace.h"
#include "memory_breakdown.h"

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

}  // namespace

void MemorySection(Server& server, std::string& out) {
  const MemoryBreakdown memory = ReadMemoryBreakdown(server);
  BytesField(out, "used_memory", memory.used);
  BytesField(out, "used_memory_rss", memory.rss);
  BytesField(out, "used_memory_peak", memory.peak);
  fmt::format_to(std::back_inserter(out), "used_memory_peak_perc:{:.2f}%\r\n",
                 memory.PeakPercentage());
  Field(out, "used_memory_overhead", memory.overhead);
  Field(out, "used_memory_startup", memory.startup);
  Field(out, "used_memory_dataset", memory.dataset);
  fmt::format_to(std::back_inserter(out), "used_memory_dataset_perc:{:.2f}%\r\n",
                 memory.DatasetPercentage());
  Field(out, "allocator_allocated", memory.allocator.allocated);
  Field(out, "allocator_active", memory.allocator.active);
  Field(out, "allocator_resident", memory.allocator.resident);
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
  Fixed2Field(out, "allocator_frag_ratio", memory.AllocatorFragmentation());
  Field(out, "allocator_frag_bytes", memory.AllocatorFragmentationBytes());
  Fixed2Field(out, "allocator_rss_ratio", memory.AllocatorRss());
  Field(out, "allocator_rss_bytes", memory.AllocatorRssBytes());
  Fixed2Field(out, "rss_overhead_ratio", memory.RssOverhead());
  Field(out, "rss_overhead_bytes", memory.RssOverheadBytes());
  Fixed2Field(out, "mem_fragmentation_ratio", memory.Fragmentation());
  Field(out, "mem_fragmentation_bytes", memory.FragmentationBytes());
  Field(out, "mem_not_counted_for_evict", server.memory_gauge().NotCounted());
  Field(out, "mem_replication_backlog", memory.replication_backlog);
  // The backlog and the replicas' unsent stream, which Redis keeps in one shared buffer.
  Field(out, "mem_total_replication_buffers", memory.replication_backlog + memory.clients_replicas);
  Field(out, "mem_clients_slaves", memory.clients_replicas);
  Field(out, "mem_clients_normal", memory.clients_normal);
  Field(out, "mem_cluster_links", 0);
  Field(out, "mem_aof_buffer", memory.aof_buffer);
  Field(out, "mem_allocator", AllocatorName());
  Field(out, "active_defrag_running", 0);
  const engine::LazyFreer& lazy_freer = server.keyspace().lazy_freer();
  Field(out, "lazyfree_pending_objects", lazy_freer.pending_objects());
  Field(out, "lazyfreed_objects", lazy_freer.freed_objects());
}

}  // namespace magnetar::server::info
