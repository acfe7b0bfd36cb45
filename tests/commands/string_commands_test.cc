// The string family run through its command table against a keyspace on a manual clock: what
// happens to TTLs as time passes, wrong types, integer round trips, keyspace hit counting and
// RESP3 reply shapes. Ordinary replies are compared with Redis 7.0.15 byte for byte in
// tests/diff/scripts/strings_*.redis; the expectations here were checked against it too.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"

namespace magnetar::commands {
namespace {

constexpr std::string_view kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
constexpr std::string_view kNil = "$-1\r\n";
constexpr std::string_view kOk = "+OK\r\n";
constexpr int64_t kSecond = 1000;

// A non-string value, standing in for a list.
class FakeList final : public engine::Object {
 public:
  size_t MemoryBytes() const override { return 0; }
};

class StringCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db().SetObject("list", engine::ValueType::kList, std::make_unique<FakeList>());
  }

  // Runs one command from the string family's table and returns its reply bytes.
  std::string Run(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> argv(args);
    for (const CommandSpec& spec : StringCommands()) {
      if (!EqualsIgnoreCase(spec.name, argv[0])) continue;
      CommandContext ctx{argv, reply_, keyspace_, 0, clock_};
      ctx.propagation = &propagation_;
      spec.handler(ctx);
      std::string bytes = std::move(reply_.buffer());
      reply_.buffer().clear();
      return bytes;
    }
    ADD_FAILURE() << "no string command " << argv[0];
    return {};
  }

  engine::Database& db() { return keyspace_.db(0); }
  bool Exists(std::string_view key) { return db().Lookup(key) != nullptr; }
  // The key's deadline in ms from now, or -1 when it has none (-2: no key).
  int64_t TtlMs(std::string_view key) {
    const engine::Entry* entry = db().Lookup(key);
    if (entry == nullptr) return -2;
    return entry->has_deadline() ? entry->deadline() - clock_.NowMs() : -1;
  }

  ManualClock clock_;
  engine::Keyspace keyspace_{16, clock_};
  resp::ReplyBuilder reply_;
  Propagation propagation_;
};

TEST_F(StringCommandsTest, SetExpiresExactlyAfterItsDeadline) {
  EXPECT_EQ(Run({"SET", "k", "v", "PX", "1500"}), kOk);
  EXPECT_EQ(TtlMs("k"), 1500);
  clock_.AdvanceMs(1500);
  EXPECT_EQ(Run({"GET", "k"}), "$1\r\nv\r\n");  // a key expires once now is past its deadline
  clock_.AdvanceMs(1);
  EXPECT_EQ(Run({"GET", "k"}), kNil);

  EXPECT_EQ(Run({"SET", "k", "v", "EX", "10"}), kOk);
  EXPECT_EQ(TtlMs("k"), 10 * kSecond);
  int64_t at = clock_.NowMs() / 1000 + 100;
  EXPECT_EQ(Run({"SET", "k", "v", "EXAT", std::to_string(at)}), kOk);
  EXPECT_EQ(db().Lookup("k")->deadline(), at * 1000);
  EXPECT_EQ(Run({"SET", "k", "v", "PXAT", std::to_string(at * 1000 + 7)}), kOk);
  EXPECT_EQ(db().Lookup("k")->deadline(), at * 1000 + 7);
}

TEST_F(StringCommandsTest, SetClearsTheTtlUnlessKeepTtl) {
  Run({"SET", "k", "v", "EX", "100"});
  Run({"SET", "k", "w", "KEEPTTL"});
  EXPECT_EQ(TtlMs("k"), 100 * kSecond);
  Run({"SET", "k", "x", "XX", "KEEPTTL", "GET"});
  EXPECT_EQ(TtlMs("k"), 100 * kSecond);
  Run({"SET", "k", "y"});
  EXPECT_EQ(TtlMs("k"), -1);
  // A refused write leaves the TTL alone.
  Run({"SET", "k", "v", "EX", "100"});
  EXPECT_EQ(Run({"SET", "k", "z", "NX", "EX", "5"}), kNil);
  EXPECT_EQ(TtlMs("k"), 100 * kSecond);
}

TEST_F(StringCommandsTest, AbsoluteTimesInThePastRemoveTheKey) {
  EXPECT_EQ(Run({"SET", "k", "v", "EXAT", "1"}), kOk);
  EXPECT_EQ(Run({"GET", "k"}), kNil);
  // SET stores the key with its past deadline and the next access expires it, as in Redis 7.0.
  EXPECT_EQ(keyspace_.stats().expired, 1u);

  // GETEX deletes it outright: no expiry is counted.
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"GETEX", "k", "PXAT", std::to_string(clock_.NowMs())}), "$1\r\nv\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(keyspace_.stats().expired, 1u);
}

TEST_F(StringCommandsTest, GetExChangesOnlyTheTtl) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"GETEX", "k", "EX", "10"}), "$1\r\nv\r\n");
  EXPECT_EQ(TtlMs("k"), 10 * kSecond);
  EXPECT_EQ(Run({"GETEX", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(TtlMs("k"), 10 * kSecond);
  EXPECT_EQ(Run({"GETEX", "k", "PERSIST"}), "$1\r\nv\r\n");
  EXPECT_EQ(TtlMs("k"), -1);
  EXPECT_EQ(Run({"GETEX", "k", "PX", "20"}), "$1\r\nv\r\n");
  clock_.AdvanceMs(21);
  EXPECT_EQ(Run({"GETEX", "k"}), kNil);
}

TEST_F(StringCommandsTest, WritesThatKeepOrDropTheTtl) {
  for (std::initializer_list<std::string_view> command :
       {std::initializer_list<std::string_view>{"INCR", "k"},
        {"DECRBY", "k", "3"},
        {"INCRBYFLOAT", "k", "1.5"},
        {"APPEND", "k", "0"},
        {"SETRANGE", "k", "0", "7"}}) {
    Run({"SET", "k", "5", "EX", "100"});
    Run(command);
    EXPECT_EQ(TtlMs("k"), 100 * kSecond) << *command.begin();
  }
  for (std::initializer_list<std::string_view> command :
       {std::initializer_list<std::string_view>{"GETSET", "k", "v"},
        {"SET", "k", "v"},
        {"MSET", "k", "v"}}) {
    Run({"SET", "k", "5", "EX", "100"});
    Run(command);
    EXPECT_EQ(TtlMs("k"), -1) << *command.begin();
  }
  Run({"SET", "k", "5", "EX", "100"});
  EXPECT_EQ(Run({"SETEX", "k", "7", "v"}), kOk);
  EXPECT_EQ(TtlMs("k"), 7 * kSecond);
  EXPECT_EQ(Run({"PSETEX", "k", "700", "v"}), kOk);
  EXPECT_EQ(TtlMs("k"), 700);
}

TEST_F(StringCommandsTest, WrongTypeWhereTheKeyHoldsAnotherType) {
  for (std::initializer_list<std::string_view> command :
       {std::initializer_list<std::string_view>{"GET", "list"},
        {"SET", "list", "v", "GET"},
        {"GETSET", "list", "v"},
        {"GETDEL", "list"},
        {"GETEX", "list"},
        {"GETEX", "list", "EX", "0"},
        {"INCR", "list"},
        {"DECR", "list"},
        {"INCRBY", "list", "1"},
        {"DECRBY", "list", "1"},
        {"INCRBYFLOAT", "list", "abc"},
        {"APPEND", "list", "x"},
        {"STRLEN", "list"},
        {"GETRANGE", "list", "0", "1"},
        {"SUBSTR", "list", "0", "1"},
        {"SETRANGE", "list", "0", ""}}) {
    EXPECT_EQ(Run(command), kWrongType) << *command.begin();
  }
  EXPECT_EQ(db().Lookup("list")->type(), engine::ValueType::kList);

  // Argument errors Redis finds before it looks at the key.
  EXPECT_EQ(Run({"INCRBY", "list", "x"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"GETRANGE", "list", "x", "1"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run({"SETRANGE", "list", "-1", "x"}), "-ERR offset is out of range\r\n");
  EXPECT_EQ(Run({"SET", "list", "v", "GET", "EX", "0"}),
            "-ERR invalid expire time in 'set' command\r\n");

  EXPECT_EQ(Run({"LCS", "list", "x"}), "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(Run({"LCS", "x", "list", "LEN", "IDX"}),
            "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(Run({"MGET", "list", "missing"}), "*2\r\n$-1\r\n$-1\r\n");
  EXPECT_EQ(Run({"SETNX", "list", "v"}), ":0\r\n");
  EXPECT_EQ(Run({"MSETNX", "a", "1", "list", "v"}), ":0\r\n");
  EXPECT_FALSE(Exists("a"));
  // Writes that replace the whole value replace any type.
  EXPECT_EQ(Run({"SET", "list", "v"}), kOk);
  EXPECT_EQ(Run({"GET", "list"}), "$1\r\nv\r\n");
}

TEST_F(StringCommandsTest, IntegersReadBackAsTheSameText) {
  for (std::string_view text : {"0", "-1", "123", "9223372036854775807", "-9223372036854775808",
                                "007", "-0", "+1", "1.0", " 1", "9223372036854775808"}) {
    Run({"SET", "k", text});
    EXPECT_EQ(Run({"GET", "k"}), fmt::format("${}\r\n{}\r\n", text.size(), text));
    EXPECT_EQ(Run({"STRLEN", "k"}), fmt::format(":{}\r\n", text.size()));
  }
  Run({"SET", "k", "9223372036854775807"});
  EXPECT_EQ(Run({"INCR", "k"}), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(Run({"DECRBY", "k", "-9223372036854775808"}), "-ERR decrement would overflow\r\n");
  EXPECT_EQ(Run({"GET", "k"}), "$19\r\n9223372036854775807\r\n");
  Run({"SET", "k", "-0"});
  EXPECT_EQ(Run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  Run({"SET", "k", "41"});
  EXPECT_EQ(Run({"INCR", "k"}), ":42\r\n");
  EXPECT_EQ(Run({"APPEND", "k", "0"}), ":3\r\n");
  EXPECT_EQ(Run({"INCR", "k"}), ":421\r\n");
}

TEST_F(StringCommandsTest, IncrByFloatStoresItsShortestText) {
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "0.1"}), "$3\r\n0.1\r\n");
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "0.2"}), "$3\r\n0.3\r\n");
  EXPECT_EQ(Run({"GET", "f"}), "$3\r\n0.3\r\n");
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "-0.3"}), "$1\r\n0\r\n");
  // A whole result is stored as an integer and counts up from there.
  EXPECT_EQ(Run({"INCR", "f"}), ":1\r\n");
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "inf"}), "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(Run({"INCRBYFLOAT", "f", "nan"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(Run({"GET", "f"}), "$1\r\n1\r\n");
}

// Redis counts a hit or miss where it reads a key for its value, not where it writes.
TEST_F(StringCommandsTest, KeyspaceHitsAndMisses) {
  const engine::KeyspaceStats& stats = keyspace_.stats();
  Run({"SET", "k", "1"});
  Run({"SET", "k", "1", "NX"});
  Run({"INCR", "k"});
  Run({"APPEND", "k", "1"});
  Run({"SETRANGE", "k", "0", "1"});
  Run({"SETNX", "k", "1"});
  Run({"INCRBYFLOAT", "k", "1"});
  Run({"MSETNX", "k", "1"});
  EXPECT_EQ(stats.hits + stats.misses, 0u);
  Run({"GETSET", "k", "1"});
  Run({"GETDEL", "missing"});
  Run({"GETEX", "k"});
  Run({"GET", "k"});
  Run({"GET", "missing"});
  Run({"MGET", "k", "missing", "k"});
  Run({"STRLEN", "k"});
  Run({"SET", "k", "2", "GET"});
  Run({"GETRANGE", "missing", "0", "1"});
  Run({"LCS", "k", "missing"});
  EXPECT_EQ(stats.hits, 8u);
  EXPECT_EQ(stats.misses, 5u);
}

TEST_F(StringCommandsTest, LcsIdxReplyShapes) {
  Run({"MSET", "a", "ohmytext", "b", "mynewtext"});
  EXPECT_EQ(Run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6\r\n");
  reply_.set_protocol(resp::Protocol::kResp3);
  EXPECT_EQ(Run({"LCS", "a", "missing", "IDX"}),
            "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
  EXPECT_EQ(Run({"GETDEL", "missing"}), "_\r\n");
}

TEST_F(StringCommandsTest, GrowingPastProtoMaxBulkLenIsRefused) {
  constexpr std::string_view kTooLong =
      "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
  EXPECT_EQ(Run({"SETRANGE", "k", "536870912", "x"}), kTooLong);
  EXPECT_EQ(Run({"SETRANGE", "k", "9223372036854775807", "x"}), kTooLong);
  EXPECT_EQ(Run({"SETRANGE", "k", "536870913", ""}), ":0\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run({"SETRANGE", "k", "3", "ab"}), ":5\r\n");
  EXPECT_EQ(Run({"GET", "k"}), std::string("$5\r\n\0\0\0ab\r\n", 11));
}

}  // namespace
}  // namespace magnetar::commands
