// MEMORY USAGE's figures through the dispatcher. The differential script
// (tests/diff/scripts/memory.redis) compares the replies' shapes and errors with Redis; the
// numbers are Magnetar's own, so they are checked here against what the values hold.
#include <gtest/gtest.h>

#include <string>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::FakeConnection;

class MemoryCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(client_.Open(server_)); }

  std::string Run(std::initializer_list<std::string_view> args) { return client_.Run(args); }

  // MEMORY USAGE's integer for `key`; fails the test on any other reply.
  int64_t Usage(std::string_view key) {
    std::string reply = Run({"MEMORY", "USAGE", key});
    EXPECT_EQ(reply.front(), ':') << reply;
    return reply.front() == ':' ? std::stoll(reply.substr(1)) : -1;
  }

  Server server_{Config{}};
  FakeConnection client_;
};

TEST_F(MemoryCommandTest, StringsCountTheirBytesOnce) {
  Run({"SET", "small", "v"});
  Run({"SET", "big", std::string(1000, 'x')});
  int64_t small = Usage("small");
  int64_t big = Usage("big");
  EXPECT_GT(small, 0);
  EXPECT_LT(small, 100);
  // The heap block holds the 1000 bytes; the rest is the entry and its share of the table.
  EXPECT_GE(big, 1000);
  EXPECT_LT(big, 1000 + 200);
}

TEST_F(MemoryCommandTest, AggregatesGrowWithTheirElementsInBothEncodings) {
  const std::string member(16, 'm');
  for (int i = 0; i < 1000; ++i) {
    std::string element = member + std::to_string(i);
    Run({"RPUSH", "list", element});
    Run({"SADD", "set", element});
    Run({"HSET", "hash", element, element});
  }
  ASSERT_EQ(Run({"OBJECT", "ENCODING", "set"}), "$9\r\nhashtable\r\n");
  ASSERT_EQ(Run({"OBJECT", "ENCODING", "hash"}), "$9\r\nhashtable\r\n");
  // At least the elements' bytes, and no more than a generous overhead per element.
  const int64_t element_bytes = 1000 * 19;
  EXPECT_GE(Usage("list"), element_bytes);
  EXPECT_LT(Usage("list"), element_bytes * 2);
  EXPECT_GE(Usage("set"), element_bytes);
  EXPECT_LT(Usage("set"), element_bytes + 1000 * 64);
  EXPECT_GE(Usage("hash"), 2 * element_bytes);
  EXPECT_LT(Usage("hash"), 2 * element_bytes + 1000 * 64);

  // Compact encodings: an intset of 100 integers holds 8 bytes or fewer per member.
  for (int i = 0; i < 100; ++i) Run({"SADD", "ints", std::to_string(i)});
  ASSERT_EQ(Run({"OBJECT", "ENCODING", "ints"}), "$6\r\nintset\r\n");
  EXPECT_GE(Usage("ints"), 100 * 2);
  EXPECT_LT(Usage("ints"), 100 * 2 + 200);

  // Removing elements gives their bytes back.
  int64_t before = Usage("set");
  for (int i = 0; i < 500; ++i) Run({"SREM", "set", member + std::to_string(i)});
  EXPECT_LE(Usage("set"), before - 500 * 19);
}

TEST_F(MemoryCommandTest, SamplesLeaveTheExactFigureAlone) {
  for (int i = 0; i < 600; ++i) Run({"HSET", "h", "field" + std::to_string(i), "v"});
  const std::string exact = Run({"MEMORY", "USAGE", "h"});
  EXPECT_EQ(Run({"MEMORY", "USAGE", "h", "SAMPLES", "1"}), exact);
  EXPECT_EQ(Run({"MEMORY", "USAGE", "h", "samples", "0"}), exact);
  EXPECT_EQ(Run({"MEMORY", "USAGE", "h", "SAMPLES", "5", "SAMPLES", "1000"}), exact);
}

// Like Redis, MEMORY USAGE looks at the table as it is: a key past its deadline that nothing
// removed yet is measured, not expired, and no hit or miss is counted.
TEST_F(MemoryCommandTest, MeasuresWithoutExpiringOrCounting) {
  Run({"SET", "gone", "v", "PXAT", "1"});
  EXPECT_EQ(Run({"MEMORY", "USAGE", "gone"}).front(), ':');
  EXPECT_EQ(Run({"MEMORY", "USAGE", "missing"}), "$-1\r\n");
  EXPECT_EQ(Run({"DBSIZE"}), ":1\r\n");
  std::string stats = Run({"INFO", "stats"});
  EXPECT_NE(stats.find("keyspace_hits:0\r\n"), std::string::npos);
  EXPECT_NE(stats.find("keyspace_misses:0\r\n"), std::string::npos);
}

// STATS counts the keys of every database and has one entry for each database that holds any,
// whose table figures are INFO's; the dataset is what the named overheads leave of used memory.
TEST_F(MemoryCommandTest, StatsListTheDatabasesThatHoldKeys) {
  for (int i = 0; i < 100; ++i) Run({"SET", std::to_string(i), "v"});
  Run({"SELECT", "3"});
  Run({"SET", "other", "v", "EX", "100"});
  const std::string stats = Run({"MEMORY", "STATS"});
  ASSERT_TRUE(stats.starts_with("*58\r\n")) << stats;  // 27 pairs and two databases
  EXPECT_NE(stats.find("$4\r\ndb.0\r\n*6\r\n"), std::string::npos);
  EXPECT_NE(stats.find("$4\r\ndb.3\r\n*6\r\n"), std::string::npos);
  EXPECT_EQ(stats.find("db.1"), std::string::npos);
  EXPECT_NE(stats.find("$10\r\nkeys.count\r\n:101\r\n"), std::string::npos);
  // db.3's key has a deadline, so its expiry index holds something.
  const size_t db3 = stats.find("db.3");
  const size_t expires = stats.find("overhead.hashtable.expires\r\n:", db3);
  EXPECT_NE(stats.substr(expires, 32), "overhead.hashtable.expires\r\n:0\r");
}

}  // namespace
}  // namespace magnetar::server
