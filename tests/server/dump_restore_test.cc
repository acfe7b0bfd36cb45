// DUMP and RESTORE through the dispatcher: what the differential script (dump_restore.redis) and
// the end-to-end test cannot show against Redis: a payload through every type in-process, an
// IDLETIME beyond what Magnetar's LRU clock spans, and sanitize-dump-payload clients, which
// validates payloads deeply because no client here is exempt.
#include <gtest/gtest.h>

#include <string>

#include "command_test.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

Config DebugAllowed() {
  Config config;
  config.enable_debug_command = ProtectedAccess::kYes;
  return config;
}

class DumpRestoreTest : public CommandTest {
 protected:
  DumpRestoreTest() : CommandTest(DebugAllowed()) {}
};

// A listpack hash whose field "f1" appears twice, with a valid footer (RDB 10, CRC64).
const std::string kDuplicateFieldHash(
    "\x10\x17\x17\x00\x00\x00\x04\x00\x82"
    "f1\x03\x82v1\x03\x82"
    "f1\x03\x82v2\x03\xff\x0a\x00\xef\xe5g\x14"
    "F\xb3,\x9d",
    35);

TEST_F(DumpRestoreTest, EveryTypeRestoresToTheSameValue) {
  Run({"SET", "string", "value"});
  Run({"RPUSH", "list", "a", "1"});
  Run({"HSET", "hash", "f", "v"});
  Run({"SADD", "set", "1", "x"});
  Run({"ZADD", "zset", "1.5", "m"});
  for (std::string key : {"string", "list", "hash", "set", "zset"}) {
    std::string payload(test_support::BulkPayload(Run({"DUMP", key})));
    ASSERT_FALSE(payload.empty()) << key;
    EXPECT_EQ(Run({"RESTORE", "copy", "0", payload, "REPLACE"}), "+OK\r\n") << key;
    EXPECT_EQ(Run({"DEBUG", "DIGEST-VALUE", "copy"}), Run({"DEBUG", "DIGEST-VALUE", key})) << key;
  }
}

TEST_F(DumpRestoreTest, IdleTimeBeyondTheLruClockIsTheOldestStamp) {
  Run({"SET", "k", "v"});
  std::string payload(test_support::BulkPayload(Run({"DUMP", "k"})));
  EXPECT_EQ(Run({"RESTORE", "old", "0", payload, "IDLETIME", "100000000"}), "+OK\r\n");
  // 2^24 - 2 ticks of 1/16 s.
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "old"}), ":1048575\r\n");
}

TEST_F(DumpRestoreTest, SanitizeClientsValidatesEveryClientsPayload) {
  EXPECT_EQ(Run({"CONFIG", "SET", "sanitize-dump-payload", "clients"}), "+OK\r\n");
  EXPECT_EQ(Run({"RESTORE", "dup", "0", kDuplicateFieldHash}), "-ERR Bad data format\r\n");
  EXPECT_EQ(Run({"EXISTS", "dup"}), ":0\r\n");
}

}  // namespace
}  // namespace magnetar::server
