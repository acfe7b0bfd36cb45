// Per-client limits from the configuration: client-query-buffer-limit, client-output-buffer-limit,
// and the header limits before AUTH. Servers start with the directives on their command line.
#include <chrono>
#include <string>
#include <thread>

#include "server_fixture.h"
#include "support/resp_reply.h"

namespace magnetar::e2e {
namespace {

using test_support::EncodeCommand;

class LimitsTest : public ServerTest {};

TEST_P(LimitsTest, QueryBufferLimitClosesClient) {
  ASSERT_TRUE(StartServer({{"client-query-buffer-limit", "1mb"}}));
  // One 2 MB argument cannot fit in a 1 MB query buffer: the server drops the client without a
  // reply. The send fails part way once the server has closed.
  auto client = Connect();
  client->SendRaw("*2\r\n$3\r\nGET\r\n$2000000\r\n" + std::string(2'000'002, 'a'));
  std::string received;
  EXPECT_TRUE(client->WaitForClose(&received));
  EXPECT_EQ(received, "");
  EXPECT_TRUE(ServesNewClient());
}

TEST_P(LimitsTest, RequestsUnderQueryBufferLimitRun) {
  ASSERT_TRUE(StartServer({{"client-query-buffer-limit", "1mb"}}));
  auto client = Connect();
  const std::string value(900'000, 'v');
  EXPECT_EQ(client->Call({"SET", "k", value}), "+OK\r\n");
  EXPECT_EQ(client->Call({"GET", "k"}), "$900000\r\n" + value + "\r\n");
}

TEST_P(LimitsTest, QueryBufferLimitCountsUnparsedBytesNotTheWholeCommand) {
  ASSERT_TRUE(StartServer({{"client-query-buffer-limit", "1mb"}}));
  // A 3 MB command made of 200,000 small arguments runs: Redis parses arguments out of the query
  // buffer as they arrive, so the buffer itself never holds more than a read's worth.
  std::vector<std::string> keys = {"DEL"};
  for (int i = 0; i < 200'000; ++i) keys.push_back("key:" + std::to_string(i));
  auto client = Connect();
  ASSERT_TRUE(client->SendRaw(EncodeCommand(keys))) << client->error();
  std::string reply;
  EXPECT_EQ(client->ReadReply(reply), ReadStatus::kReply) << client->error();
  EXPECT_EQ(reply, ":0\r\n");
}

TEST_P(LimitsTest, UnauthenticatedClientCannotAnnounceLargeRequests) {
  ASSERT_TRUE(StartServer({{"requirepass", "secret"}}));
  auto client = Connect();
  EXPECT_EQ(client->Call({"GET", "k"}), "-NOAUTH Authentication required.\r\n");
  ASSERT_TRUE(client->SendRaw("*11\r\n"));
  std::string received;
  EXPECT_TRUE(client->WaitForClose(&received));
  EXPECT_EQ(received, "-ERR Protocol error: unauthenticated multibulk length\r\n");

  client = Connect();
  ASSERT_TRUE(client->SendRaw("*2\r\n$3\r\nGET\r\n$16385\r\n"));
  received.clear();
  EXPECT_TRUE(client->WaitForClose(&received));
  EXPECT_EQ(received, "-ERR Protocol error: unauthenticated bulk length\r\n");

  // After AUTH the same requests are fine.
  client = Connect();
  EXPECT_EQ(client->Call({"AUTH", "secret"}), "+OK\r\n");
  EXPECT_EQ(client->Call({"DEL", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}), ":0\r\n");
}

// How a flood of pipelined requests from a client that never reads ended.
struct FloodResult {
  int64_t requests_sent = 0;
  bool connection_broken = false;  // a send failed: the server closed the connection
};

// Writes `count` copies of `request` without ever reading, as fast as the kernel takes them.
// Stops early when the server closes the connection, or once the server has stopped taking bytes
// for a while (it stopped reading, as it should when the client does not read its replies). The
// time limits only bound the test's length; what the tests assert is the server's behaviour.
FloodResult FloodWithoutReading(RespClient& client, std::string_view request, int64_t count) {
  constexpr int kRequestsPerChunk = 1000;
  constexpr auto kStallLimit = std::chrono::seconds(2);
  constexpr auto kTotalLimit = std::chrono::seconds(60);
  std::string chunk;
  for (int i = 0; i < kRequestsPerChunk; ++i) chunk += request;
  const int64_t total = count * static_cast<int64_t>(request.size());
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  int64_t sent = 0;
  FloodResult result;
  while (sent < total) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress > kStallLimit || now - start > kTotalLimit) break;
    const size_t offset = static_cast<size_t>(sent % static_cast<int64_t>(chunk.size()));
    const size_t length = std::min<int64_t>(chunk.size() - offset, total - sent);
    ssize_t n = client.TrySend(std::string_view(chunk).substr(offset, length));
    if (n < 0) {
      result.connection_broken = true;
      break;
    }
    if (n == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    sent += n;
    last_progress = now;
  }
  result.requests_sent = sent / static_cast<int64_t>(request.size());
  return result;
}

constexpr int64_t kFloodRequests = 200'000;
constexpr size_t kValueSize = 10 * 1024;

TEST_P(LimitsTest, OutputBufferLimitClosesClientThatNeverReads) {
  ASSERT_TRUE(StartServer({{"client-output-buffer-limit", "normal 1mb 0 0"}}));
  auto setup = Connect();
  ASSERT_EQ(setup->Call({"SET", "big", std::string(kValueSize, 'x')}), "+OK\r\n");
  auto flooder = Connect();
  std::string_view get[] = {"GET", "big"};
  FloodResult flood = FloodWithoutReading(*flooder, EncodeCommand(get), kFloodRequests);
  // Either a send already failed, or the close is waiting behind the replies sent before it.
  EXPECT_TRUE(flood.connection_broken || flooder->WaitForClose())
      << "sent " << flood.requests_sent << " requests, connection still open";
  EXPECT_TRUE(ServesNewClient());
}

// The replies of one pipelined batch add up to several times the point (1 MB) where Magnetar
// stops running a client's requests until its output leaves: every one of them still arrives,
// with no further input from the client to wake the connection.
TEST_P(LimitsTest, ABatchWhoseRepliesOutgrowTheOutputPauseIsAnsweredInFull) {
  ASSERT_TRUE(StartServer());
  auto client = Connect();
  const std::string value(100 * 1024, 'x');
  ASSERT_EQ(client->Call({"SET", "big", value}), "+OK\r\n");
  constexpr int kGets = 40;  // 4 MB of replies
  const std::string_view get[] = {"GET", "big"};
  const std::string_view ping[] = {"PING"};
  std::string batch;
  for (int i = 0; i < kGets; ++i) batch += EncodeCommand(get);
  batch += EncodeCommand(ping);
  ASSERT_TRUE(client->SendRaw(batch)) << client->error();
  std::string reply;
  for (int i = 0; i < kGets; ++i) {
    ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply) << "reply " << i << client->error();
    ASSERT_EQ(reply, "$102400\r\n" + value + "\r\n") << "reply " << i;
  }
  ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply) << client->error();
  EXPECT_EQ(reply, "+PONG\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, LimitsTest, BothServers(), ServerParamName);

// Redis buffers every reply of a client that does not read, so only Magnetar, which stops
// reading from such a client, runs this one.
class BackpressureTest : public ServerTest {};

TEST_P(BackpressureTest, ClientThatNeverReadsDoesNotGrowServerMemory) {
  ASSERT_TRUE(StartServer());
  auto setup = Connect();
  const std::string value(kValueSize, 'x');
  ASSERT_EQ(setup->Call({"SET", "big", value}), "+OK\r\n");
  const int64_t rss_before = server_->RssBytes();
  ASSERT_GT(rss_before, 0);

  // 200,000 replies of 10 KB would be 2 GB if the server buffered them all.
  auto flooder = Connect();
  std::string_view get[] = {"GET", "big"};
  FloodResult flood = FloodWithoutReading(*flooder, EncodeCommand(get), kFloodRequests);
  EXPECT_FALSE(flood.connection_broken) << "no output limit is configured";

  const int64_t growth = server_->PeakRssBytes() - rss_before;
  EXPECT_LT(growth, 200ll << 20) << "peak RSS grew by " << (growth >> 20) << " MB after "
                                 << flood.requests_sent << " requests";
  EXPECT_TRUE(ServesNewClient());
  // The flooding client is still served once it reads.
  std::string reply;
  ASSERT_EQ(flooder->ReadReply(reply), ReadStatus::kReply) << flooder->error();
  EXPECT_EQ(reply, "$10240\r\n" + value + "\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, BackpressureTest, ::testing::Values(ServerKind::kMagnetar),
                         ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
