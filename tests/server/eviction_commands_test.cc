// maxmemory through the dispatcher: the directives as CONFIG shows and refuses them, the OOM
// refusal, what an eviction propagates and notifies, INFO's fields, OBJECT FREQ and IDLETIME.
// Limits are set relative to the memory in use, which the test process's allocator measures.
#include <string>

#include "command_test.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::server {
namespace {

constexpr std::string_view kOom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

std::string Failed(std::string_view name, std::string_view reason) {
  return "-ERR CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - " +
         std::string(reason) + "\r\n";
}

class EvictionCommandsTest : public CommandTest {
 protected:
  uint64_t Used() { return server_.memory_gauge().Used(); }
  void Fill(int keys) {
    for (int i = 0; i < keys; ++i) {
      Run({"SET", "key:" + std::to_string(i), std::string(100, 'v')});
    }
  }
  // A limit `below` bytes under the memory in use now.
  void LimitBelowUse(std::string_view policy, uint64_t below) {
    ASSERT_EQ(Run({"CONFIG", "SET", "maxmemory-policy", policy}), "+OK\r\n");
    server_.config().maxmemory = Used() - below;
    server_.ApplyConfig();
  }
  size_t Keys() { return server_.keyspace().db(0).Size(); }
};

TEST_F(EvictionCommandsTest, DirectivesHaveRedisDefaults) {
  EXPECT_EQ(Bulks(Run({"CONFIG", "GET", "maxmemory*"})),
            (std::vector<std::string>{"maxmemory", "0", "maxmemory-policy", "noeviction",
                                      "maxmemory-samples", "5", "maxmemory-eviction-tenacity", "10",
                                      "maxmemory-clients", "0"}));
  EXPECT_EQ(Bulks(Run({"CONFIG", "GET", "lfu*"})),
            (std::vector<std::string>{"lfu-log-factor", "10", "lfu-decay-time", "1"}));
  EXPECT_EQ(Bulks(Run({"CONFIG", "GET", "lazyfree-lazy-eviction"})),
            (std::vector<std::string>{"lazyfree-lazy-eviction", "no"}));
}

TEST_F(EvictionCommandsTest, DirectivesTakeRedisValuesAndRefuseWithItsErrors) {
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory", "1gb"}), "+OK\r\n");
  EXPECT_EQ(Bulks(Run({"CONFIG", "GET", "maxmemory"}))[1], "1073741824");
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory", "99999999999999999999"}), "+OK\r\n");
  EXPECT_EQ(Bulks(Run({"CONFIG", "GET", "maxmemory"}))[1], "18446744073709551615");
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory", "0"}), "+OK\r\n");
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory", "-1"}),
            Failed("maxmemory", "argument must be a memory value"));
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"}), "+OK\r\n");
  EXPECT_EQ(Bulks(Run({"CONFIG", "GET", "maxmemory-policy"}))[1], "allkeys-lfu");
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory-policy", "lru"}),
            Failed("maxmemory-policy",
                   "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                   "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                   "noeviction"));
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory-samples", "0"}),
            Failed("maxmemory-samples", "argument must be between 1 and 2147483647 inclusive"));
  EXPECT_EQ(Run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"}),
            Failed("maxmemory-eviction-tenacity", "argument must be between 0 and 100 inclusive"));
  EXPECT_EQ(Run({"CONFIG", "SET", "lfu-log-factor", "x"}),
            Failed("lfu-log-factor", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(Run({"CONFIG", "SET", "lfu-decay-time", "-1"}),
            Failed("lfu-decay-time", "argument must be between 0 and 2147483647 inclusive"));
}

TEST_F(EvictionCommandsTest, NoEvictionRefusesDenyOomCommandsOnly) {
  Fill(10);
  LimitBelowUse("noeviction", 1);
  EXPECT_EQ(Run({"SET", "k", "v"}), kOom);
  EXPECT_EQ(Run({"GET", "key:1"}), "$100\r\n" + std::string(100, 'v') + "\r\n");
  EXPECT_EQ(Run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run({"GET", "key:1"}), kOom);  // nothing is queued while out of memory
  EXPECT_EQ(Run({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Run({"DEL", "key:1"}), ":1\r\n");
  EXPECT_EQ(Keys(), 9u);
}

TEST_F(EvictionCommandsTest, EvictionPropagatesDelAndNotifiesEvicted) {
  Run({"CONFIG", "SET", "notify-keyspace-events", "Ee"});
  other_.Run({"SUBSCRIBE", "__keyevent@0__:evicted"});
  Fill(200);
  LimitBelowUse("allkeys-lru", 4000);
  Run({"PING"});  // eviction runs before any command
  EXPECT_LT(Keys(), 200u);
  ASSERT_FALSE(Propagated().empty());
  EXPECT_EQ(Propagated()[0][0], "DEL");
  std::string messages = other_.Take();
  EXPECT_NE(messages.find("__keyevent@0__:evicted"), std::string::npos);
  EXPECT_NE(messages.find(Propagated()[0][1]), std::string::npos);
  EXPECT_EQ(server_.keyspace().stats().evicted, 200 - Keys());
}

TEST_F(EvictionCommandsTest, LazyEvictionPropagatesUnlink) {
  Run({"CONFIG", "SET", "lazyfree-lazy-eviction", "yes"});
  Fill(200);
  LimitBelowUse("allkeys-random", 4000);
  Run({"PING"});
  ASSERT_FALSE(Propagated().empty());
  EXPECT_EQ(Propagated()[0][0], "UNLINK");
}

TEST_F(EvictionCommandsTest, InfoShowsTheLimitThePolicyAndEvictions) {
  Run({"CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "volatile-ttl"});
  std::string memory = Run({"INFO", "memory"});
  EXPECT_NE(memory.find("maxmemory:1073741824\r\nmaxmemory_human:1.00G\r\n"), std::string::npos);
  EXPECT_NE(memory.find("maxmemory_policy:volatile-ttl\r\n"), std::string::npos);
  EXPECT_NE(memory.find("mem_not_counted_for_evict:0\r\n"), std::string::npos);
  EXPECT_NE(Run({"INFO", "stats"}).find("evicted_keys:0\r\n"), std::string::npos);
}

TEST_F(EvictionCommandsTest, ObjectFreqAndIdleTimeFollowThePolicy) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"OBJECT", "FREQ", "k"}),
            "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take some "
            "time to adjust.\r\n");
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "k"}), ":0\r\n");
  Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  Run({"SET", "fresh", "v"});
  EXPECT_EQ(Run({"OBJECT", "FREQ", "fresh"}), ":5\r\n");
  Run({"GET", "fresh"});
  EXPECT_EQ(Run({"OBJECT", "FREQ", "fresh"}), ":6\r\n");
  EXPECT_EQ(Run({"OBJECT", "FREQ", "nokey"}), "$-1\r\n");
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "fresh"}),
            "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time to "
            "adjust.\r\n");
}

}  // namespace
}  // namespace magnetar::server
