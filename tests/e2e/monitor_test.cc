// MONITOR over real connections, against both servers: the line format with Redis's quoting,
// which commands are shown and when, what a monitoring client may still run, and its output
// limit. Lines carry a time and a client port, so they are matched with patterns.
#include <regex>
#include <string>

#include "server_fixture.h"

namespace magnetar::e2e {
namespace {

class MonitorTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(StartServer());
    monitor_ = Connect();
    ASSERT_EQ(monitor_->Call({"MONITOR"}), "+OK\r\n");
  }

  // The next line the monitor receives, or what went wrong.
  std::string NextLine() {
    std::string line;
    if (monitor_->ReadReply(line) != ReadStatus::kReply) return "<" + monitor_->error() + ">";
    return line;
  }

  // Whether `line` is a monitor line for database `db` whose arguments read `args` (as quoted).
  static ::testing::AssertionResult IsLine(const std::string& line, int db,
                                           const std::string& args) {
    static const std::regex kPrefix(R"(^\+\d{10,}\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] )");
    std::smatch match;
    if (!std::regex_search(line, match, kPrefix) || match[1] != std::to_string(db) ||
        line.substr(match.length()) != args + "\r\n") {
      return ::testing::AssertionFailure() << "\"" << test_support::Escape(line)
                                           << "\" is not the line of db " << db << ": " << args;
    }
    return ::testing::AssertionSuccess();
  }

  std::unique_ptr<RespClient> monitor_;
};

TEST_P(MonitorTest, ShowsCommandsWithRedisQuoting) {
  auto client = Connect();
  ASSERT_EQ(client->Call({"SET", "k", std::string_view("a\0\"\\\n\r\t\a\b\x01\xff z", 13)}),
            "+OK\r\n");
  ASSERT_EQ(client->Call({"GET", "nokey"}), "$-1\r\n");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("SET" "k" "a\x00\"\\\n\r\t\a\b\x01\xff z")x"));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("GET" "nokey")x"));
}

TEST_P(MonitorTest, HidesAdminCommandsAndRedactsSecrets) {
  auto client = Connect();
  client->Call({"CONFIG", "GET", "maxmemory"});  // admin: hidden
  client->Call({"SLOWLOG", "LEN"});              // admin: hidden
  client->Call({"AUTH", "secret"});              // fails, but ran: shown, redacted
  client->Call({"HELLO", "2", "AUTH", "default", "pw"});
  client->Call({"SELECT", "3"});    // shown in the database it selected
  client->Call({"GET", "a", "b"});  // refused before running: hidden
  client->Call({"PING"});
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("AUTH" "(redacted)")x"));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("HELLO" "2" "AUTH" "(redacted)" "(redacted)")x"));
  EXPECT_TRUE(IsLine(NextLine(), 3, R"x("SELECT" "3")x"));
  EXPECT_TRUE(IsLine(NextLine(), 3, R"x("PING")x"));
}

TEST_P(MonitorTest, ShowsATransactionsCommandsBeforeItsExec) {
  auto client = Connect();
  client->Call({"MULTI"});
  client->Call({"SET", "a", "1"});
  client->Call({"INCR", "a"});
  ASSERT_EQ(client->Call({"EXEC"}), "*2\r\n+OK\r\n:2\r\n");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("MULTI")x"));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("SET" "a" "1")x"));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("INCR" "a")x"));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("EXEC")x"));
  // A transaction aborted at EXEC did not run, yet Redis shows its EXEC.
  client->Call({"MULTI"});
  client->Call({"NOSUCH"});
  ASSERT_EQ(client->Call({"EXEC"}).substr(0, 10), "-EXECABORT");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("MULTI")x"));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("EXEC")x"));
}

TEST_P(MonitorTest, ShowsABlockedCommandOnceWhenItBlocks) {
  auto blocked = Connect();
  auto pusher = Connect();
  std::string_view blpop[] = {"BLPOP", "list", "0"};
  ASSERT_TRUE(blocked->Send(blpop));
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("BLPOP" "list" "0")x"));
  ASSERT_EQ(pusher->Call({"RPUSH", "list", "x"}), ":1\r\n");
  std::string reply;
  ASSERT_EQ(blocked->ReadReply(reply), ReadStatus::kReply);
  EXPECT_EQ(reply, "*2\r\n$4\r\nlist\r\n$1\r\nx\r\n");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("RPUSH" "list" "x")x"));
  ASSERT_EQ(pusher->Call({"PING"}), "+PONG\r\n");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("PING")x"));
}

TEST_P(MonitorTest, MonitoringClientStaysOffTheKeyspaceUntilReset) {
  EXPECT_EQ(monitor_->Call({"GET", "k"}), "-ERR Replica can't interact with the keyspace\r\n");
  EXPECT_EQ(monitor_->Call({"SET", "k", "v"}), "-ERR Replica can't interact with the keyspace\r\n");
  // Its own commands are shown to it too, after their replies.
  EXPECT_EQ(monitor_->Call({"PING"}), "+PONG\r\n");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("PING")x"));
  // A second MONITOR is ignored without a reply: the next reply is PING's.
  std::string_view again[] = {"MONITOR"};
  ASSERT_TRUE(monitor_->Send(again));
  EXPECT_EQ(monitor_->Call({"PING"}), "+PONG\r\n");
  EXPECT_TRUE(IsLine(NextLine(), 0, R"x("PING")x"));
  EXPECT_EQ(monitor_->Call({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(monitor_->Call({"SET", "k", "v"}), "+OK\r\n");
  // No longer monitoring: another client's command sends it nothing ahead of its next reply.
  auto client = Connect();
  ASSERT_EQ(client->Call({"PING"}), "+PONG\r\n");
  EXPECT_EQ(monitor_->Call({"GET", "k"}), "$1\r\nv\r\n");
}

TEST_P(MonitorTest, IsRefusedInsideATransaction) {
  auto client = Connect();
  client->Call({"MULTI"});
  EXPECT_EQ(client->Call({"MONITOR"}), "+QUEUED\r\n");
  EXPECT_EQ(client->Call({"EXEC"}),
            "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
}

TEST_P(MonitorTest, ClientListShowsTheMonitorFlag) {
  auto client = Connect();
  std::string list = client->Call({"CLIENT", "LIST"});
  EXPECT_NE(list.find("flags=O "), std::string::npos) << list;
  EXPECT_NE(list.find("cmd=monitor "), std::string::npos) << list;
}

TEST_P(MonitorTest, MonitorOverItsOutputLimitIsClosed) {
  auto client = Connect();
  ASSERT_EQ(client->Call({"CONFIG", "SET", "client-output-buffer-limit", "normal 64kb 0 0"}),
            "+OK\r\n");
  // The monitor reads nothing: the lines pile up in its output until the hard limit cuts it off.
  // More than the socket buffers on both sides can hold, so the lines reach the server's buffer.
  const std::string value(128 * 1024, 'v');
  for (int i = 0; i < 256 && server_->Alive(); ++i) {
    ASSERT_EQ(client->Call({"SET", "k", value}), "+OK\r\n");
  }
  EXPECT_TRUE(monitor_->WaitForClose());
  EXPECT_TRUE(ServesNewClient());
}

INSTANTIATE_TEST_SUITE_P(Servers, MonitorTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
