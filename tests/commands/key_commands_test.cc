// The generic key family run through its command tables against a keyspace on a manual clock:
// TTLs as time passes, deadlines that travel with RENAME, MOVE, COPY and SWAPDB, SCAN's
// guarantee, expired keys hidden from KEYS and SCAN, OBJECT's answers. Ordinary replies are
// compared with Redis 7.0.15 byte for byte in tests/diff/scripts/keys.redis and expire.redis.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "support/expiry_recorder.h"

namespace magnetar::commands {
namespace {

constexpr std::string_view kOk = "+OK\r\n";
constexpr std::string_view kNil = "$-1\r\n";
constexpr int64_t kSecond = 1000;

std::string Int(int64_t value) { return fmt::format(":{}\r\n", value); }

// A value heavier than a string; reports whatever size the test gives it.
class FakeObject final : public engine::Object {
 public:
  explicit FakeObject(size_t bytes) : bytes_(bytes) {}
  size_t MemoryBytes() const override { return bytes_; }

 private:
  size_t bytes_;
};

// Finds `name` ("object|encoding" for a subcommand) in the families under test.
const CommandSpec* FindSpec(std::string_view name) {
  for (auto family : {KeyCommands(), KeyMoveCommands(), ExpireCommands(), ScanCommands(),
                      ObjectCommands(), StringCommands()}) {
    for (const CommandSpec& spec : family) {
      if (EqualsIgnoreCase(spec.name, name)) return &spec;
      for (const CommandSpec& sub : spec.subcommands) {
        if (EqualsIgnoreCase(sub.name, name)) return &sub;
      }
    }
  }
  return nullptr;
}

class KeyCommandsTest : public ::testing::Test {
 protected:
  // Runs one command on database `db_index_` and returns its reply bytes.
  std::string Run(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> argv(args);
    std::string name(argv[0]);
    if (EqualsIgnoreCase(name, "object")) name.append("|").append(argv[1]);
    const CommandSpec* spec = FindSpec(name);
    if (spec == nullptr) {
      ADD_FAILURE() << "no command " << name;
      return {};
    }
    CommandContext ctx{argv, reply_, keyspace_, db_index_, clock_};
    ctx.propagation = &propagation_;
    spec->handler(ctx);
    std::string bytes = std::move(reply_.buffer());
    reply_.buffer().clear();
    return bytes;
  }
  std::string Bulk(std::string_view text) {
    return fmt::format("${}\r\n{}\r\n", text.size(), text);
  }
  // The keys of a SCAN or KEYS reply, and SCAN's next cursor.
  static std::vector<std::string> BulkStrings(std::string_view reply) {
    std::vector<std::string> out;
    for (size_t at = reply.find('$'); at != reply.npos; at = reply.find('$', at)) {
      size_t header_end = reply.find("\r\n", at);
      size_t length = std::stoul(std::string(reply.substr(at + 1, header_end - at - 1)));
      out.emplace_back(reply.substr(header_end + 2, length));
      at = header_end + 2 + length + 2;
    }
    return out;
  }

  ManualClock clock_;
  engine::Keyspace keyspace_{16, clock_};
  resp::ReplyBuilder reply_;
  Propagation propagation_;
  size_t db_index_ = 0;
};

TEST_F(KeyCommandsTest, TtlCountsDownAndTheKeyGoesAtItsDeadline) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"EXPIRE", "k", "10"}), Int(1));
  EXPECT_EQ(Run({"PTTL", "k"}), Int(10 * kSecond));
  clock_.AdvanceMs(9 * kSecond + 499);
  EXPECT_EQ(Run({"TTL", "k"}), Int(1));  // 501 ms left rounds to 1 s
  clock_.AdvanceMs(2);
  EXPECT_EQ(Run({"TTL", "k"}), Int(0));
  EXPECT_EQ(Run({"PTTL", "k"}), Int(499));
  clock_.AdvanceMs(499);
  EXPECT_EQ(Run({"EXISTS", "k"}), Int(1));  // expired only once now is past the deadline
  clock_.AdvanceMs(1);
  EXPECT_EQ(Run({"TTL", "k"}), Int(-2));
  EXPECT_EQ(Run({"DBSIZE"}), Int(0));
}

TEST_F(KeyCommandsTest, AbsoluteDeadlinesReadBackExactly) {
  Run({"SET", "k", "v"});
  int64_t at_ms = clock_.NowMs() + 123'456;
  EXPECT_EQ(Run({"PEXPIREAT", "k", std::to_string(at_ms)}), Int(1));
  EXPECT_EQ(Run({"PEXPIRETIME", "k"}), Int(at_ms));
  EXPECT_EQ(Run({"EXPIRETIME", "k"}), Int((at_ms + 500) / 1000));
  EXPECT_EQ(Run({"PERSIST", "k"}), Int(1));
  EXPECT_EQ(Run({"PEXPIRETIME", "k"}), Int(-1));
}

TEST_F(KeyCommandsTest, DeadlineNotInTheFutureDeletesAtOnce) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"PEXPIREAT", "k", std::to_string(clock_.NowMs())}), Int(1));
  EXPECT_EQ(Run({"DBSIZE"}), Int(0));
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"PEXPIRE", "k", "1"}), Int(1));
  EXPECT_EQ(Run({"DBSIZE"}), Int(1));
}

TEST_F(KeyCommandsTest, ConditionsCompareWithTheCurrentDeadline) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"EXPIRE", "k", "100", "GT"}), Int(0));  // no deadline counts as infinite
  EXPECT_EQ(Run({"EXPIRE", "k", "100", "XX"}), Int(0));
  EXPECT_EQ(Run({"EXPIRE", "k", "100", "LT"}), Int(1));
  EXPECT_EQ(Run({"EXPIRE", "k", "50", "NX"}), Int(0));
  EXPECT_EQ(Run({"EXPIRE", "k", "100", "GT"}), Int(0));  // equal is not greater
  EXPECT_EQ(Run({"EXPIRE", "k", "200", "GT"}), Int(1));
  EXPECT_EQ(Run({"EXPIRE", "k", "150", "LT", "XX"}), Int(1));
  EXPECT_EQ(Run({"TTL", "k"}), Int(150));
  EXPECT_EQ(Run({"EXPIRE", "k", "1", "NX", "GT"}),
            "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
  EXPECT_EQ(Run({"EXPIRE", "k", "99999999999999999", "PX"}), "-ERR Unsupported option PX\r\n");
  EXPECT_EQ(Run({"EXPIRE", "k", "99999999999999999"}),
            "-ERR invalid expire time in 'expire' command\r\n");
  EXPECT_EQ(Run({"TTL", "k"}), Int(150));
}

TEST_F(KeyCommandsTest, RenameAndMoveCarryTheDeadline) {
  Run({"SET", "k", "v"});
  Run({"EXPIRE", "k", "10"});
  Run({"SET", "dst", "old"});
  EXPECT_EQ(Run({"RENAME", "k", "dst"}), kOk);
  EXPECT_EQ(Run({"PTTL", "dst"}), Int(10 * kSecond));
  EXPECT_EQ(Run({"MOVE", "dst", "3"}), Int(1));
  db_index_ = 3;
  EXPECT_EQ(Run({"GET", "dst"}), Bulk("v"));
  clock_.AdvanceMs(10 * kSecond + 1);
  EXPECT_EQ(Run({"EXISTS", "dst"}), Int(0));
  EXPECT_EQ(keyspace_.db(3).ExpiresCount(), 0u);
}

TEST_F(KeyCommandsTest, CopyIsIndependentAndKeepsTheDeadline) {
  std::string long_value(100, 'x');
  Run({"SET", "k", long_value});
  Run({"EXPIRE", "k", "10"});
  EXPECT_EQ(Run({"COPY", "k", "c", "DB", "2"}), Int(1));
  Run({"SET", "k", "changed"});
  db_index_ = 2;
  EXPECT_EQ(Run({"GET", "c"}), Bulk(long_value));
  EXPECT_EQ(Run({"PTTL", "c"}), Int(10 * kSecond));
}

TEST_F(KeyCommandsTest, SwapDbExchangesKeysAndTheirExpiry) {
  test_support::ExpiryRecorder recorder;
  keyspace_.SetObserver(&recorder);
  const auto& expired = recorder.expired;
  Run({"SET", "zero", "0"});
  Run({"PEXPIRE", "zero", "100"});
  db_index_ = 1;
  Run({"SET", "one", "1"});
  EXPECT_EQ(Run({"SWAPDB", "0", "1"}), kOk);
  EXPECT_EQ(Run({"GET", "zero"}), Bulk("0"));
  EXPECT_EQ(Run({"EXISTS", "one"}), Int(0));
  clock_.AdvanceMs(101);
  EXPECT_EQ(keyspace_.ActiveExpireStep(10'000'000), 1u);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0], std::make_pair(size_t{1}, std::string("zero")));  // its new number
  db_index_ = 0;
  EXPECT_EQ(Run({"GET", "one"}), Bulk("1"));
}

TEST_F(KeyCommandsTest, ScanReturnsEveryKeyAndSkipsExpiredOnes) {
  constexpr int kKeys = 1000;
  for (int i = 0; i < kKeys; ++i) Run({"SET", "key:" + std::to_string(i), "v"});
  for (int i = 0; i < 100; ++i) Run({"PEXPIRE", "key:" + std::to_string(i), "10"});
  clock_.AdvanceMs(11);
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    std::vector<std::string> items = BulkStrings(Run({"SCAN", cursor, "COUNT", "7"}));
    cursor = items.front();
    seen.insert(items.begin() + 1, items.end());
    Run({"SET", "added-during-scan:" + cursor, "v"});  // must not disturb the guarantee
  } while (cursor != "0");
  for (int i = 0; i < kKeys; ++i) {
    EXPECT_EQ(seen.count("key:" + std::to_string(i)), i < 100 ? 0u : 1u) << i;
  }
  EXPECT_EQ(keyspace_.db(0).ExpiresCount(), 0u);  // SCAN removed the expired keys it met
}

TEST_F(KeyCommandsTest, KeysAndRandomKeyHideExpiredKeys) {
  Run({"SET", "live", "v"});
  Run({"SET", "dead", "v"});
  Run({"PEXPIRE", "dead", "5"});
  clock_.AdvanceMs(6);
  EXPECT_EQ(BulkStrings(Run({"KEYS", "*"})), std::vector<std::string>{"live"});
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Run({"RANDOMKEY"}), Bulk("live"));
}

TEST_F(KeyCommandsTest, UnlinkFreesLargeObjectsOffTheEventLoop) {
  auto& db = keyspace_.db(0);
  db.SetObject("big", engine::ValueType::kList, std::make_unique<FakeObject>(1 << 20));
  db.SetObject("small", engine::ValueType::kList, std::make_unique<FakeObject>(16));
  size_t freed_before = keyspace_.lazy_freer().freed_objects();
  EXPECT_EQ(Run({"UNLINK", "big", "small", "nokey"}), Int(2));
  keyspace_.lazy_freer().Drain();
  EXPECT_EQ(keyspace_.lazy_freer().freed_objects(), freed_before + 1);
  EXPECT_EQ(Run({"DBSIZE"}), Int(0));
}

TEST_F(KeyCommandsTest, TypeAndObjectDescribeValues) {
  keyspace_.db(0).SetObject("list", engine::ValueType::kList, std::make_unique<FakeObject>(0));
  Run({"SET", "n", "9999"});
  Run({"SET", "big", "10000"});
  Run({"SET", "s", std::string(44, 'x')});
  Run({"SET", "r", std::string(45, 'x')});
  EXPECT_EQ(Run({"TYPE", "list"}), "+list\r\n");
  EXPECT_EQ(Run({"TYPE", "n"}), "+string\r\n");
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "n"}), Bulk("int"));
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "s"}), Bulk("embstr"));
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "r"}), Bulk("raw"));
  EXPECT_EQ(Run({"OBJECT", "REFCOUNT", "n"}), Int(2147483647));
  EXPECT_EQ(Run({"OBJECT", "REFCOUNT", "big"}), Int(1));
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "nokey"}), kNil);
  // No clone for this value type: COPY leaves the destination alone.
  EXPECT_EQ(Run({"COPY", "list", "copy"}), Int(0));
  EXPECT_EQ(Run({"EXISTS", "copy"}), Int(0));
}

TEST_F(KeyCommandsTest, IdleTimeCountsFromTheLastTouch) {
  Run({"SET", "k", "v"});
  clock_.AdvanceMs(30 * kSecond);
  // Inspecting a key does not count as using it.
  EXPECT_EQ(Run({"TYPE", "k"}), "+string\r\n");
  EXPECT_EQ(Run({"TTL", "k"}), Int(-1));
  EXPECT_EQ(Run({"EXISTS", "k"}), Int(1));
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "k"}), Int(30));
  EXPECT_EQ(Run({"GET", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "k"}), Int(0));
  clock_.AdvanceMs(5 * kSecond);
  EXPECT_EQ(Run({"TOUCH", "k"}), Int(1));
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "k"}), Int(0));
  EXPECT_EQ(Run({"OBJECT", "IDLETIME", "nokey"}), kNil);
}

}  // namespace
}  // namespace magnetar::commands
