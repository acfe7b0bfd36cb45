// The HyperLogLog commands through the dispatcher: deadlines kept, WATCH and the dirty counter on
// PFCOUNT's cache write, keyspace hits and misses, what propagates, hll-sparse-max-bytes read at
// each add, and corrupt strings. Reply and value bytes are compared with Redis in
// tests/diff/scripts/hyperloglog.redis, propagation in tests/diff/propagation/hyperloglog.redis.
#include <string>

#include "server/command_test.h"

namespace magnetar::server {
namespace {

using HyperLogLogCommandsTest = CommandTest;

constexpr std::string_view kNotHll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
constexpr std::string_view kCorrupt = "-INVALIDOBJ Corrupted HLL object detected\r\n";

TEST_F(HyperLogLogCommandsTest, WritesKeepTheDeadline) {
  Run({"PFADD", "h", "a"});
  Run({"EXPIRE", "h", "100"});
  EXPECT_EQ(Run({"PFADD", "h", "b"}), ":1\r\n");
  EXPECT_EQ(Run({"PFCOUNT", "h"}), ":2\r\n");
  Run({"PFMERGE", "h", "h"});
  Run({"PFDEBUG", "TODENSE", "h"});
  EXPECT_EQ(Run({"PFADD", "h", "c"}), ":1\r\n");  // dense, edited in place
  EXPECT_EQ(Run({"TTL", "h"}), ":100\r\n");
  EXPECT_EQ(Run({"PFCOUNT", "h"}), ":3\r\n");
}

TEST_F(HyperLogLogCommandsTest, CountCacheWriteFailsWatchOnce) {
  Run({"PFADD", "h", "a", "b"});
  Run({"WATCH", "h"});
  Run({"PFCOUNT", "h"});  // the cache was invalid: written now
  Run({"MULTI"});
  Run({"PING"});
  EXPECT_EQ(Run({"EXEC"}), "*-1\r\n");

  Run({"WATCH", "h"});
  Run({"PFCOUNT", "h"});  // the cache is valid: nothing written
  Run({"PFCOUNT", "h", "other"});
  Run({"MULTI"});
  Run({"PING"});
  EXPECT_EQ(Run({"EXEC"}), "*1\r\n+PONG\r\n");
}

TEST_F(HyperLogLogCommandsTest, PropagatesOnlyWhatChanged) {
  Run({"PFADD", "h", "a"});
  EXPECT_EQ(Propagated(), (Commands{{"PFADD", "h", "a"}}));
  Run({"PFADD", "h", "a"});
  EXPECT_TRUE(Propagated().empty());
  Run({"PFCOUNT", "h"});
  EXPECT_EQ(Propagated(), (Commands{{"PFCOUNT", "h"}}));
  Run({"PFCOUNT", "h"});
  EXPECT_TRUE(Propagated().empty());
  Run({"PFDEBUG", "GETREG", "h"});
  EXPECT_EQ(Propagated(), (Commands{{"PFDEBUG", "GETREG", "h"}}));
  Run({"PFDEBUG", "GETREG", "h"});
  EXPECT_TRUE(Propagated().empty());
}

TEST_F(HyperLogLogCommandsTest, CountsHitsForReadsOnly) {
  Run({"PFADD", "h", "a"});
  Run({"PFADD", "missing-write-lookup", "a"});
  Run({"PFCOUNT", "h", "nothing"});
  std::string info = Run({"INFO", "stats"});
  EXPECT_NE(info.find("keyspace_hits:1\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("keyspace_misses:1\r\n"), std::string::npos) << info;
}

TEST_F(HyperLogLogCommandsTest, SparseLimitIsReadAtEachAdd) {
  EXPECT_EQ(Run({"CONFIG", "GET", "hll-sparse-max-bytes"}),
            "*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n3000\r\n");
  Run({"PFADD", "h", "a", "b", "c"});
  EXPECT_EQ(Run({"PFDEBUG", "ENCODING", "h"}), "+sparse\r\n");
  EXPECT_EQ(Run({"CONFIG", "SET", "hll-sparse-max-bytes", "20"}), "+OK\r\n");
  Run({"PFADD", "h", "a"});  // no register raised: nothing rewritten
  EXPECT_EQ(Run({"PFDEBUG", "ENCODING", "h"}), "+sparse\r\n");
  Run({"PFADD", "h", "d"});
  EXPECT_EQ(Run({"PFDEBUG", "ENCODING", "h"}), "+dense\r\n");
  EXPECT_EQ(Run({"PFCOUNT", "h"}), ":4\r\n");
}

TEST_F(HyperLogLogCommandsTest, CorruptAndForeignValuesAreRefused) {
  Run({"RPUSH", "list", "a"});
  EXPECT_EQ(Run({"PFADD", "list", "a"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Run({"SET", "int", "12345678901234567"});
  EXPECT_EQ(Run({"PFCOUNT", "int"}), kNotHll);
  std::string few("HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xfe", 18);  // 16383 registers
  Run({"SET", "few", few});
  EXPECT_EQ(Run({"PFCOUNT", "few"}), kCorrupt);
  EXPECT_EQ(Run({"PFCOUNT", "few", "int"}), kCorrupt);
  EXPECT_EQ(Run({"PFMERGE", "dst", "few"}), kCorrupt);
  EXPECT_EQ(Run({"EXISTS", "dst"}), ":0\r\n");
  EXPECT_EQ(Run({"PFDEBUG", "TODENSE", "few"}), kCorrupt);
  EXPECT_EQ(Run({"GET", "few"}), "$18\r\n" + few + "\r\n");
  EXPECT_TRUE(Propagated().empty());
}

TEST_F(HyperLogLogCommandsTest, SelfTestPasses) { EXPECT_EQ(Run({"PFSELFTEST"}), "+OK\r\n"); }

}  // namespace
}  // namespace magnetar::server
