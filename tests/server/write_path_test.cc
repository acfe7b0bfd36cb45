// The write path through the real dispatcher: the keyspace events each write command raises, in
// Redis 7.0's order, what it propagates (its deterministic form), that a command which changes
// nothing raises and propagates nothing, and that every changed key reaches WATCH. The same
// behaviours are held against a real Redis's AOF and notifications by the propagation scripts
// (tests/diff/propagation); these tests pin the rules down without one.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "command_test.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/keyspace_observer.h"

namespace magnetar::server {
namespace {

using Events = std::vector<std::string>;

// Records every keyspace event as "<event> <key>" ("<event> <key>@<db>" outside database 0), and
// passes every call on to the observer it replaced (the server's hooks: WATCH, pub/sub, expiry
// propagation).
class EventRecorder final : public engine::KeyspaceObserver {
 public:
  explicit EventRecorder(engine::Keyspace& keyspace)
      : keyspace_(keyspace), inner_(keyspace.observer()) {
    keyspace_.SetObserver(this);
  }
  ~EventRecorder() override { keyspace_.SetObserver(&inner_); }

  void OnKeyModified(size_t db, std::string_view key) override { inner_.OnKeyModified(db, key); }
  void OnKeyEvent(uint32_t klass, std::string_view event, size_t db,
                  std::string_view key) override {
    std::string text = std::string(event) + " " + std::string(key);
    if (db != 0) text += "@" + std::to_string(db);
    events.push_back(std::move(text));
    inner_.OnKeyEvent(klass, event, db, key);
  }
  void OnKeyExpired(size_t db, std::string_view key) override { inner_.OnKeyExpired(db, key); }
  void OnDatabaseEmptying(size_t db) override { inner_.OnDatabaseEmptying(db); }
  void OnDatabasesSwapping(size_t a, size_t b) override { inner_.OnDatabasesSwapping(a, b); }

  Events events;

 private:
  engine::Keyspace& keyspace_;
  engine::KeyspaceObserver& inner_;
};

// Every class but keymiss, which reads raise (tests/diff/propagation/reads.redis covers it).
Config EveryWriteEvent() {
  Config config;
  config.notify_keyspace_events = ~uint32_t{engine::kNotifyKeyMiss};
  return config;
}

class WritePathTest : public CommandTest {
 protected:
  WritePathTest() : CommandTest(EveryWriteEvent()) {}

  // Runs `args` as CommandTest::Run does, but returns the events it raised: the reply matters
  // less here than what the write raised and propagated (Propagated()).
  Events Run(std::initializer_list<std::string_view> args) {
    events_.events.clear();
    CommandTest::Run(args);
    return std::exchange(events_.events, {});
  }
  // Runs setup commands whose events and propagation do not matter.
  void Given(std::initializer_list<std::initializer_list<std::string_view>> commands) {
    for (auto command : commands) client_.Run(command);
  }
  // The deadline argument of a propagated command, as ms from now.
  static int64_t MsFromNow(std::string_view deadline) {
    return ParseInt64(deadline).value_or(0) - SystemClock().NowMs();
  }

  EventRecorder events_{server_.keyspace()};
};

TEST_F(WritePathTest, SetRaisesNewOnlyForACreatedKeyAndGoesAsSent) {
  EXPECT_EQ(Run({"set", "k", "v"}), (Events{"new k", "set k"}));
  EXPECT_EQ(Propagated(), (Commands{{"set", "k", "v"}}));
  EXPECT_EQ(Run({"SET", "k", "w", "KEEPTTL"}), (Events{"set k"}));
  EXPECT_EQ(Propagated(), (Commands{{"SET", "k", "w", "KEEPTTL"}}));
}

TEST_F(WritePathTest, RelativeTimesPropagateAsAbsoluteOnes) {
  EXPECT_EQ(Run({"set", "k", "v", "nx", "ex", "100"}), (Events{"new k", "set k", "expire k"}));
  Commands set = Propagated();
  ASSERT_EQ(set.size(), 1u);
  ASSERT_EQ(set[0].size(), 5u);
  EXPECT_EQ(set[0][3], "PXAT");
  EXPECT_NEAR(MsFromNow(set[0][4]), 100'000, 1000);

  EXPECT_EQ(Run({"psetex", "k", "5000", "v"}), (Events{"set k", "expire k"}));
  EXPECT_EQ(Propagated()[0][0], "SET");
  EXPECT_NEAR(MsFromNow(Propagated()[0][4]), 5000, 1000);

  EXPECT_EQ(Run({"expire", "k", "100", "gt"}), (Events{"expire k"}));
  Commands expire = Propagated();
  ASSERT_EQ(expire.size(), 1u);
  ASSERT_EQ(expire[0].size(), 4u);
  EXPECT_EQ(expire[0][0], "PEXPIREAT");
  EXPECT_NEAR(MsFromNow(expire[0][2]), 100'000, 1000);
  EXPECT_EQ(expire[0][3], "gt");  // options stay as sent

  EXPECT_EQ(Run({"expireat", "k", "99999999999"}), (Events{"expire k"}));
  EXPECT_EQ(Propagated(), (Commands{{"PEXPIREAT", "k", "99999999999000"}}));
  EXPECT_EQ(Run({"pexpireat", "k", "99999999999999"}), (Events{"expire k"}));
  EXPECT_EQ(Propagated(), (Commands{{"pexpireat", "k", "99999999999999"}}));

  EXPECT_EQ(Run({"getex", "k", "ex", "10"}), (Events{"expire k"}));
  EXPECT_EQ(Propagated()[0][0], "PEXPIREAT");
  EXPECT_NEAR(MsFromNow(Propagated()[0][2]), 10'000, 1000);
}

TEST_F(WritePathTest, AbsoluteTimesInThePastDelete) {
  Given({{"SET", "k", "v"}});
  EXPECT_EQ(Run({"expire", "k", "-1"}), (Events{"del k"}));
  EXPECT_EQ(Propagated(), (Commands{{"DEL", "k"}}));
  Given({{"SET", "k", "v"}});
  EXPECT_EQ(Run({"getex", "k", "pxat", "1"}), (Events{"del k"}));
  EXPECT_EQ(Propagated(), (Commands{{"DEL", "k"}}));
  // SET stores such a key (it goes at its next lookup).
  EXPECT_EQ(Run({"set", "k", "v", "pxat", "1"}), (Events{"new k", "set k", "expire k"}));
  EXPECT_EQ(Propagated(), (Commands{{"SET", "k", "v", "PXAT", "1"}}));
}

TEST_F(WritePathTest, ReadPartsAndResultsPropagateAsTheWriteTheyMade) {
  Given({{"SET", "k", "v"}, {"SET", "f", "1"}});
  EXPECT_EQ(Run({"set", "k", "w", "GET", "xx"}), (Events{"set k"}));
  EXPECT_EQ(Propagated(), (Commands{{"set", "k", "w", "xx"}}));
  EXPECT_EQ(Run({"getset", "k", "x"}), (Events{"set k"}));
  EXPECT_EQ(Propagated(), (Commands{{"SET", "k", "x"}}));
  EXPECT_EQ(Run({"incrbyfloat", "f", "1.5"}), (Events{"incrbyfloat f"}));
  EXPECT_EQ(Propagated(), (Commands{{"SET", "f", "2.5", "KEEPTTL"}}));
  EXPECT_EQ(Run({"getdel", "k"}), (Events{"del k"}));
  EXPECT_EQ(Propagated(), (Commands{{"DEL", "k"}}));
  Given({{"SET", "k", "v", "EX", "100"}});
  EXPECT_EQ(Run({"getex", "k", "persist"}), (Events{"persist k"}));
  EXPECT_EQ(Propagated(), (Commands{{"PERSIST", "k"}}));
}

TEST_F(WritePathTest, EachWriteRaisesItsEvents) {
  struct Case {
    std::initializer_list<std::string_view> command;
    Events events;
  };
  Given({{"SET", "a", "1"}, {"SET", "b", "2"}, {"SET", "s", "abc"}, {"SET", "t", "v", "EX", "9"}});
  const Case cases[] = {
      {{"APPEND", "s", "d"}, {"append s"}},
      {{"SETRANGE", "s", "0", "x"}, {"setrange s"}},
      {{"INCR", "n"}, {"new n", "incrby n"}},
      {{"DECRBY", "n", "5"}, {"incrby n"}},
      {{"SETBIT", "s", "100", "1"}, {"setbit s"}},
      {{"BITFIELD", "bf", "SET", "u8", "0", "1", "SET", "u8", "8", "2"}, {"new bf", "setbit bf"}},
      {{"BITOP", "AND", "dest", "a", "b"}, {"new dest", "set dest"}},
      {{"BITOP", "AND", "dest", "missing"}, {"del dest"}},
      {{"MSET", "a", "1", "c", "3"}, {"set a", "new c", "set c"}},
      {{"MSETNX", "d", "1", "e", "2"}, {"new d", "set d", "new e", "set e"}},
      {{"SETNX", "f", "1"}, {"new f", "set f"}},
      {{"SETEX", "f", "10", "1"}, {"set f", "expire f"}},
      {{"RENAME", "a", "b"}, {"new b", "rename_from a", "rename_to b"}},
      {{"RENAMENX", "b", "a"}, {"new a", "rename_from b", "rename_to a"}},
      {{"COPY", "a", "c", "REPLACE"}, {"new c", "copy_to c"}},
      {{"COPY", "a", "c", "DB", "2"}, {"new c@2", "copy_to c@2"}},
      {{"MOVE", "a", "3"}, {"new a@3", "move_from a", "move_to a@3"}},
      {{"PERSIST", "t"}, {"persist t"}},
      {{"DEL", "c", "d", "missing"}, {"del c", "del d"}},
      {{"UNLINK", "e"}, {"del e"}},
      {{"SWAPDB", "0", "1"}, {}},
      {{"FLUSHALL"}, {}},
  };
  for (const Case& test : cases) {
    EXPECT_EQ(Run(test.command), test.events) << *test.command.begin();
  }
}

TEST_F(WritePathTest, ACommandThatChangesNothingRaisesAndPropagatesNothing) {
  Given({{"SET", "k", "v"}, {"SET", "n", "1"}, {"SETBIT", "b", "1", "1"}});
  const std::initializer_list<std::string_view> commands[] = {
      {"SET", "k", "w", "NX"},
      {"SET", "missing", "w", "XX", "GET"},
      {"SETNX", "k", "w"},
      {"MSETNX", "x", "1", "k", "2"},
      {"DEL", "missing"},
      {"UNLINK", "missing"},
      {"GETDEL", "missing"},
      {"GETEX", "k"},
      {"GETEX", "k", "PERSIST"},
      {"PERSIST", "k"},
      {"EXPIRE", "missing", "10"},
      {"EXPIRE", "k", "10", "XX"},
      {"RENAME", "k", "k"},
      {"RENAMENX", "k", "n"},
      {"MOVE", "missing", "1"},
      {"COPY", "k", "n"},
      {"SETRANGE", "k", "3", ""},
      {"SETBIT", "b", "1", "1"},
      {"BITOP", "OR", "missing", "missing2"},
      {"BITFIELD", "n", "GET", "u8", "0"},
      {"INCR", "k"},
      {"INCRBYFLOAT", "k", "1"},
      {"SET", "k", "v", "EX", "0"},
  };
  const uint64_t dirty = server_.keyspace().dirty();
  for (auto command : commands) {
    EXPECT_EQ(Run(command), Events{}) << *command.begin();
    EXPECT_EQ(sink_.commands, Commands{}) << *command.begin();
  }
  EXPECT_EQ(server_.keyspace().dirty(), dirty);
}

TEST_F(WritePathTest, FlushesAndSwapdbPropagateEvenWhenTheyChangeNothing) {
  for (std::initializer_list<std::string_view> command :
       {std::initializer_list<std::string_view>{"FLUSHDB"},
        {"flushall", "async"},
        {"SWAPDB", "3", "3"}}) {
    Run(command);
    EXPECT_EQ(Propagated(), (Commands{std::vector<std::string>(command.begin(), command.end())}));
  }
}

TEST_F(WritePathTest, DirtyCountsChangesAsRedisDoes) {
  const uint64_t start = server_.keyspace().dirty();
  Run({"MSET", "a", "1", "b", "2", "a", "3"});
  Run({"BITFIELD", "bf", "SET", "u8", "0", "1", "INCRBY", "u8", "0", "1", "GET", "u8", "0"});
  Run({"RENAME", "a", "c"});
  Run({"DEL", "b", "c"});
  EXPECT_EQ(server_.keyspace().dirty() - start, 3u + 2u + 1u + 2u);
}

TEST_F(WritePathTest, LazyfreeSettingsChooseUnlink) {
  server_.config().lazyfree_lazy_user_del = true;
  Given({{"SET", "k", "v"}});
  Run({"getdel", "k"});
  EXPECT_EQ(Propagated(), (Commands{{"UNLINK", "k"}}));
  Given({{"SET", "k", "v"}});
  Run({"del", "k"});
  EXPECT_EQ(Propagated(), (Commands{{"del", "k"}}));  // as sent: Redis frees it lazily, that's all
  server_.config().lazyfree_lazy_expire = true;
  Given({{"SET", "k", "v"}});
  Run({"expire", "k", "0"});
  EXPECT_EQ(Propagated(), (Commands{{"UNLINK", "k"}}));
  Given({{"SET", "k", "v", "PXAT", "1"}});
  Run({"GET", "k"});
  EXPECT_EQ(Propagated(), (Commands{{"UNLINK", "k"}}));
}

TEST_F(WritePathTest, ALazilyExpiredKeyPropagatesWithTheCommandThatFoundIt) {
  Given({{"SET", "k", "v", "PXAT", "1"}});
  EXPECT_EQ(Run({"set", "k", "w"}), (Events{"expired k", "new k", "set k"}));
  EXPECT_EQ(Propagated(), (Commands{{"MULTI"}, {"DEL", "k"}, {"set", "k", "w"}, {"EXEC"}}));
  Given({{"SET", "k", "v", "PXAT", "1"}});
  EXPECT_EQ(Run({"set", "k", "w", "XX"}), (Events{"expired k"}));
  EXPECT_EQ(Propagated(), (Commands{{"DEL", "k"}}));
}

TEST_F(WritePathTest, ActiveExpiryPropagatesAtOnceOutsideAnyCommand) {
  Given({{"SET", "k", "v", "PXAT", "1"}});
  sink_.commands.clear();
  events_.events.clear();
  EXPECT_EQ(server_.keyspace().ActiveExpireStep(100'000), 1u);
  EXPECT_EQ(sink_.commands, (Commands{{"DEL", "k"}}));
  EXPECT_EQ(events_.events, (Events{"expired k"}));
}

// Each key a command changes reaches WATCH, the second key of RENAME and MOVE included (they
// count no second change).
TEST_F(WritePathTest, EveryChangedKeyFailsItsWatchers) {
  const std::initializer_list<std::string_view> writes[] = {
      {"RENAME", "src", "dst"},
      {"COPY", "src", "dst", "REPLACE"},
      {"APPEND", "dst", "x"},
      {"SETBIT", "dst", "100", "1"},
      {"BITFIELD", "dst", "SET", "u8", "0", "7"},
      {"EXPIRE", "dst", "100"},
      {"GETDEL", "dst"},
  };
  for (auto write : writes) {
    Given({{"SET", "src", "1"}, {"SET", "dst", "2"}});
    other_.Run({"WATCH", "dst"});
    client_.Run(write);
    other_.Run({"MULTI"});
    other_.Run({"PING"});
    EXPECT_EQ(other_.Run({"EXEC"}), "*-1\r\n") << *write.begin();
  }
  Given({{"SET", "m", "1"}});
  other_.Run({"SELECT", "1"});
  other_.Run({"WATCH", "m"});
  client_.Run({"MOVE", "m", "1"});
  other_.Run({"MULTI"});
  other_.Run({"PING"});
  EXPECT_EQ(other_.Run({"EXEC"}), "*-1\r\n");
}

}  // namespace
}  // namespace magnetar::server
