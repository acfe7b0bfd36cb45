// The sorted-set family through the real dispatcher: the dirty counter, WATCH, a big set in the
// B+tree encoding with ranks, ranges and ZSCAN, blocking pops inside MULTI, and the generic
// commands on sorted sets (TYPE, OBJECT ENCODING, COPY, RENAME, MOVE, SCAN TYPE, MEMORY USAGE,
// UNLINK). Replies and propagation are compared with Redis by tests/diff/scripts/zsets.redis and
// tests/diff/propagation/zsets.redis.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_test.h"

namespace magnetar::server {
namespace {

using ZSetCommandsTest = CommandTest;

TEST_F(ZSetCommandsTest, DirtyCountsChangedMembersAsRedisDoes) {
  const uint64_t start = server_.keyspace().dirty();
  Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});  // 3
  Run({"ZADD", "z", "1", "a"});                      // 0
  Run({"ZADD", "z", "5", "a", "6", "d"});            // 2
  Run({"ZREM", "z", "a", "x"});                      // 1
  Run({"ZPOPMIN", "z", "2"});                        // 2
  EXPECT_EQ(server_.keyspace().dirty() - start, 8u);
}

TEST_F(ZSetCommandsTest, BlockingPopsInsideMultiReplyAsATimeout) {
  Run({"MULTI"});
  Run({"BZPOPMIN", "z", "0"});
  Run({"BZMPOP", "0", "1", "z", "MIN"});
  EXPECT_EQ(Run({"EXEC"}), "*2\r\n*-1\r\n*-1\r\n");
}

TEST_F(ZSetCommandsTest, BigSetRanksRangesAndGenericCommands) {
  constexpr int kMembers = 3000;
  for (int i = 0; i < kMembers; ++i) {
    std::string member = "member:";
    member.append(std::to_string(i));
    client_.Run({"ZADD", "big", std::to_string(i), member});
  }
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "big"}), "$8\r\nskiplist\r\n");
  EXPECT_EQ(Run({"ZCARD", "big"}), ":3000\r\n");
  EXPECT_EQ(Run({"ZRANK", "big", "member:1234"}), ":1234\r\n");
  EXPECT_EQ(Run({"ZREVRANK", "big", "member:1234"}), ":1765\r\n");
  EXPECT_EQ(Run({"ZCOUNT", "big", "(100", "200"}), ":100\r\n");
  EXPECT_EQ(Run({"ZREVRANGE", "big", "0", "1", "WITHSCORES"}),
            "*4\r\n$11\r\nmember:2999\r\n$4\r\n2999\r\n$11\r\nmember:2998\r\n$4\r\n2998\r\n");
  EXPECT_EQ(Run({"ZRANGE", "big", "(2997", "+inf", "BYSCORE", "LIMIT", "1", "5"}),
            "*1\r\n$11\r\nmember:2999\r\n");
  EXPECT_EQ(Run({"ZREMRANGEBYRANK", "big", "10", "-11"}), ":2980\r\n");
  EXPECT_EQ(Run({"ZRANGE", "big", "9", "10"}), "*2\r\n$8\r\nmember:9\r\n$11\r\nmember:2990\r\n");
  std::vector<std::string> scanned;
  std::string cursor = "0";
  do {
    std::vector<std::string> bulks = Bulks(Run({"ZSCAN", "big", cursor, "COUNT", "3"}));
    ASSERT_FALSE(bulks.empty());
    cursor = bulks[0];
    scanned.insert(scanned.end(), bulks.begin() + 1, bulks.end());
  } while (cursor != "0");
  EXPECT_EQ(scanned.size(), 40u);  // 20 members and their scores, none twice (no resize)
  EXPECT_EQ(Run({"TYPE", "big"}), "+zset\r\n");
  EXPECT_EQ(Run({"COPY", "big", "copy"}), ":1\r\n");
  EXPECT_EQ(Run({"ZREM", "big", "member:0"}), ":1\r\n");
  EXPECT_EQ(Run({"ZCARD", "copy"}), ":20\r\n");
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "copy"}), "$8\r\nskiplist\r\n");
  EXPECT_EQ(Run({"RENAME", "copy", "renamed"}), "+OK\r\n");
  EXPECT_EQ(Run({"MOVE", "renamed", "2"}), ":1\r\n");
  Run({"SELECT", "2"});
  EXPECT_EQ(Run({"ZSCORE", "renamed", "member:0"}), "$1\r\n0\r\n");
  EXPECT_EQ(Run({"SCAN", "0", "TYPE", "zset"}), "*2\r\n$1\r\n0\r\n*1\r\n$7\r\nrenamed\r\n");
  std::string usage = Run({"MEMORY", "USAGE", "renamed"});
  ASSERT_EQ(usage[0], ':') << usage;
  EXPECT_GT(std::stoll(usage.substr(1)), 500);  // a 512-byte leaf and 20 entries at least
  EXPECT_EQ(Run({"UNLINK", "renamed"}), ":1\r\n");
  EXPECT_EQ(Run({"EXISTS", "renamed"}), ":0\r\n");
}

TEST_F(ZSetCommandsTest, WritesFailWatch) {
  Run({"ZADD", "z", "1", "a"});
  Run({"WATCH", "z"});
  Run({"ZINCRBY", "z", "1", "a"});
  Run({"MULTI"});
  Run({"PING"});
  EXPECT_EQ(Run({"EXEC"}), "*-1\r\n");
}

}  // namespace
}  // namespace magnetar::server
