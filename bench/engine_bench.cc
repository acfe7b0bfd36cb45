// Keyspace engine benchmarks: insert, lookup hit and miss, scan, plus measurements the engine's
// requirements name: jemalloc bytes per key for 1,000,000 keys (16-byte names, 3-byte values)
// with and without a TTL, the longest single insert while growing to 10,000,000 keys, the event
// loop's share of FLUSHALL ASYNC at that size, and active expiry of 1,000 due keys among
// 1,000,000 far-off ones. Run with --benchmark_filter to pick; the large ones run once.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/engine/keyspace.h"

#ifdef MAGNETAR_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace magnetar::engine {
namespace {

// "key:000000000042": 16 bytes.
std::string KeyName(size_t i) {
  char name[32];
  std::snprintf(name, sizeof(name), "key:%012zu", i);
  return name;
}

std::vector<std::string> KeyNames(size_t count, size_t offset = 0) {
  std::vector<std::string> names;
  names.reserve(count);
  for (size_t i = 0; i < count; ++i) names.push_back(KeyName(i + offset));
  return names;
}

void BM_Insert(benchmark::State& state) {
  auto count = static_cast<size_t>(state.range(0));
  std::vector<std::string> names = KeyNames(count);
  for (auto _ : state) {
    Keyspace keyspace(1);
    for (const std::string& name : names) keyspace.db(0).SetString(name, "abc");
    benchmark::DoNotOptimize(keyspace.db(0).Size());
    state.PauseTiming();
    keyspace.db(0).Clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
}
BENCHMARK(BM_Insert)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Looks up `probes` round-robin in a database holding the first `count` key names.
void LookupLoop(benchmark::State& state, const std::vector<std::string>& probes) {
  auto count = static_cast<size_t>(state.range(0));
  Keyspace keyspace(1);
  for (const std::string& name : KeyNames(count)) keyspace.db(0).SetString(name, "abc");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(keyspace.db(0).GetString(probes[i]));
    i = i + 1 == probes.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_LookupHit(benchmark::State& state) {
  LookupLoop(state, KeyNames(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_LookupHit)->Arg(1'000)->Arg(1'000'000);

void BM_LookupMiss(benchmark::State& state) {
  auto count = static_cast<size_t>(state.range(0));
  LookupLoop(state, KeyNames(count, count));  // names past the stored ones
}
BENCHMARK(BM_LookupMiss)->Arg(1'000)->Arg(1'000'000);

void BM_Scan(benchmark::State& state) {
  auto count = static_cast<size_t>(state.range(0));
  Keyspace keyspace(1);
  for (const std::string& name : KeyNames(count)) keyspace.db(0).SetString(name, "abc");
  for (auto _ : state) {
    size_t seen = 0;
    uint64_t cursor = 0;
    do {
      cursor = keyspace.db(0).Scan(cursor, [&seen](const Entry&) { ++seen; });
    } while (cursor != 0);
    benchmark::DoNotOptimize(seen);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
}
BENCHMARK(BM_Scan)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

#ifdef MAGNETAR_WITH_JEMALLOC
size_t JemallocAllocated() {
  uint64_t epoch = 1;
  size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
  size_t allocated = 0;
  size = sizeof(allocated);
  mallctl("stats.allocated", &allocated, &size, nullptr, 0);
  return allocated;
}

// Arguments: with a TTL (0/1), numeric values (0: "abc", 1: "123").
void BM_MemoryPerKey(benchmark::State& state) {
  constexpr size_t kKeys = 1'000'000;
  bool ttl = state.range(0) != 0;
  const char* value = state.range(1) != 0 ? "123" : "abc";
  std::vector<std::string> names = KeyNames(kKeys);
  for (auto _ : state) {
    SystemClock clock;
    Keyspace keyspace(1, clock);
    Database& db = keyspace.db(0);
    size_t before = JemallocAllocated();
    for (const std::string& name : names) {
      db.SetString(name, value,
                   ttl ? TtlUpdate::At(clock.NowMs() + 3'600'000) : TtlUpdate::Clear());
    }
    while (db.RehashStep(1'000)) {
    }
    keyspace.lazy_freer().Drain();
    size_t after = JemallocAllocated();
    DatabaseMemory memory = db.Memory();
    state.counters["bytes_per_key"] = static_cast<double>(after - before) / kKeys;
    state.counters["table_per_key"] = static_cast<double>(memory.table_bytes) / kKeys;
    state.counters["index_per_key"] = static_cast<double>(memory.expiry_index_bytes) / kKeys;
    state.counters["entry_per_key"] = static_cast<double>(memory.entry_bytes) / kKeys;
  }
}
BENCHMARK(BM_MemoryPerKey)
    ->ArgNames({"ttl", "numeric"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
#endif

// Thread CPU time: unlike wall time, not inflated when this shared machine preempts the thread.
int64_t ThreadCpuNs() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// The longest single SET while growing from 0 to 10,000,000 keys (cron rehashing off: every
// resize advances through the inserts alone), then how long FLUSHALL ASYNC holds the event loop.
// jemalloc's background thread is on, as the server should run it (Redis's jemalloc-bg-thread):
// otherwise jemalloc purges freed pages inline, which after a 64 MB table is freed takes ms.
void BM_GrowTo10M(benchmark::State& state) {
  constexpr size_t kKeys = 10'000'000;
#ifdef MAGNETAR_WITH_JEMALLOC
  bool on = true;
  mallctl("background_thread", nullptr, nullptr, &on, sizeof(on));
#endif
  for (auto _ : state) {
    Keyspace keyspace(1);
    Database& db = keyspace.db(0);
    int64_t longest_cpu_ns = 0;
    int64_t longest_wall_us = 0;
    int64_t over_1ms_cpu = 0;
    int64_t total_start = MonotonicUs();
    std::string name;
    for (size_t i = 0; i < kKeys; ++i) {
      name = KeyName(i);
      int64_t wall_start = MonotonicUs();
      int64_t cpu_start = ThreadCpuNs();
      db.SetString(name, "abc");
      int64_t cpu = ThreadCpuNs() - cpu_start;
      longest_wall_us = std::max(longest_wall_us, MonotonicUs() - wall_start);
      longest_cpu_ns = std::max(longest_cpu_ns, cpu);
      over_1ms_cpu += cpu > 1'000'000;
    }
    state.counters["load_s"] = static_cast<double>(MonotonicUs() - total_start) / 1e6;
    state.counters["longest_set_cpu_us"] = static_cast<double>(longest_cpu_ns) / 1e3;
    state.counters["longest_set_wall_us"] = static_cast<double>(longest_wall_us);
    state.counters["sets_over_1ms_cpu"] = static_cast<double>(over_1ms_cpu);
    int64_t flush_start = MonotonicUs();
    keyspace.FlushAllAsync();
    state.counters["flushall_async_us"] = static_cast<double>(MonotonicUs() - flush_start);
    int64_t drain_start = MonotonicUs();
    keyspace.lazy_freer().Drain();
    state.counters["background_free_s"] = static_cast<double>(MonotonicUs() - drain_start) / 1e6;
  }
}
BENCHMARK(BM_GrowTo10M)->Iterations(1)->Unit(benchmark::kSecond);

// 1,000,000 keys with TTLs a day away and 1,000 sharing one deadline 10 s ahead; the cron ticks
// every 100 ms (simulated clock). Reports the tick that removes the 1,000 and the cost of a tick
// with nothing due.
void BM_ExpireFewAmongMany(benchmark::State& state) {
  for (auto _ : state) {
    ManualClock clock;
    Keyspace keyspace(1, clock);
    Database& db = keyspace.db(0);
    int64_t deadline = clock.NowMs() + 10'000;
    for (size_t i = 0; i < 1'000'000; ++i) {
      db.SetString(KeyName(i), "abc",
                   TtlUpdate::At(clock.NowMs() + 86'400'000 + int64_t(i % 3'600'000)));
    }
    for (size_t i = 0; i < 1'000; ++i) {
      db.SetString("due:" + std::to_string(i), "abc", TtlUpdate::At(deadline));
    }
    int64_t idle_total_us = 0;
    int64_t idle_ticks = 0;
    size_t removed = 0;
    int64_t removal_tick_us = 0;
    int64_t removed_at_ms = 0;
    while (removed < 1'000) {
      clock.AdvanceMs(100);
      int64_t start = MonotonicUs();
      size_t now_removed = keyspace.ActiveExpireStep(25'000);
      int64_t spent = MonotonicUs() - start;
      if (now_removed == 0) {
        idle_total_us += spent;
        ++idle_ticks;
      } else {
        removal_tick_us += spent;
        removed_at_ms = clock.NowMs();
      }
      removed += now_removed;
    }
    state.counters["removal_ms_after_deadline"] = static_cast<double>(removed_at_ms - deadline);
    state.counters["removal_tick_us"] = static_cast<double>(removal_tick_us);
    state.counters["idle_tick_us"] =
        static_cast<double>(idle_total_us) / std::max<int64_t>(1, idle_ticks);
  }
}
BENCHMARK(BM_ExpireFewAmongMany)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace magnetar::engine
