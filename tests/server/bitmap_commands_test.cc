// The bitmap commands through the dispatcher: wrong types and which error wins, deadlines kept or
// dropped, keyspace hit counting, the proto-max-bulk-len limit, and keys created or deleted.
// Reply bytes for ordinary cases are compared with Redis in tests/diff/scripts/bitmaps.redis.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::FakeConnection;

constexpr std::string_view kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr std::string_view kBitOffsetError =
    "-ERR bit offset is not an integer or out of range\r\n";

// A non-string value, standing in for a list until the list family exists.
class FakeList final : public engine::Object {
 public:
  size_t MemoryBytes() const override { return 0; }
};

class BitmapCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(connection_.Open(server_));
    db().SetObject("list", engine::ValueType::kList, std::make_unique<FakeList>());
  }

  std::string Run(std::initializer_list<std::string_view> args) { return connection_.Run(args); }
  engine::Database& db() { return server_.keyspace().db(0); }
  // The string at `key`, or "<missing>".
  std::string Value(std::string_view key) {
    auto value = db().GetString(key);
    if (!value.ok() || !*value) return "<missing>";
    return std::string((*value)->view());
  }
  const engine::Entry* Entry(std::string_view key) { return db().Lookup(key); }

  Server server_{Config{}};
  FakeConnection connection_;
};

TEST_F(BitmapCommandsTest, WrongTypeIsReportedAfterArgumentErrors) {
  EXPECT_EQ(Run({"SETBIT", "list", "0", "1"}), kWrongType);
  EXPECT_EQ(Run({"SETBIT", "list", "x", "1"}), kBitOffsetError);
  EXPECT_EQ(Run({"SETBIT", "list", "0", "2"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"GETBIT", "list", "0"}), kWrongType);
  EXPECT_EQ(Run({"GETBIT", "list", "-1"}), kBitOffsetError);
  EXPECT_EQ(Run({"BITPOS", "list", "1"}), kWrongType);
  EXPECT_EQ(Run({"BITPOS", "list", "2"}), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(Run({"BITPOS", "list", "1", "x"}), kWrongType);
  EXPECT_EQ(Run({"BITFIELD", "list", "GET", "u8", "0"}), kWrongType);
  EXPECT_EQ(Run({"BITFIELD", "list", "SET", "u8", "0", "1"}), kWrongType);
  EXPECT_EQ(Run({"BITFIELD", "list", "GET", "u8", "x"}), kBitOffsetError);
  EXPECT_EQ(Run({"BITFIELD", "list"}), kWrongType);
  EXPECT_EQ(Run({"BITFIELD_RO", "list", "GET", "u8", "0"}), kWrongType);
  EXPECT_EQ(Run({"BITFIELD_RO", "list", "SET", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(Entry("list")->type(), engine::ValueType::kList);
}

// Redis 7.0 looks BITCOUNT's key up before it reads the range.
TEST_F(BitmapCommandsTest, BitcountChecksTheKeyBeforeTheRange) {
  EXPECT_EQ(Run({"BITCOUNT", "list"}), kWrongType);
  EXPECT_EQ(Run({"BITCOUNT", "list", "x"}), kWrongType);
  EXPECT_EQ(Run({"BITCOUNT", "list", "0", "1", "foo"}), kWrongType);
  EXPECT_EQ(Run({"BITCOUNT", "missing", "x", "y"}), ":0\r\n");
}

TEST_F(BitmapCommandsTest, BitopRefusesWrongTypedSourcesAndReplacesAnyDestination) {
  Run({"SET", "a", "\x0f"});
  Run({"SET", "dest", "old"});
  EXPECT_EQ(Run({"BITOP", "AND", "dest", "a", "list"}), kWrongType);
  EXPECT_EQ(Run({"BITOP", "NOT", "dest", "list"}), kWrongType);
  EXPECT_EQ(Value("dest"), "old");
  EXPECT_EQ(Run({"BITOP", "NOT", "dest", "a", "list"}),
            "-ERR BITOP NOT must be called with a single source key.\r\n");

  EXPECT_EQ(Run({"BITOP", "NOT", "list", "a"}), ":1\r\n");
  EXPECT_EQ(Value("list"), "\xf0");
}

TEST_F(BitmapCommandsTest, BitopDeletesTheDestinationWhenTheResultIsEmpty) {
  Run({"SET", "dest", "old"});
  EXPECT_EQ(Run({"BITOP", "OR", "dest", "missing", "other"}), ":0\r\n");
  EXPECT_EQ(Entry("dest"), nullptr);
  EXPECT_EQ(Run({"BITOP", "AND", "list", "missing"}), ":0\r\n");
  EXPECT_EQ(Entry("list"), nullptr);
}

TEST_F(BitmapCommandsTest, BitopReadsARepeatedKeyOnce) {
  Run({"SET", "a", "\x0f\xf0"});
  EXPECT_EQ(Run({"BITOP", "XOR", "a", "a", "a", "a"}), ":2\r\n");
  EXPECT_EQ(Value("a"), std::string("\x0f\xf0"));
  EXPECT_EQ(Run({"BITOP", "XOR", "a", "a", "a"}), ":2\r\n");
  EXPECT_EQ(Value("a"), std::string("\x00\x00", 2));
}

TEST_F(BitmapCommandsTest, WritesKeepTheDeadlineAndBitopDropsIt) {
  const int64_t deadline = server_.clock().NowMs() + 1'000'000;
  for (std::string_view key : {"setbit", "bitfield", "dest"}) {
    Run({"SET", key, "abc"});
    ASSERT_TRUE(db().SetDeadline(key, deadline));
  }
  EXPECT_EQ(Run({"SETBIT", "setbit", "100", "1"}), ":0\r\n");
  EXPECT_EQ(Run({"BITFIELD", "bitfield", "INCRBY", "u8", "0", "1"}), "*1\r\n:98\r\n");
  EXPECT_EQ(Run({"BITOP", "OR", "dest", "setbit"}), ":13\r\n");

  EXPECT_EQ(Entry("setbit")->deadline(), deadline);
  EXPECT_EQ(Entry("bitfield")->deadline(), deadline);
  EXPECT_FALSE(Entry("dest")->has_deadline());
  EXPECT_EQ(Value("bitfield"), "bbc");
}

TEST_F(BitmapCommandsTest, IntegerValuesAreBitmapsOfTheirText) {
  Run({"SET", "n", "123"});
  EXPECT_EQ(Entry("n")->encoding(), engine::Encoding::kInteger);
  // "1" is 0x31: bits 2, 3 and 7 of the first byte are set.
  EXPECT_EQ(Run({"GETBIT", "n", "1"}), ":0\r\n");
  EXPECT_EQ(Run({"GETBIT", "n", "2"}), ":1\r\n");
  EXPECT_EQ(Run({"BITCOUNT", "n"}), ":10\r\n");
  EXPECT_EQ(Run({"BITPOS", "n", "1", "1"}), ":10\r\n");
  EXPECT_EQ(Run({"BITFIELD_RO", "n", "GET", "u8", "8"}), "*1\r\n:50\r\n");
  // 0x31 -> 0x33 turns "123" into "323", which stays a number.
  EXPECT_EQ(Run({"SETBIT", "n", "6", "1"}), ":0\r\n");
  EXPECT_EQ(Run({"GET", "n"}), "$3\r\n323\r\n");
}

TEST_F(BitmapCommandsTest, ReadsCountKeyspaceHitsAndWritesDoNot) {
  const engine::KeyspaceStats& stats = server_.keyspace().stats();
  Run({"SET", "k", "a"});
  uint64_t hits = stats.hits;
  uint64_t misses = stats.misses;
  Run({"GETBIT", "k", "0"});
  Run({"BITCOUNT", "missing"});
  Run({"BITFIELD", "k", "GET", "u8", "0"});
  EXPECT_EQ(stats.hits, hits + 2);
  EXPECT_EQ(stats.misses, misses + 1);

  Run({"SETBIT", "k", "1", "1"});
  Run({"BITFIELD", "k", "SET", "u8", "0", "1"});
  Run({"SETBIT", "new", "1", "1"});
  EXPECT_EQ(stats.hits, hits + 2);
  EXPECT_EQ(stats.misses, misses + 1);
}

TEST_F(BitmapCommandsTest, BitfieldCreatesTheKeyOnlyWhenItWrites) {
  EXPECT_EQ(Run({"BITFIELD", "k", "GET", "u8", "0", "OVERFLOW", "FAIL"}), "*1\r\n:0\r\n");
  EXPECT_EQ(Entry("k"), nullptr);
  // A refused write still creates (and grows) the string, as in Redis.
  EXPECT_EQ(Run({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300"}),
            "*1\r\n$-1\r\n");
  EXPECT_EQ(Value("k"), std::string(2, '\0'));
  EXPECT_EQ(Run({"SETBIT", "zero", "0", "0"}), ":0\r\n");
  EXPECT_EQ(Value("zero"), std::string(1, '\0'));
}

TEST_F(BitmapCommandsTest, OffsetsFollowProtoMaxBulkLen) {
  EXPECT_EQ(Run({"GETBIT", "k", "4294967295"}), ":0\r\n");
  EXPECT_EQ(Run({"GETBIT", "k", "4294967296"}), kBitOffsetError);

  ASSERT_EQ(Run({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}), "+OK\r\n");
  EXPECT_EQ(Run({"GETBIT", "k", "8388607"}), ":0\r\n");
  EXPECT_EQ(Run({"GETBIT", "k", "8388608"}), kBitOffsetError);
  EXPECT_EQ(Run({"SETBIT", "k", "8388608", "1"}), kBitOffsetError);
  EXPECT_EQ(Run({"BITFIELD", "k", "SET", "u8", "#1048576", "1"}), kBitOffsetError);
  EXPECT_EQ(Run({"BITFIELD_RO", "k", "GET", "u8", "8388608"}), kBitOffsetError);
  EXPECT_EQ(Entry("k"), nullptr);
  EXPECT_EQ(Run({"SETBIT", "k", "8388607", "1"}), ":0\r\n");
  EXPECT_EQ(Value("k").size(), 1024u * 1024u);
}

}  // namespace
}  // namespace magnetar::server
