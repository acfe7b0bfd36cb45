// Whole commands as the server executes them, in-process: request bytes through the connection's
// RequestParser, Dispatch with the real Server and Client, replies into the ReplyBuilder, and the
// reply bytes taken out after each batch as the connection's write does. There is no socket and
// no event loop, so the figures are the server's CPU per request without the I/O. The requests
// have redis-benchmark's shapes: keys drawn from 1,000,000 (-r 1000000), 3-byte values (-d 3),
// MSET of 10 keys.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// The tests' socketless connection, so the benchmark runs requests exactly as the tests do.
#include "magnetar/resp/reply_builder.h"
#include "magnetar/resp/request_parser.h"
#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::FakeConnection;

constexpr size_t kKeyspace = 1'000'000;
constexpr std::string_view kValue = "xxx";
// Requests in a stream of random keys: enough that a run's keys spread over the whole keyspace
// as redis-benchmark's do, rather than staying in the CPU caches. A multiple of every batch size.
constexpr size_t kStreamRequests = 1 << 20;

// redis-benchmark's names: "key:000000123456", "counter:000000123456".
std::string KeyName(std::string_view prefix, size_t i) {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%012zu", i);
  return std::string(prefix) + digits;
}

// One server for all the benchmarks, loaded once outside the timed loops: "key:N" holds "xxx" and
// "counter:N" holds 0 for every N in the keyspace, so GET always hits and SET, MSET and INCR
// overwrite, as in a redis-benchmark run past its first pass. Memory stays flat while they run.
struct Fixture {
  Fixture() : server(Config{}) {
    engine::Database& db = server.keyspace().db(0);
    for (size_t i = 0; i < kKeyspace; ++i) {
      db.SetString(KeyName("key:", i), kValue);
      db.SetInteger(KeyName("counter:", i), 0);
    }
    if (!connection.Open(server)) std::abort();
  }

  Server server;
  FakeConnection connection;  // declared after the server, so destroyed first
};

Fixture& SharedFixture() {
  static Fixture fixture;
  return fixture;
}

// `count` requests, each the arguments `make` returns for a random key number, as one buffer of
// RESP multibulks: the bytes a client sends. The reply builder writes exactly that encoding.
template <typename Make>
std::string RequestStream(size_t count, Make make) {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<size_t> key(0, kKeyspace - 1);
  resp::ReplyBuilder encoder;
  for (size_t i = 0; i < count; ++i) {
    std::vector<std::string> args = make(random, key);
    encoder.Array(args.size());
    for (const std::string& arg : args) encoder.Bulk(arg);
  }
  // The timed loops skip the parse status, so every request is checked to parse here, once.
  resp::ParserLimits limits;
  resp::RequestParser parser(limits);
  for (std::string_view rest = encoder.buffer(); !rest.empty();
       rest.remove_prefix(parser.consumed())) {
    if (parser.Parse(rest) != resp::ParseStatus::kRequest) std::abort();
  }
  return std::move(encoder.buffer());
}

// Executes `stream` from its start, `batch` requests per iteration, wrapping around at its end.
// Before timing, the first request's reply must start with `expected`; after, every request must
// have been dispatched and none answered with an error, or the run is reported as failed.
void RunStream(benchmark::State& state, const std::string& stream, int batch,
               std::string_view expected) {
  Fixture& fixture = SharedFixture();
  resp::RequestParser& parser = fixture.connection.parser();
  std::string& output = fixture.connection.reply().buffer();
  net::Session& session = *fixture.connection.session();

  std::string_view rest = stream;
  if (parser.Parse(rest) != resp::ParseStatus::kRequest) {
    return state.SkipWithError("the first request does not parse");
  }
  int64_t now_us = session.OnRequest(parser.args(), MonotonicUs());
  if (!output.starts_with(expected))
    return state.SkipWithError(("unexpected reply " + output).c_str());
  output.clear();

  const ServerStats& stats = fixture.server.stats();
  const uint64_t commands_before = stats.total_commands_processed;
  const uint64_t errors_before = stats.total_error_replies;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      parser.Parse(rest);  // RequestStream checked that every request parses
      now_us = session.OnRequest(parser.args(), now_us);
      rest.remove_prefix(parser.consumed());
      if (rest.empty()) rest = stream;
    }
    output.clear();
  }
  const auto requests = static_cast<int64_t>(state.iterations()) * batch;
  if (stats.total_commands_processed - commands_before != static_cast<uint64_t>(requests) ||
      stats.total_error_replies != errors_before) {
    state.SkipWithError("a request was not dispatched or failed");
  }
  state.SetItemsProcessed(requests);
}

using Random = std::mt19937_64;
using KeyDistribution = std::uniform_int_distribution<size_t>;

const std::string& GetStream() {
  static const std::string stream =
      RequestStream(kStreamRequests, [](Random& random, KeyDistribution& key) {
        return std::vector<std::string>{"GET", KeyName("key:", key(random))};
      });
  return stream;
}

void BM_Set(benchmark::State& state) {
  static const std::string stream =
      RequestStream(kStreamRequests, [](Random& random, KeyDistribution& key) {
        return std::vector<std::string>{"SET", KeyName("key:", key(random)), std::string(kValue)};
      });
  RunStream(state, stream, 1, "+OK\r\n");
}
BENCHMARK(BM_Set);

void BM_GetHit(benchmark::State& state) { RunStream(state, GetStream(), 1, "$3\r\nxxx\r\n"); }
BENCHMARK(BM_GetHit);

void BM_Incr(benchmark::State& state) {
  static const std::string stream =
      RequestStream(kStreamRequests, [](Random& random, KeyDistribution& key) {
        return std::vector<std::string>{"INCR", KeyName("counter:", key(random))};
      });
  RunStream(state, stream, 1, ":");
}
BENCHMARK(BM_Incr);

// One item is one MSET of 10 keys. Fewer requests than the others, since each is 10 times larger.
void BM_Mset10(benchmark::State& state) {
  static const std::string stream =
      RequestStream(kStreamRequests / 16, [](Random& random, KeyDistribution& key) {
        std::vector<std::string> args = {"MSET"};
        for (int i = 0; i < 10; ++i) {
          args.push_back(KeyName("key:", key(random)));
          args.emplace_back(kValue);
        }
        return args;
      });
  RunStream(state, stream, 1, "+OK\r\n");
}
BENCHMARK(BM_Mset10);

void BM_Ping(benchmark::State& state) {
  static const std::string stream =
      RequestStream(1, [](Random&, KeyDistribution&) { return std::vector<std::string>{"PING"}; });
  RunStream(state, stream, 1, "+PONG\r\n");
}
BENCHMARK(BM_Ping);

// 16 GETs parsed from one buffer and answered into one output, as with `redis-benchmark -P 16`.
void BM_GetHitPipelined16(benchmark::State& state) {
  RunStream(state, GetStream(), 16, "$3\r\nxxx\r\n");
}
BENCHMARK(BM_GetHitPipelined16);

}  // namespace
}  // namespace magnetar::server
