// BITCOUNT and BITOP costs on megabyte strings, the sizes where word-at-a-time loops matter.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "magnetar/commands/bit_ops.h"

namespace magnetar::commands {
namespace {

constexpr size_t kMegabyte = 1 << 20;

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

void SetProcessed(benchmark::State& state, size_t bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_iteration));
}

// BITCOUNT k over the whole of a 1 MB value.
void BM_BitCountWhole(benchmark::State& state) {
  const std::string value = RandomBytes(kMegabyte, 1);
  for (auto _ : state) benchmark::DoNotOptimize(BitCount(value));
  SetProcessed(state, value.size());
}
BENCHMARK(BM_BitCountWhole);

// BITCOUNT k 3 -5 BIT: the same work plus ragged edge bytes.
void BM_BitCountBitRange(benchmark::State& state) {
  const std::string value = RandomBytes(kMegabyte, 2);
  for (auto _ : state) benchmark::DoNotOptimize(BitCount(value, 3, -5, BitUnit::kBit));
  SetProcessed(state, value.size());
}
BENCHMARK(BM_BitCountBitRange);

// BITPOS k 1 over 1 MB of zeros with the only set bit at the very end: a full scan.
void BM_BitPosScan(benchmark::State& state) {
  std::string value(kMegabyte, '\0');
  SetBit(value, kMegabyte * 8 - 1, true);
  for (auto _ : state) benchmark::DoNotOptimize(BitPos(value, true));
  SetProcessed(state, value.size());
}
BENCHMARK(BM_BitPosScan);

// BITOP <op> dest a b c over three 1 MB values.
void BM_BitOp(benchmark::State& state) {
  const auto op = static_cast<BitOpKind>(state.range(0));
  const std::string a = RandomBytes(kMegabyte, 3), b = RandomBytes(kMegabyte, 4),
                    c = RandomBytes(kMegabyte, 5);
  const std::vector<std::string_view> inputs{a, b, c};
  for (auto _ : state) benchmark::DoNotOptimize(BitOp(op, inputs));
  SetProcessed(state, 3 * kMegabyte);
}
BENCHMARK(BM_BitOp)
    ->Arg(static_cast<int>(BitOpKind::kAnd))
    ->Arg(static_cast<int>(BitOpKind::kOr))
    ->Arg(static_cast<int>(BitOpKind::kXor));

}  // namespace
}  // namespace magnetar::commands
