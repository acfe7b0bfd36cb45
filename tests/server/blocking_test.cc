// Clients blocked on keys, through the real dispatcher with fake connections: first come first
// served, wake-up by MULTI/EXEC, timeouts, CLIENT UNBLOCK, a client gone while blocked, and
// what INFO and CLIENT LIST show.
#include "magnetar/server/blocking.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::FakeConnection;

class BlockingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(a_.Open(server_));
    ASSERT_TRUE(b_.Open(server_));
    ASSERT_TRUE(pusher_.Open(server_));
  }

  Server server_{Config{}};
  FakeConnection a_;
  FakeConnection b_;
  FakeConnection pusher_;
};

TEST_F(BlockingTest, ClientsAreServedInArrivalOrder) {
  EXPECT_EQ(a_.Run({"BLPOP", "q", "0"}), "");
  EXPECT_EQ(b_.Run({"BRPOP", "q", "other", "0"}), "");
  EXPECT_TRUE(a_.blocked());
  EXPECT_EQ(server_.blocking().blocked_clients(), 2u);
  EXPECT_EQ(pusher_.Run({"RPUSH", "q", "x"}), ":1\r\n");
  EXPECT_EQ(a_.Take(), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
  EXPECT_FALSE(a_.blocked());
  EXPECT_EQ(b_.Take(), "");
  EXPECT_TRUE(b_.blocked());
  // Two elements: b takes the tail, one stays.
  pusher_.Run({"RPUSH", "q", "y", "z"});
  EXPECT_EQ(b_.Take(), "*2\r\n$1\r\nq\r\n$1\r\nz\r\n");
  EXPECT_EQ(pusher_.Run({"LRANGE", "q", "0", "-1"}), "*1\r\n$1\r\ny\r\n");
  EXPECT_EQ(server_.blocking().blocked_clients(), 0u);
}

TEST_F(BlockingTest, ExecWakesOnceItEnds) {
  a_.Run({"BLMPOP", "0", "1", "q", "LEFT", "COUNT", "5"});
  pusher_.Run({"MULTI"});
  pusher_.Run({"RPUSH", "q", "a", "b", "c"});
  pusher_.Run({"LPOP", "q"});
  EXPECT_EQ(a_.Take(), "");
  pusher_.Run({"EXEC"});
  EXPECT_EQ(a_.Take(), "*2\r\n$1\r\nq\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(pusher_.Run({"EXISTS", "q"}), ":0\r\n");
}

TEST_F(BlockingTest, InsideMultiNothingBlocks) {
  a_.Run({"MULTI"});
  a_.Run({"BLPOP", "q", "0"});
  a_.Run({"BLMOVE", "q", "d", "LEFT", "LEFT", "0"});
  EXPECT_EQ(a_.Run({"EXEC"}), "*2\r\n*-1\r\n$-1\r\n");
  EXPECT_FALSE(a_.blocked());
}

TEST_F(BlockingTest, TimeoutRepliesNullArray) {
  a_.Run({"BRPOPLPUSH", "q", "d", "0.01"});
  EXPECT_TRUE(a_.blocked());
  server_.blocking().ExpireTimeouts(server_.clock().NowMs() + 10);
  EXPECT_EQ(a_.Take(), "*-1\r\n");
  EXPECT_FALSE(a_.blocked());
  EXPECT_EQ(server_.blocking().blocked_clients(), 0u);
}

TEST_F(BlockingTest, ClientUnblock) {
  a_.Run({"BLPOP", "q", "0"});
  b_.Run({"BLPOP", "q", "0"});
  // a_ and b_ are clients 1 and 2 (opened first).
  std::string info = pusher_.Run({"INFO", "clients"});
  EXPECT_NE(info.find("blocked_clients:2"), std::string::npos);
  std::string list = pusher_.Run({"CLIENT", "LIST"});
  EXPECT_NE(list.find("flags=b"), std::string::npos);
  EXPECT_EQ(pusher_.Run({"CLIENT", "UNBLOCK", "1", "ERROR"}), ":1\r\n");
  EXPECT_EQ(a_.Take(), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  EXPECT_EQ(pusher_.Run({"CLIENT", "UNBLOCK", "2"}), ":1\r\n");
  EXPECT_EQ(b_.Take(), "*-1\r\n");
  EXPECT_EQ(pusher_.Run({"CLIENT", "UNBLOCK", "2"}), ":0\r\n");
  EXPECT_EQ(pusher_.Run({"CLIENT", "UNBLOCK", "2", "FOO"}),
            "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
}

TEST_F(BlockingTest, ClientGoneWhileBlockedLeavesNothing) {
  auto gone = std::make_unique<FakeConnection>();
  ASSERT_TRUE(gone->Open(server_));
  gone->Run({"BLPOP", "q", "0"});
  a_.Run({"BLPOP", "q", "0"});
  EXPECT_EQ(server_.blocking().blocked_clients(), 2u);
  gone.reset();
  EXPECT_EQ(server_.blocking().blocked_clients(), 1u);
  pusher_.Run({"RPUSH", "q", "x"});
  EXPECT_EQ(a_.Take(), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
  EXPECT_EQ(server_.blocking().blocked_clients(), 0u);
}

TEST_F(BlockingTest, WrongTypeAndBadTimeouts) {
  pusher_.Run({"SET", "s", "v"});
  EXPECT_EQ(a_.Run({"BLPOP", "s", "0"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(a_.Run({"BLPOP", "q", "-1"}), "-ERR timeout is negative\r\n");
  EXPECT_EQ(a_.Run({"BLPOP", "q", "x"}), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_FALSE(a_.blocked());
}

}  // namespace
}  // namespace magnetar::server
