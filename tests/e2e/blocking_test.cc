// Blocking list commands over real sockets, with several clients, against magnetar-server and
// Redis 7.0.15 alike: decimal timeouts, first come first served, wake-up by MULTI/EXEC (every
// waiter served before any other command runs), BLMOVE/BRPOPLPUSH chains, a pipelined request
// held behind the blocked one, a client gone while blocked, the idle timeout, CLIENT UNBLOCK.
// tests/server/blocking_test.cc holds the mechanism through the dispatcher.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "server_fixture.h"
#include "support/resp_reply.h"

namespace magnetar::e2e {
namespace {

using namespace std::chrono_literals;
using test_support::EncodeCommand;
using test_support::Escape;

constexpr std::string_view kNullArray = "*-1\r\n";
constexpr std::string_view kPong = "+PONG\r\n";

// Sends a pipeline of commands in one write.
std::string Pipeline(std::initializer_list<std::initializer_list<std::string_view>> commands) {
  std::string bytes;
  for (auto command : commands) {
    bytes += EncodeCommand(std::span<const std::string_view>(command.begin(), command.size()));
  }
  return bytes;
}

class BlockedClientsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(StartServer());
    admin_ = Connect();
  }

  // The next reply on `client`, or what went wrong.
  static std::string Next(RespClient& client) {
    std::string reply;
    if (client.ReadReply(reply) != ReadStatus::kReply) return "<" + client.error() + ">";
    return reply;
  }

  // The id of `client`'s connection, as CLIENT UNBLOCK and CLIENT KILL ID take it.
  static std::string IdOf(RespClient& client) {
    std::string reply = client.Call({"CLIENT", "ID"});
    EXPECT_EQ(reply.front(), ':') << Escape(reply);
    return reply.substr(1, reply.size() - 3);
  }

  // A client blocks asynchronously to the others: waits until the server counts `count` blocked
  // clients, so that a push sent next finds them waiting (Redis's own tests wait the same way).
  ::testing::AssertionResult BlockedClientsReach(int count) {
    const std::string wanted = "blocked_clients:" + std::to_string(count) + "\r\n";
    std::string info;
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
      info = admin_->Call({"INFO", "clients"});
      if (info.find(wanted) != std::string::npos) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "INFO clients never showed " << Escape(wanted) << "; last: " << Escape(info);
  }

  // Sends `command` on `client`, which blocks on it.
  ::testing::AssertionResult Block(RespClient& client,
                                   std::initializer_list<std::string_view> command, int count) {
    if (!client.SendRaw(Pipeline({command}))) {
      return ::testing::AssertionFailure() << client.error();
    }
    return BlockedClientsReach(count);
  }

  std::unique_ptr<RespClient> admin_;  // pushes, inspects, unblocks
};

TEST_P(BlockedClientsTest, TimeoutWithDecimalsRepliesNullArray) {
  auto client = Connect();
  for (auto command : {std::initializer_list<std::string_view>{"BLPOP", "k", "0.1"},
                       {"BRPOP", "k", "other", "0.1"},
                       {"BLMOVE", "k", "d", "LEFT", "RIGHT", "0.1"},
                       {"BRPOPLPUSH", "k", "d", "0.1"},
                       {"BLMPOP", "0.1", "1", "k", "LEFT"}}) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client->Call(command), kNullArray) << *command.begin();
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 95ms) << *command.begin();
    EXPECT_LT(waited, 3s) << *command.begin();
  }
  // RESP3 has a null of its own.
  ASSERT_EQ(client->Call({"HELLO", "3"}).front(), '%');
  EXPECT_EQ(client->Call({"BLPOP", "k", "0.1"}), "_\r\n");
  EXPECT_TRUE(BlockedClientsReach(0));
}

TEST_P(BlockedClientsTest, ClientsBlockedOnOneKeyAreServedFirstComeFirstServed) {
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(Block(*first, {"BLPOP", "k", "0"}, 1));
  ASSERT_TRUE(Block(*second, {"BRPOP", "k", "0"}, 2));
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "x"}), ":1\r\n");
  EXPECT_EQ(Next(*first), "*2\r\n$1\r\nk\r\n$1\r\nx\r\n");
  EXPECT_TRUE(second->NothingArrivesWithin(100ms));
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "y"}), ":1\r\n");
  EXPECT_EQ(Next(*second), "*2\r\n$1\r\nk\r\n$1\r\ny\r\n");
  EXPECT_EQ(admin_->Call({"EXISTS", "k"}), ":0\r\n");
}

TEST_P(BlockedClientsTest, ExecThatPushesTwiceServesEveryWaiterBeforeAnyOtherCommand) {
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(Block(*first, {"BLPOP", "k", "0"}, 1));
  ASSERT_TRUE(Block(*second, {"BLPOP", "k", "0"}, 2));
  // LLEN, pipelined right behind EXEC, runs after both waiters took their element.
  ASSERT_TRUE(admin_->SendRaw(
      Pipeline({{"MULTI"}, {"RPUSH", "k", "a"}, {"RPUSH", "k", "b"}, {"EXEC"}, {"LLEN", "k"}})));
  EXPECT_EQ(Next(*admin_), "+OK\r\n");
  EXPECT_EQ(Next(*admin_), "+QUEUED\r\n");
  EXPECT_EQ(Next(*admin_), "+QUEUED\r\n");
  EXPECT_EQ(Next(*admin_), "*2\r\n:1\r\n:2\r\n");
  EXPECT_EQ(Next(*admin_), ":0\r\n");
  EXPECT_EQ(Next(*first), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  EXPECT_EQ(Next(*second), "*2\r\n$1\r\nk\r\n$1\r\nb\r\n");

  // One waiter: it takes the head once EXEC ends, the rest stays for the next command.
  ASSERT_TRUE(Block(*first, {"BLPOP", "k", "0"}, 1));
  ASSERT_TRUE(admin_->SendRaw(Pipeline({{"MULTI"},
                                        {"RPUSH", "k", "a"},
                                        {"RPUSH", "k", "b"},
                                        {"EXEC"},
                                        {"LRANGE", "k", "0", "-1"}})));
  for (int i = 0; i < 4; ++i) Next(*admin_);
  EXPECT_EQ(Next(*admin_), "*1\r\n$1\r\nb\r\n");
  EXPECT_EQ(Next(*first), "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
}

TEST_P(BlockedClientsTest, BlmoveWakeUpServesABrpoplpushWaitingOnItsDestination) {
  auto mover = Connect();
  auto next = Connect();
  ASSERT_TRUE(Block(*mover, {"BLMOVE", "src", "mid", "LEFT", "RIGHT", "0"}, 1));
  ASSERT_TRUE(Block(*next, {"BRPOPLPUSH", "mid", "dst", "0"}, 2));
  ASSERT_TRUE(admin_->SendRaw(Pipeline(
      {{"RPUSH", "src", "e"}, {"LRANGE", "mid", "0", "-1"}, {"LRANGE", "dst", "0", "-1"}})));
  EXPECT_EQ(Next(*admin_), ":1\r\n");
  EXPECT_EQ(Next(*admin_), "*0\r\n");
  EXPECT_EQ(Next(*admin_), "*1\r\n$1\r\ne\r\n");
  EXPECT_EQ(Next(*mover), "$1\r\ne\r\n");
  EXPECT_EQ(Next(*next), "$1\r\ne\r\n");
  EXPECT_TRUE(BlockedClientsReach(0));
}

TEST_P(BlockedClientsTest, APipelinedRequestWaitsForTheBlockedOne) {
  auto client = Connect();
  ASSERT_TRUE(client->SendRaw(Pipeline({{"BLPOP", "k", "0"}, {"PING"}})));
  ASSERT_TRUE(BlockedClientsReach(1));
  EXPECT_TRUE(client->NothingArrivesWithin(200ms)) << "PING answered while BLPOP is blocked";
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "p"}), ":1\r\n");
  EXPECT_EQ(Next(*client), "*2\r\n$1\r\nk\r\n$1\r\np\r\n");
  EXPECT_EQ(Next(*client), kPong);
}

TEST_P(BlockedClientsTest, AClientGoneWhileBlockedLeavesNothingBehind) {
  auto leaving = Connect();
  auto killed = Connect();
  const std::string killed_id = IdOf(*killed);
  ASSERT_TRUE(Block(*leaving, {"BLPOP", "k", "0"}, 1));
  ASSERT_TRUE(Block(*killed, {"BRPOP", "k", "0"}, 2));
  leaving->Close();
  EXPECT_EQ(admin_->Call({"CLIENT", "KILL", "ID", killed_id}), ":1\r\n");
  EXPECT_TRUE(killed->WaitForClose());
  EXPECT_TRUE(BlockedClientsReach(0));
  // Nobody takes the element any more: it stays in the list.
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "v"}), ":1\r\n");
  EXPECT_EQ(admin_->Call({"LRANGE", "k", "0", "-1"}), "*1\r\n$1\r\nv\r\n");
  EXPECT_TRUE(ServesNewClient());
}

TEST_P(BlockedClientsTest, IdleTimeoutSparesBlockedClients) {
  ASSERT_EQ(admin_->Call({"CONFIG", "SET", "timeout", "1"}), "+OK\r\n");
  auto served = Connect();
  auto timed_out = Connect();
  auto idle = Connect();
  ASSERT_EQ(idle->Call({"PING"}), kPong);
  ASSERT_TRUE(Block(*served, {"BLPOP", "k", "0"}, 1));
  ASSERT_TRUE(Block(*timed_out, {"BLPOP", "other", "2"}, 2));
  std::this_thread::sleep_for(2500ms);
  // The idle client is closed; the blocked ones are not (admin_ is closed as well: a new one
  // pushes).
  EXPECT_TRUE(idle->WaitForClose());
  // Once unblocked a client is idle like any other, from its last reply on (Redis counts in whole
  // seconds), so it is checked at once after its reply.
  EXPECT_EQ(Next(*timed_out), kNullArray);
  EXPECT_EQ(timed_out->Call({"PING"}), kPong);
  // The other is still blocked, and takes what is pushed. Its reply is not awaited: Redis's cron
  // may close a client the push has just unblocked before the reply leaves (it checks idleness
  // between the two), so only the pop is Redis's promise.
  admin_ = Connect();
  EXPECT_TRUE(BlockedClientsReach(1));
  auto pusher = Connect();
  EXPECT_EQ(pusher->Call({"RPUSH", "k", "v"}), ":1\r\n");
  EXPECT_EQ(pusher->Call({"LLEN", "k"}), ":0\r\n");
}

TEST_P(BlockedClientsTest, ClientUnblockWithTheTimeoutReplyOrAnError) {
  auto client = Connect();
  const std::string id = IdOf(*client);

  ASSERT_TRUE(Block(*client, {"BLPOP", "k", "0"}, 1));
  std::string line = admin_->Call({"CLIENT", "LIST", "ID", id});
  EXPECT_NE(line.find(" flags=b "), std::string::npos) << Escape(line);
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id, "TIMEOUT"}), ":1\r\n");
  EXPECT_EQ(Next(*client), kNullArray);

  ASSERT_TRUE(Block(*client, {"BRPOPLPUSH", "k", "d", "0"}, 1));
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id, "ERROR"}), ":1\r\n");
  EXPECT_EQ(Next(*client), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");

  ASSERT_TRUE(Block(*client, {"BLMOVE", "k", "d", "LEFT", "LEFT", "0"}, 1));
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id}), ":1\r\n");  // TIMEOUT is the default
  EXPECT_EQ(Next(*client), kNullArray);

  // WAIT's timeout reply is the count of replicas that acknowledged: none here.
  ASSERT_TRUE(Block(*client, {"WAIT", "1", "0"}, 1));
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id}), ":1\r\n");
  EXPECT_EQ(Next(*client), ":0\r\n");
  ASSERT_TRUE(Block(*client, {"WAIT", "1", "0"}, 1));
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id, "ERROR"}), ":1\r\n");
  EXPECT_EQ(Next(*client), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");

  EXPECT_TRUE(BlockedClientsReach(0));
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id}), ":0\r\n");
  EXPECT_EQ(admin_->Call({"CLIENT", "UNBLOCK", id, "maybe"}),
            "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
  // The unblocked client waits on nothing: a push stays in the list.
  EXPECT_EQ(admin_->Call({"RPUSH", "k", "v"}), ":1\r\n");
  EXPECT_EQ(client->Call({"LLEN", "k"}), ":1\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, BlockedClientsTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
