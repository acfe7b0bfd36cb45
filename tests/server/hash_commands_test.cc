// The hash family through the real dispatcher: what HINCRBYFLOAT and the reads propagate, the
// dirty counter, WATCH, the events of a hash emptied by HDEL, conversions at a configured
// hash-max-listpack-entries and hash-max-listpack-value, WRONGTYPE, HRANDFIELD's distinct draws,
// big hashes with HSCAN and the generic commands, and the lazy freeing of big hashes. Replies are
// compared with Redis by tests/diff/scripts/hashes.redis, propagation and events by
// tests/diff/propagation/hashes.redis.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "command_test.h"

namespace magnetar::server {
namespace {

class HashCommandsTest : public CommandTest {
 protected:
  // Gives `key` the fields f0..f<count - 1>, each valued "value-of-" and its name, in one HSET.
  void Fill(std::string_view key, int count) {
    std::vector<std::string> args{"HSET", std::string(key)};
    for (int i = 0; i < count; ++i) {
      std::string field = "f" + std::to_string(i);
      args.push_back(field);
      args.push_back(ValueOf(field));
    }
    std::vector<std::string_view> views(args.begin(), args.end());
    ASSERT_EQ(client_.Run(views), ":" + std::to_string(count) + "\r\n");
  }
  static std::string ValueOf(std::string_view field) { return "value-of-" + std::string(field); }

  std::string Encoding(std::string_view key) {
    std::vector<std::string> bulks = Bulks(Run({"OBJECT", "ENCODING", key}));
    return bulks.empty() ? "" : bulks[0];
  }

  size_t LazilyFreed() {
    server_.keyspace().lazy_freer().Drain();
    return server_.keyspace().lazy_freer().freed_objects();
  }
};

TEST_F(HashCommandsTest, HincrbyfloatPropagatesItsResultAsHset) {
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", "1.5"}), "$3\r\n1.5\r\n");
  EXPECT_EQ(Propagated(), (Commands{{"HSET", "h", "f", "1.5"}}));
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", "1e2"}), "$5\r\n101.5\r\n");
  EXPECT_EQ(Propagated(), (Commands{{"HSET", "h", "f", "101.5"}}));
  // The other writes propagate as sent.
  Run({"HINCRBY", "h", "n", "3"});
  EXPECT_EQ(Propagated(), (Commands{{"HINCRBY", "h", "n", "3"}}));
  Run({"hmset", "h", "a", "1"});
  EXPECT_EQ(Propagated(), (Commands{{"hmset", "h", "a", "1"}}));
}

TEST_F(HashCommandsTest, ReadsAndNoOpWritesPropagateNothing) {
  Run({"HSET", "h", "a", "1", "b", "2"});
  for (auto args : {std::vector<std::string_view>{"HRANDFIELD", "h", "-5", "WITHVALUES"},
                    std::vector<std::string_view>{"HRANDFIELD", "h"},
                    std::vector<std::string_view>{"HGETALL", "h"},
                    std::vector<std::string_view>{"HSETNX", "h", "a", "x"},
                    std::vector<std::string_view>{"HDEL", "h", "nosuch"},
                    std::vector<std::string_view>{"HDEL", "nokey", "a"},
                    std::vector<std::string_view>{"HINCRBY", "h", "a", "x"},
                    std::vector<std::string_view>{"HINCRBYFLOAT", "h", "a", "x"}}) {
    sink_.commands.clear();
    client_.Run(args);
    EXPECT_TRUE(sink_.commands.empty()) << args[0];
  }
}

TEST_F(HashCommandsTest, DirtyCountsFieldsAsRedisDoes) {
  const uint64_t start = server_.keyspace().dirty();
  Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});  // 3
  Run({"HSET", "h", "a", "1"});                      // 1: every pair counts, new or not
  Run({"HSETNX", "h", "a", "x"});                    // 0
  Run({"HSETNX", "h", "d", "4"});                    // 1
  Run({"HDEL", "h", "a", "b", "nosuch"});            // 2
  Run({"HINCRBY", "h", "c", "1"});                   // 1
  Run({"HINCRBYFLOAT", "h", "c", "0.5"});            // 1
  EXPECT_EQ(server_.keyspace().dirty() - start, 9u);
}

TEST_F(HashCommandsTest, WritesFailWatchAndNoOpsDoNot) {
  Run({"HSET", "h", "a", "1"});
  other_.Run({"WATCH", "h"});
  other_.Run({"MULTI"});
  other_.Run({"PING"});
  Run({"HSETNX", "h", "a", "x"});
  Run({"HDEL", "h", "nosuch"});
  EXPECT_EQ(other_.Run({"EXEC"}), "*1\r\n+PONG\r\n");
  other_.Run({"WATCH", "h"});
  other_.Run({"MULTI"});
  other_.Run({"PING"});
  Run({"HINCRBY", "h", "a", "1"});
  EXPECT_EQ(other_.Run({"EXEC"}), "*-1\r\n");
}

TEST_F(HashCommandsTest, HdelOfTheLastFieldDeletesTheKeyWithHdelThenDel) {
  Run({"CONFIG", "SET", "notify-keyspace-events", "Kgh"});
  other_.Run({"SUBSCRIBE", "__keyspace@0__:h"});
  Run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(Run({"HDEL", "h", "a", "b", "c"}), ":2\r\n");
  EXPECT_EQ(Propagated(), (Commands{{"HDEL", "h", "a", "b", "c"}}));
  EXPECT_EQ(Run({"EXISTS", "h"}), ":0\r\n");
  // Each message is "message", the channel and the event.
  std::vector<std::string> messages = Bulks(other_.Take());
  std::vector<std::string> events;
  for (size_t i = 2; i < messages.size(); i += 3) events.push_back(messages[i]);
  EXPECT_EQ(events, (std::vector<std::string>{"hset", "hdel", "del"}));
}

TEST_F(HashCommandsTest, ConversionFollowsTheConfiguredLimits) {
  Run({"CONFIG", "SET", "hash-max-listpack-entries", "3"});
  Run({"HSET", "entries", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Encoding("entries"), "listpack");
  Run({"HSET", "entries", "c", "updated"});  // no new field: still within the limit
  EXPECT_EQ(Encoding("entries"), "listpack");
  Run({"HSETNX", "entries", "d", "4"});
  EXPECT_EQ(Encoding("entries"), "hashtable");
  // Never back, even once small again.
  Run({"HDEL", "entries", "a", "b", "c"});
  EXPECT_EQ(Encoding("entries"), "hashtable");
  EXPECT_EQ(Run({"HGETALL", "entries"}), "*2\r\n$1\r\nd\r\n$1\r\n4\r\n");

  Run({"CONFIG", "SET", "hash-max-listpack-value", "4"});
  Run({"HSET", "values", "abcd", "wxyz"});
  EXPECT_EQ(Encoding("values"), "listpack");
  Run({"HSET", "values", "f", "vwxyz"});
  EXPECT_EQ(Encoding("values"), "hashtable");
  Run({"HSET", "fields", "abcde", "v"});
  EXPECT_EQ(Encoding("fields"), "hashtable");
  // A result that outgrows the limit converts like any value.
  Run({"HINCRBY", "counted", "n", "9999"});
  EXPECT_EQ(Encoding("counted"), "listpack");
  Run({"HINCRBY", "counted", "n", "1"});
  EXPECT_EQ(Encoding("counted"), "hashtable");
  EXPECT_EQ(Run({"HGET", "counted", "n"}), "$5\r\n10000\r\n");
}

TEST_F(HashCommandsTest, EveryCommandRefusesAnotherTypeAndChangesNothing) {
  Run({"SET", "str", "x"});
  const std::string kWrongType =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  for (auto args : {std::vector<std::string_view>{"HSET", "str", "f", "v"},
                    std::vector<std::string_view>{"HSETNX", "str", "f", "v"},
                    std::vector<std::string_view>{"HMSET", "str", "f", "v"},
                    std::vector<std::string_view>{"HDEL", "str", "f"},
                    std::vector<std::string_view>{"HINCRBY", "str", "f", "1"},
                    std::vector<std::string_view>{"HINCRBYFLOAT", "str", "f", "1"},
                    std::vector<std::string_view>{"HGET", "str", "f"},
                    std::vector<std::string_view>{"HMGET", "str", "f"},
                    std::vector<std::string_view>{"HLEN", "str"},
                    std::vector<std::string_view>{"HSTRLEN", "str", "f"},
                    std::vector<std::string_view>{"HEXISTS", "str", "f"},
                    std::vector<std::string_view>{"HKEYS", "str"},
                    std::vector<std::string_view>{"HVALS", "str"},
                    std::vector<std::string_view>{"HGETALL", "str"},
                    std::vector<std::string_view>{"HRANDFIELD", "str"},
                    std::vector<std::string_view>{"HRANDFIELD", "str", "2"},
                    std::vector<std::string_view>{"HSCAN", "str", "0"}}) {
    sink_.commands.clear();
    EXPECT_EQ(client_.Run(args), kWrongType) << args[0];
    EXPECT_TRUE(sink_.commands.empty()) << args[0];
  }
  EXPECT_EQ(Run({"GET", "str"}), "$1\r\nx\r\n");
  Run({"HSET", "h", "f", "v"});
  EXPECT_EQ(Run({"GET", "h"}), kWrongType);
  EXPECT_EQ(Run({"SADD", "h", "m"}), kWrongType);
}

// Positive counts draw distinct fields in every way HRANDFIELD has: a listpack, a large share of a
// table (one selecting walk) and a few fields of a big table (random draws).
TEST_F(HashCommandsTest, HrandfieldWithACountDrawsDistinctFieldsWithTheirValues) {
  Fill("small", 10);
  Fill("big", 3000);
  ASSERT_EQ(Encoding("small"), "listpack");
  ASSERT_EQ(Encoding("big"), "hashtable");
  struct Case {
    const char* key;
    int count;
  };
  for (Case c : {Case{"small", 4}, Case{"big", 2000}, Case{"big", 10}}) {
    std::string count = std::to_string(c.count);
    std::vector<std::string> pairs = Bulks(Run({"HRANDFIELD", c.key, count, "WITHVALUES"}));
    ASSERT_EQ(pairs.size(), 2u * c.count) << c.key << " " << c.count;
    std::set<std::string> fields;
    for (size_t i = 0; i < pairs.size(); i += 2) {
      EXPECT_EQ(pairs[i + 1], ValueOf(pairs[i]));
      fields.insert(pairs[i]);
    }
    EXPECT_EQ(fields.size(), static_cast<size_t>(c.count)) << c.key << " " << c.count;
    EXPECT_EQ(Bulks(Run({"HRANDFIELD", c.key, count})).size(), static_cast<size_t>(c.count));
  }
  // RESP3 nests each field with its value.
  Run({"HELLO", "3"});
  std::string reply = Run({"HRANDFIELD", "big", "2", "WITHVALUES"});
  EXPECT_TRUE(reply.starts_with("*2\r\n*2\r\n$")) << reply;
  EXPECT_EQ(Bulks(Run({"HRANDFIELD", "small", "-30"})).size(), 30u);
}

TEST_F(HashCommandsTest, BigHashesScanCompletelyAndSupportTheGenericCommands) {
  Fill("big", 3000);
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    std::vector<std::string> bulks = Bulks(Run({"HSCAN", "big", cursor, "COUNT", "100"}));
    ASSERT_FALSE(bulks.empty());
    cursor = bulks[0];
    for (size_t i = 1; i + 1 < bulks.size(); i += 2) {
      EXPECT_EQ(bulks[i + 1], ValueOf(bulks[i]));
      seen.insert(bulks[i]);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 3000u);
  EXPECT_EQ(Run({"COPY", "big", "copy"}), ":1\r\n");
  EXPECT_EQ(Run({"HDEL", "big", "f1"}), ":1\r\n");
  EXPECT_EQ(Run({"HLEN", "copy"}), ":3000\r\n");
  EXPECT_EQ(Run({"HGET", "copy", "f1"}), "$11\r\nvalue-of-f1\r\n");
  EXPECT_EQ(Run({"RENAME", "copy", "renamed"}), "+OK\r\n");
  EXPECT_EQ(Run({"MOVE", "renamed", "2"}), ":1\r\n");
  Run({"SELECT", "2"});
  EXPECT_EQ(Run({"TYPE", "renamed"}), "+hash\r\n");
  EXPECT_EQ(Encoding("renamed"), "hashtable");
  EXPECT_EQ(Run({"SCAN", "0", "TYPE", "hash"}), "*2\r\n$1\r\n0\r\n*1\r\n$7\r\nrenamed\r\n");
  EXPECT_EQ(Run({"HSTRLEN", "renamed", "f2999"}), ":14\r\n");
}

// As for every type: UNLINK, and DEL under lazyfree-lazy-user-del, hand a big value to the
// lazy-free thread; a small one, or DEL without the setting, is freed in place.
TEST_F(HashCommandsTest, BigHashesAreFreedOnTheLazyFreeThread) {
  Fill("big", 3000);
  Fill("small", 10);
  size_t freed = LazilyFreed();
  EXPECT_EQ(Run({"UNLINK", "big", "small"}), ":2\r\n");
  EXPECT_EQ(Propagated(), (Commands{{"UNLINK", "big", "small"}}));
  EXPECT_EQ(LazilyFreed(), freed + 1);

  Fill("big", 3000);
  EXPECT_EQ(Run({"DEL", "big"}), ":1\r\n");
  EXPECT_EQ(LazilyFreed(), freed + 1);

  Fill("big", 3000);
  Run({"CONFIG", "SET", "lazyfree-lazy-user-del", "yes"});
  EXPECT_EQ(Run({"DEL", "big"}), ":1\r\n");
  EXPECT_EQ(Propagated(), (Commands{{"DEL", "big"}}));
  EXPECT_EQ(LazilyFreed(), freed + 2);
  EXPECT_EQ(Run({"EXISTS", "big"}), ":0\r\n");
}

}  // namespace
}  // namespace magnetar::server
