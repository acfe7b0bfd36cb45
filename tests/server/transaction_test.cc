// MULTI/EXEC and WATCH through the real dispatcher with several clients: conflicting writers,
// keys that expire while watched (Redis 7.0's stale-key rules), and what a transaction
// propagates.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "command_test.h"
#include "magnetar/server/client.h"
#include "server/dispatcher.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::FakeConnection;

constexpr std::string_view kOk = "+OK\r\n";
constexpr std::string_view kQueued = "+QUEUED\r\n";
constexpr std::string_view kNullArray = "*-1\r\n";

class TransactionTest : public CommandTest {
 protected:
  // Lets a key set with PX 1 pass its deadline.
  // A key that must still be live when it is watched lives this long: WATCH surely comes before
  // the deadline on a loaded machine (1 ms did not, in CI), and WaitPastDeadline outlasts it.
  static constexpr std::string_view kLifeMs = "100";
  static void WaitPastDeadline() { std::this_thread::sleep_for(std::chrono::milliseconds(110)); }

  std::string MultiPingExec() {
    EXPECT_EQ(client_.Run({"MULTI"}), kOk);
    EXPECT_EQ(client_.Run({"PING"}), kQueued);
    return client_.Run({"EXEC"});
  }
};

TEST_F(TransactionTest, QueuedCommandsRunAtExecInOrder) {
  EXPECT_EQ(client_.Run({"MULTI"}), kOk);
  EXPECT_EQ(client_.Run({"SET", "k", "1"}), kQueued);
  EXPECT_EQ(client_.Run({"INCR", "k"}), kQueued);
  // Nothing ran yet: another client still sees no key.
  EXPECT_EQ(other_.Run({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(client_.Run({"EXEC"}), "*2\r\n+OK\r\n:2\r\n");
  EXPECT_EQ(other_.Run({"GET", "k"}), "$1\r\n2\r\n");
}

TEST_F(TransactionTest, AnotherClientsWriteFailsExec) {
  client_.Run({"SET", "k", "1"});
  EXPECT_EQ(client_.Run({"WATCH", "k"}), kOk);
  other_.Run({"SET", "k", "2"});
  EXPECT_EQ(client_.Run({"MULTI"}), kOk);
  EXPECT_EQ(client_.Run({"SET", "k", "3"}), kQueued);
  EXPECT_EQ(client_.Run({"EXEC"}), kNullArray);
  EXPECT_EQ(client_.Run({"GET", "k"}), "$1\r\n2\r\n");
}

TEST_F(TransactionTest, WatchOfAnUntouchedKeyLetsExecRun) {
  client_.Run({"WATCH", "k"});
  other_.Run({"SET", "unrelated", "1"});
  other_.Run({"DEL", "k"});  // deleting a missing key changes nothing
  EXPECT_EQ(MultiPingExec(), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionTest, ClientListShowsTheTransaction) {
  client_.Run({"MULTI"});
  client_.Run({"PING"});
  client_.Run({"PING"});
  std::string list = other_.Run({"CLIENT", "LIST"});
  EXPECT_NE(list.find("flags=x db=0 sub=0 psub=0 ssub=0 multi=2 "), std::string::npos) << list;
  client_.Run({"DISCARD"});
  client_.Run({"WATCH", "k"});
  other_.Run({"SET", "k", "1"});
  list = other_.Run({"CLIENT", "LIST"});
  EXPECT_NE(list.find("flags=d db=0 sub=0 psub=0 ssub=0 multi=-1 "), std::string::npos) << list;
}

TEST_F(TransactionTest, WatchedKeyThatExpiresFailsExec) {
  client_.Run({"SET", "k", "v", "PX", kLifeMs});
  client_.Run({"WATCH", "k"});
  WaitPastDeadline();
  EXPECT_EQ(MultiPingExec(), kNullArray);
}

TEST_F(TransactionTest, WatchingAnAlreadyExpiredKeyDoesNotFailExec) {
  client_.Run({"SET", "k", "v", "PX", kLifeMs});
  WaitPastDeadline();
  client_.Run({"WATCH", "k"});
  EXPECT_EQ(MultiPingExec(), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionTest, DeletingAWatchedStaleKeyDoesNotFailExec) {
  client_.Run({"SET", "k", "v", "PX", "1"});
  WaitPastDeadline();
  client_.Run({"WATCH", "k"});
  EXPECT_EQ(other_.Run({"EXISTS", "k"}), ":0\r\n");  // lazy expiry removes it
  EXPECT_EQ(MultiPingExec(), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionTest, FlushingAWatchedStaleKeyDoesNotFailExec) {
  client_.Run({"SET", "k", "v", "PX", "1"});
  WaitPastDeadline();
  client_.Run({"WATCH", "k"});
  other_.Run({"FLUSHDB"});
  EXPECT_EQ(MultiPingExec(), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionTest, SwapDbDoesNotTouchAMissingKeyReplacedByAStaleOne) {
  other_.Run({"SET", "k", "v", "PX", "1"});
  WaitPastDeadline();
  client_.Run({"SELECT", "1"});
  client_.Run({"WATCH", "k"});
  other_.Run({"SWAPDB", "0", "1"});
  EXPECT_EQ(MultiPingExec(), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionTest, DisconnectForgetsTheWatches) {
  {
    FakeConnection watcher;
    ASSERT_TRUE(watcher.Open(server_));
    watcher.Run({"WATCH", "a", "b"});
    EXPECT_FALSE(server_.watched_keys().empty());
  }
  EXPECT_TRUE(server_.watched_keys().empty());
}

// The look-ahead's guess of which requests MULTI will queue (they are not prefetched).
TEST_F(TransactionTest, LookAheadExpectsQueueingFromMultiUntilTheTransactionEnds) {
  const Client& client = *server_.clients().begin()->second;
  auto queued_after = [&](std::vector<std::string_view> args, bool queued) {
    return PrefetchKeys(server_, client, args, queued);
  };
  EXPECT_FALSE(queued_after({"INCR", "k"}, false));
  EXPECT_TRUE(queued_after({"multi"}, false));
  EXPECT_TRUE(queued_after({"INCR", "k"}, true));
  EXPECT_TRUE(queued_after({"MULTI"}, true));
  for (std::string_view end : {"EXEC", "discard", "Reset"}) {
    EXPECT_FALSE(queued_after({end}, true)) << end;
  }
}

// What whole transactions propagate, in sink_ from the first command on.
using TransactionPropagationTest = TransactionTest;

TEST_F(TransactionPropagationTest, OneWriteIsNotWrapped) {
  client_.Run({"MULTI"});
  client_.Run({"set", "a", "1"});
  client_.Run({"GET", "a"});
  client_.Run({"EXEC"});
  EXPECT_EQ(sink_.commands, (Commands{{"SELECT", "0"}, {"set", "a", "1"}}));
}

TEST_F(TransactionPropagationTest, SeveralWritesAreWrappedWithTheirDatabases) {
  client_.Run({"MULTI"});
  client_.Run({"SELECT", "1"});
  client_.Run({"SET", "a", "1"});
  client_.Run({"SELECT", "2"});
  client_.Run({"SET", "b", "2"});
  client_.Run({"EXEC"});
  EXPECT_EQ(sink_.commands, (Commands{{"SELECT", "1"},
                                      {"MULTI"},
                                      {"SET", "a", "1"},
                                      {"SELECT", "2"},
                                      {"SET", "b", "2"},
                                      {"EXEC"}}));
}

TEST_F(TransactionPropagationTest, ReadOnlyOrFailedTransactionsPropagateNothing) {
  client_.Run({"MULTI"});
  client_.Run({"GET", "a"});
  client_.Run({"DEL", "missing"});
  client_.Run({"EXEC"});
  client_.Run({"WATCH", "a"});
  other_.Run({"SET", "a", "1"});
  client_.Run({"MULTI"});
  client_.Run({"SET", "b", "1"});
  client_.Run({"EXEC"});
  EXPECT_EQ(sink_.commands, (Commands{{"SELECT", "0"}, {"SET", "a", "1"}}));
}

}  // namespace
}  // namespace magnetar::server
