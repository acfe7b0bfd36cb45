// Clients that break the protocol: the server must answer as Redis does (the exact protocol
// error, then close), never crash, and keep serving everyone else.
#include <random>
#include <string>

#include "server_fixture.h"
#include "support/resp_reply.h"

namespace magnetar::e2e {
namespace {

class AbuseTest : public ServerTest {
 protected:
  // Sends `bytes`, then reads until the server closes. Returns what it sent back, or
  // "(left open)" if it did not close. The send may fail part way when the server closes first.
  std::string SendAndWaitForClose(std::string_view bytes) {
    auto client = Connect();
    client->SendRaw(bytes);
    std::string received;
    if (!client->WaitForClose(&received)) return "(left open)";
    return received;
  }
};

TEST_P(AbuseTest, BulkLengthAboveLimitIsAProtocolError) {
  ASSERT_TRUE(StartServer());
  EXPECT_EQ(SendAndWaitForClose("*1\r\n$1099511627776\r\n"),
            "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(SendAndWaitForClose("*2\r\n$3\r\nGET\r\n$-5\r\n"),
            "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(SendAndWaitForClose("*1\r\n$x\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(SendAndWaitForClose("*1\r\nPING\r\n"),
            "-ERR Protocol error: expected '$', got 'P'\r\n");
  EXPECT_EQ(SendAndWaitForClose("*3000000000\r\n"),
            "-ERR Protocol error: invalid multibulk length\r\n");
  EXPECT_EQ(SendAndWaitForClose("*abc\r\n"), "-ERR Protocol error: invalid multibulk length\r\n");
  // Replies to the requests before the bad one are sent first.
  EXPECT_EQ(SendAndWaitForClose("PING\r\n*1\r\n$1099511627776\r\n"),
            "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(ServesNewClient());
}

TEST_P(AbuseTest, HugeMultibulkHeaderDoesNotReserveMemory) {
  ASSERT_TRUE(StartServer());
  const int64_t rss_before = server_->RssBytes();
  ASSERT_GT(rss_before, 0);
  // Ten million arguments announced, a hundred thousand sent, then the client hangs up. The
  // server may only spend memory on what actually arrived.
  std::string request = "*10000000\r\n";
  for (int i = 0; i < 100'000; ++i) request += "$3\r\nabc\r\n";
  auto client = Connect();
  ASSERT_TRUE(client->SendRaw(request)) << client->error();
  client->ShutdownWrite();
  std::string received;
  // The server closes once it has read everything up to the end of the stream.
  EXPECT_TRUE(client->WaitForClose(&received));
  EXPECT_EQ(received, "");
  EXPECT_TRUE(ServesNewClient());
  const int64_t growth = server_->PeakRssBytes() - rss_before;
  EXPECT_LT(growth, 100ll << 20) << "peak RSS grew by " << (growth >> 20) << " MB";
}

TEST_P(AbuseTest, UnbalancedQuotesInInlineCommand) {
  ASSERT_TRUE(StartServer());
  EXPECT_EQ(SendAndWaitForClose("SET k \"abc\r\nPING\r\n"),
            "-ERR Protocol error: unbalanced quotes in request\r\n");
  EXPECT_EQ(SendAndWaitForClose("PING\r\nECHO 'abc\r\n"),
            "+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n");
  // A closing quote must be followed by a space or the end of the line.
  EXPECT_EQ(SendAndWaitForClose("ECHO \"a\"b\r\n"),
            "-ERR Protocol error: unbalanced quotes in request\r\n");
  EXPECT_TRUE(ServesNewClient());
}

TEST_P(AbuseTest, OverlongLinesAreProtocolErrors) {
  ASSERT_TRUE(StartServer());
  // More than 64 KB without a newline.
  EXPECT_EQ(SendAndWaitForClose(std::string(70'000, 'a')),
            "-ERR Protocol error: too big inline request\r\n");
  EXPECT_EQ(SendAndWaitForClose("*" + std::string(70'000, '1')),
            "-ERR Protocol error: too big mbulk count string\r\n");
  EXPECT_EQ(SendAndWaitForClose("*1\r\n$" + std::string(70'000, '1')),
            "-ERR Protocol error: too big bulk count string\r\n");
  // A long line that does end is an ordinary request.
  auto client = Connect();
  std::string line = "ECHO " + std::string(60'000, 'x') + "\r\n";
  ASSERT_TRUE(client->SendRaw(line));
  std::string reply;
  ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply) << client->error();
  EXPECT_EQ(reply, "$60000\r\n" + std::string(60'000, 'x') + "\r\n");
  EXPECT_TRUE(ServesNewClient());
}

TEST_P(AbuseTest, RandomBytesDoNotDisturbOtherClients) {
  ASSERT_TRUE(StartServer());
  auto bystander = Connect();
  ASSERT_EQ(bystander->Call({"SET", "safe", "value"}), "+OK\r\n");
  std::mt19937 random(20240601);
  for (int round = 0; round < 50; ++round) {
    std::string garbage(16 * 1024, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    auto client = Connect();
    client->SendRaw(garbage);
    // End of stream, so a request left half-finished cannot keep the connection waiting.
    client->ShutdownWrite();
    EXPECT_TRUE(client->WaitForClose()) << "round " << round;
    ASSERT_EQ(bystander->Call({"PING"}), "+PONG\r\n")
        << "round " << round << ": " << bystander->error() << "; server "
        << server_->ExitDescription();
  }
  EXPECT_EQ(bystander->Call({"GET", "safe"}), "$5\r\nvalue\r\n");
  EXPECT_TRUE(ServesNewClient());
}

INSTANTIATE_TEST_SUITE_P(Servers, AbuseTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
