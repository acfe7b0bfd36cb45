// SLOWLOG through the dispatcher: what is logged, how arguments are kept, GET/LEN/RESET and the
// two directives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "command_test.h"

namespace magnetar::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SlowlogTest : public CommandTest {
 protected:
  // Logs every command from here on, with an empty log.
  void LogEverything() {
    ASSERT_EQ(Run({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), "+OK\r\n");
    ASSERT_EQ(Run({"SLOWLOG", "RESET"}), "+OK\r\n");
  }
  const std::deque<SlowlogEntry>& Entries() { return server_.slowlog().entries(); }
};

TEST_F(SlowlogTest, DirectivesHaveRedisDefaultsAndRanges) {
  EXPECT_EQ(Run({"CONFIG", "GET", "slowlog-*"}),
            "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n$15\r\nslowlog-max-len\r\n"
            "$3\r\n128\r\n");
  EXPECT_EQ(Run({"CONFIG", "SET", "slowlog-log-slower-than", "-2"}),
            "-ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - "
            "argument must be between -1 and 9223372036854775807 inclusive\r\n");
  EXPECT_EQ(Run({"CONFIG", "SET", "slowlog-max-len", "-1"}),
            "-ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument "
            "must be between 0 and 9223372036854775807 inclusive\r\n");
}

TEST_F(SlowlogTest, FastCommandsAreNotLogged) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Run({"SLOWLOG", "LEN"}), ":0\r\n");
  Run({"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
  Run({"PING"});
  EXPECT_TRUE(Entries().empty());
}

TEST_F(SlowlogTest, EntriesHoldTheCommandAndTheClient) {
  LogEverything();
  Run({"CLIENT", "SETNAME", "worker"});
  Run({"SET", "k", "v"});
  ASSERT_EQ(Entries().size(), 3u);  // RESET, CLIENT SETNAME, SET
  const SlowlogEntry& newest = Entries().front();
  EXPECT_THAT(newest.args, ElementsAre("SET", "k", "v"));
  EXPECT_EQ(newest.client_name, "worker");
  EXPECT_EQ(newest.client_address, client_.peer_address());
  EXPECT_EQ(newest.id, Entries()[1].id + 1);
  // The name is read after the command, so SETNAME's entry shows the new one.
  EXPECT_EQ(Entries()[1].client_name, "worker");
  EXPECT_THAT(Run({"SLOWLOG", "GET", "1"}), HasSubstr("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
}

TEST_F(SlowlogTest, LongCommandsAreTruncatedAsRedisDoes) {
  LogEverything();
  std::string big(200, 'x');
  std::vector<std::string> storage = {"RPUSH", "list", big};
  for (int i = 0; i < 40; ++i) storage.push_back(std::to_string(i));
  std::vector<std::string_view> args(storage.begin(), storage.end());
  client_.Run(args);
  const std::vector<std::string>& logged = Entries().front().args;
  ASSERT_EQ(logged.size(), 32u);
  EXPECT_EQ(logged[2], std::string(128, 'x') + "... (72 more bytes)");
  EXPECT_EQ(logged[30], "27");
  EXPECT_EQ(logged[31], "... (12 more arguments)");
}

TEST_F(SlowlogTest, SecretsAreRedacted) {
  LogEverything();
  Run({"AUTH", "pw"});
  Run({"HELLO", "2", "AUTH", "default", "pw", "SETNAME", "n"});
  Run({"CONFIG", "SET", "timeout", "0", "requirepass", "secret"});
  ASSERT_EQ(Entries().size(), 4u);
  EXPECT_THAT(Entries()[2].args, ElementsAre("AUTH", "(redacted)"));
  EXPECT_THAT(Entries()[1].args,
              ElementsAre("HELLO", "2", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"));
  EXPECT_THAT(Entries()[0].args,
              ElementsAre("CONFIG", "SET", "timeout", "0", "requirepass", "(redacted)"));
}

TEST_F(SlowlogTest, ExecIsNotLoggedButItsCommandsAre) {
  LogEverything();
  Run({"MULTI"});
  Run({"INCR", "n"});
  Run({"EXEC"});
  ASSERT_EQ(Entries().size(), 3u);
  EXPECT_THAT(Entries()[0].args, ElementsAre("INCR", "n"));
  EXPECT_THAT(Entries()[1].args, ElementsAre("MULTI"));
}

TEST_F(SlowlogTest, MaxLenKeepsTheNewest) {
  LogEverything();
  Run({"CONFIG", "SET", "slowlog-max-len", "2"});
  Run({"PING", "a"});
  Run({"PING", "b"});
  ASSERT_EQ(Entries().size(), 2u);
  EXPECT_THAT(Entries()[0].args, ElementsAre("PING", "b"));
  Run({"CONFIG", "SET", "slowlog-max-len", "0"});
  EXPECT_EQ(Run({"SLOWLOG", "LEN"}), ":0\r\n");
}

TEST_F(SlowlogTest, GetCountAndReset) {
  LogEverything();
  for (int i = 0; i < 12; ++i) Run({"PING"});
  EXPECT_THAT(Run({"SLOWLOG", "GET"}), ::testing::StartsWith("*10\r\n"));
  EXPECT_THAT(Run({"SLOWLOG", "GET", "-1"}), ::testing::StartsWith("*14\r\n"));
  EXPECT_EQ(Run({"SLOWLOG", "GET", "0"}), "*0\r\n");
  EXPECT_EQ(Run({"SLOWLOG", "GET", "-2"}), "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(Run({"SLOWLOG", "GET", "x"}), "-ERR count should be greater than or equal to -1\r\n");
  EXPECT_EQ(Run({"SLOWLOG", "RESET"}), "+OK\r\n");
  EXPECT_EQ(Run({"SLOWLOG", "LEN"}), ":1\r\n") << "RESET itself is logged after it ran";
  EXPECT_THAT(Run({"SLOWLOG", "HELP"}), HasSubstr("Reset the slowlog."));
}

}  // namespace
}  // namespace magnetar::server
