// The generic key family through the real dispatcher: argument checks, SWAPDB as clients on
// different databases see it, INFO's keyspace line and keyspace hit counting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::BulkPayload;
using test_support::FakeConnection;
using ::testing::HasSubstr;

class KeyCommandsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(first_.Open(server_));
    ASSERT_TRUE(second_.Open(server_));
  }

  // INFO's keyspace_hits and keyspace_misses.
  std::pair<int64_t, int64_t> HitsAndMisses() {
    std::string text(BulkPayload(first_.Run({"INFO", "stats"})));
    auto field = [&](std::string_view name) {
      size_t at = text.find(name);
      return at == std::string::npos ? -1 : std::stoll(text.substr(at + name.size()));
    };
    return {field("keyspace_hits:"), field("keyspace_misses:")};
  }

  Server server_{Config{}};
  FakeConnection first_;
  FakeConnection second_;
};

TEST_F(KeyCommandsServerTest, SwapDbChangesWhatOtherClientsSee) {
  first_.Run({"SET", "k", "in-zero"});
  second_.Run({"SELECT", "1"});
  EXPECT_EQ(second_.Run({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(first_.Run({"SWAPDB", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(second_.Run({"GET", "k"}), "$7\r\nin-zero\r\n");
  EXPECT_EQ(first_.Run({"DBSIZE"}), ":0\r\n");
}

TEST_F(KeyCommandsServerTest, ArityAndSubcommandErrors) {
  EXPECT_EQ(first_.Run({"EXPIRE", "k"}), "-ERR wrong number of arguments for 'expire' command\r\n");
  EXPECT_EQ(first_.Run({"OBJECT", "NOSUCH", "k"}),
            "-ERR unknown subcommand 'NOSUCH'. Try OBJECT HELP.\r\n");
  EXPECT_EQ(first_.Run({"OBJECT", "ENCODING"}),
            "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  EXPECT_EQ(first_.Run({"pexpire", "k", "9223372036854775807"}),
            "-ERR invalid expire time in 'pexpire' command\r\n");
}

TEST_F(KeyCommandsServerTest, KeyspaceLineReportsTheAverageTtl) {
  first_.Run({"SET", "a", "1"});
  first_.Run({"SET", "b", "2"});
  first_.Run({"EXPIRE", "b", "1000"});
  std::string text(BulkPayload(first_.Run({"INFO", "keyspace"})));
  constexpr std::string_view kPrefix = "db0:keys=2,expires=1,avg_ttl=";
  size_t at = text.find(kPrefix);
  ASSERT_NE(at, std::string::npos) << text;
  // The system clock runs: the TTL left is at most what was set, and far from 0.
  int64_t avg_ttl = std::stoll(text.substr(at + kPrefix.size()));
  EXPECT_LE(avg_ttl, 1'000'000);
  EXPECT_GT(avg_ttl, 900'000);
  first_.Run({"PERSIST", "b"});
  EXPECT_THAT(std::string(BulkPayload(first_.Run({"INFO", "keyspace"}))),
              HasSubstr("db0:keys=2,expires=0,avg_ttl=0\r\n"));
}

TEST_F(KeyCommandsServerTest, InspectingCommandsCountKeyspaceHits) {
  first_.Run({"SET", "k", "v"});
  std::pair<int64_t, int64_t> before = HitsAndMisses();
  first_.Run({"TYPE", "k"});
  first_.Run({"TTL", "nokey"});
  first_.Run({"EXISTS", "k", "k"});
  first_.Run({"KEYS", "*"});
  first_.Run({"RENAME", "k", "k2"});
  std::pair<int64_t, int64_t> after = HitsAndMisses();
  EXPECT_EQ(after.first - before.first, 3);
  EXPECT_EQ(after.second - before.second, 1);

  // Checked against Redis 7.0.15: COPY reads its source, SCAN's TYPE looks each key up, MOVE and
  // EXPIRE count nothing.
  before = after;
  first_.Run({"OBJECT", "ENCODING", "k2"});
  first_.Run({"COPY", "k2", "k3"});
  first_.Run({"MOVE", "k3", "1"});
  first_.Run({"TOUCH", "k2", "nokey"});
  first_.Run({"EXPIRE", "k2", "100"});
  first_.Run({"SCAN", "0", "TYPE", "string"});
  after = HitsAndMisses();
  EXPECT_EQ(after.first - before.first, 4);
  EXPECT_EQ(after.second - before.second, 1);
}

}  // namespace
}  // namespace magnetar::server
