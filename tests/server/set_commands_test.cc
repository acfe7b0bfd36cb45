// The set family through the real dispatcher: what random pops propagate (which the propagation
// scripts cannot compare with Redis's AOF, the members being random), the dirty counter, WATCH,
// conversions at a configured set-max-intset-entries, big sets, and the generic commands on sets.
// Replies are compared with Redis by tests/diff/scripts/sets.redis.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "command_test.h"

namespace magnetar::server {
namespace {

using SetCommandsTest = CommandTest;

TEST_F(SetCommandsTest, SpopWithACountPropagatesOneSremPerMemberInATransaction) {
  for (const char* member : {"1", "2", "3", "4", "5", "a"}) Run({"SADD", "s", member});
  std::vector<std::string> popped = Bulks(Run({"SPOP", "s", "3"}));
  ASSERT_EQ(popped.size(), 3u);
  Commands expected{{"MULTI"}};
  for (const std::string& member : popped) expected.push_back({"SREM", "s", member});
  expected.push_back({"EXEC"});
  EXPECT_EQ(Propagated(), expected);
  EXPECT_EQ(Run({"SCARD", "s"}), ":3\r\n");
  for (const std::string& member : popped) {
    EXPECT_EQ(Run({"SISMEMBER", "s", member}), ":0\r\n") << member;
  }
  // One member: a single SREM, no transaction.
  std::vector<std::string> one = Bulks(Run({"SPOP", "s", "1"}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(Propagated(), (Commands{{"SREM", "s", one[0]}}));
  // Without a count: SREM of the member drawn.
  std::vector<std::string> single = Bulks(Run({"SPOP", "s"}));
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(Propagated(), (Commands{{"SREM", "s", single[0]}}));
  // The rest at once: DEL.
  EXPECT_EQ(Bulks(Run({"SPOP", "s", "5"})).size(), 1u);
  EXPECT_EQ(Propagated(), (Commands{{"DEL", "s"}}));
  EXPECT_EQ(Run({"EXISTS", "s"}), ":0\r\n");
}

TEST_F(SetCommandsTest, SrandmemberPropagatesNothing) {
  Run({"SADD", "s", "a", "b"});
  Run({"SRANDMEMBER", "s", "-10"});
  Run({"SRANDMEMBER", "s"});
  EXPECT_TRUE(sink_.commands.empty());
}

TEST_F(SetCommandsTest, DirtyCountsMembersAsRedisDoes) {
  const uint64_t start = server_.keyspace().dirty();
  Run({"SADD", "s", "a", "b", "c", "a"});  // 3
  Run({"SADD", "s", "a"});                 // 0
  Run({"SREM", "s", "a", "b", "x"});       // 2
  Run({"SPOP", "s"});                      // 1
  EXPECT_EQ(server_.keyspace().dirty() - start, 6u);
}

TEST_F(SetCommandsTest, WritesFailWatch) {
  Run({"SADD", "src", "1"});
  other_.Run({"WATCH", "dst"});
  other_.Run({"MULTI"});
  other_.Run({"PING"});
  Run({"SMOVE", "src", "dst", "1"});
  EXPECT_EQ(other_.Run({"EXEC"}), "*-1\r\n");
}

TEST_F(SetCommandsTest, ConversionFollowsTheConfiguredLimit) {
  Run({"CONFIG", "SET", "set-max-intset-entries", "3"});
  Run({"SADD", "s", "1", "2", "3"});
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "s"}), "$6\r\nintset\r\n");
  Run({"SADD", "s", "4"});
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "s"}), "$9\r\nhashtable\r\n");
}

TEST_F(SetCommandsTest, BigSetsScanCompletelyAndSupportTheGenericCommands) {
  for (int i = 0; i < 3000; ++i) {
    std::string member = "member:";
    member.append(std::to_string(i));
    client_.Run({"SADD", "big", member});
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    std::vector<std::string> bulks = Bulks(Run({"SSCAN", "big", cursor, "COUNT", "100"}));
    ASSERT_FALSE(bulks.empty());
    cursor = bulks[0];
    seen.insert(bulks.begin() + 1, bulks.end());
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 3000u);
  EXPECT_EQ(Run({"COPY", "big", "copy"}), ":1\r\n");
  EXPECT_EQ(Run({"SREM", "big", "member:1"}), ":1\r\n");
  EXPECT_EQ(Run({"SCARD", "copy"}), ":3000\r\n");
  EXPECT_EQ(Run({"SINTERCARD", "2", "big", "copy"}), ":2999\r\n");
  EXPECT_EQ(Run({"SDIFF", "copy", "big"}), "*1\r\n$8\r\nmember:1\r\n");
  EXPECT_EQ(Run({"RENAME", "copy", "renamed"}), "+OK\r\n");
  EXPECT_EQ(Run({"MOVE", "renamed", "2"}), ":1\r\n");
  Run({"SELECT", "2"});
  EXPECT_EQ(Run({"TYPE", "renamed"}), "+set\r\n");
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "renamed"}), "$9\r\nhashtable\r\n");
  EXPECT_EQ(Run({"SCAN", "0", "TYPE", "set"}), "*2\r\n$1\r\n0\r\n*1\r\n$7\r\nrenamed\r\n");
  EXPECT_EQ(Run({"UNLINK", "renamed"}), ":1\r\n");
}

}  // namespace
}  // namespace magnetar::server
