// Parser and reply builder costs on the shapes redis-benchmark sends and receives.
#include <benchmark/benchmark.h>

#include <string>

#include "magnetar/resp/reply_builder.h"
#include "magnetar/resp/request_parser.h"

namespace magnetar::resp {
namespace {

std::string Repeat(std::string_view request, int times) {
  std::string stream;
  for (int i = 0; i < times; ++i) stream.append(request);
  return stream;
}

// Parses a pipelined batch of 16 requests, as `redis-benchmark -P 16` delivers them.
void ParseBatch(benchmark::State& state, std::string_view request) {
  const std::string stream = Repeat(request, 16);
  ParserLimits limits;
  RequestParser parser(limits);
  for (auto _ : state) {
    std::string_view rest = stream;
    while (!rest.empty()) {
      parser.Parse(rest);
      benchmark::DoNotOptimize(parser.args().data());
      rest.remove_prefix(parser.consumed());
    }
  }
  state.SetItemsProcessed(state.iterations() * 16);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stream.size()));
}

void BM_ParseSet(benchmark::State& state) {
  ParseBatch(state, "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$3\r\nxxx\r\n");
}
BENCHMARK(BM_ParseSet);

void BM_ParseGet(benchmark::State& state) {
  ParseBatch(state, "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n");
}
BENCHMARK(BM_ParseGet);

void BM_ParseInlinePing(benchmark::State& state) { ParseBatch(state, "PING\r\n"); }
BENCHMARK(BM_ParseInlinePing);

void BM_ReplyBulk(benchmark::State& state) {
  ReplyBuilder reply;
  for (auto _ : state) {
    reply.buffer().clear();
    for (int i = 0; i < 16; ++i) reply.Bulk("xxx");
    benchmark::DoNotOptimize(reply.buffer().data());
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_ReplyBulk);

void BM_ReplyInteger(benchmark::State& state) {
  ReplyBuilder reply;
  for (auto _ : state) {
    reply.buffer().clear();
    for (int i = 0; i < 16; ++i) reply.Integer(1234567 + i);
    benchmark::DoNotOptimize(reply.buffer().data());
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_ReplyInteger);

void BM_ReplyMapResp3(benchmark::State& state) {
  ReplyBuilder reply;
  reply.set_protocol(Protocol::kResp3);
  for (auto _ : state) {
    reply.buffer().clear();
    reply.Map(4);
    for (int i = 0; i < 4; ++i) {
      reply.Bulk("field");
      reply.Double(i + 0.5);
    }
    benchmark::DoNotOptimize(reply.buffer().data());
  }
}
BENCHMARK(BM_ReplyMapResp3);

}  // namespace
}  // namespace magnetar::resp
