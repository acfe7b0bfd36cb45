// DEBUG SET-ACTIVE-EXPIRE on a running server: with active expiry off a key past its deadline
// stays (lazy expiry still removes it when a command looks it up); turned back on, the server
// removes it by itself. Runs against both servers.
#include <chrono>
#include <string>
#include <thread>

#include "server_fixture.h"

namespace magnetar::e2e {
namespace {

class DebugTest : public ServerTest {
 protected:
  // Polls DBSIZE until it reads `expected` or `timeout` passes; returns the last reply.
  static std::string WaitForDbsize(RespClient& client, std::string_view expected,
                                   std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string reply;
    do {
      reply = client.Call({"DBSIZE"});
      if (reply == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return reply;
  }
};

TEST_P(DebugTest, SetActiveExpireTurnsBackgroundExpiryOffAndOn) {
  ASSERT_TRUE(StartServer({{"enable-debug-command", "yes"}}));
  auto client = Connect();
  EXPECT_EQ(client->Call({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK\r\n");
  EXPECT_EQ(client->Call({"SET", "lazy", "v", "PX", "10"}), "+OK\r\n");
  EXPECT_EQ(client->Call({"SET", "active", "v", "PX", "10"}), "+OK\r\n");
  // Several of Redis's cron periods (100 ms) and of Magnetar's expiry timer pass: nothing goes.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(client->Call({"DBSIZE"}), ":2\r\n");
  // A lookup still expires the key it finds past its deadline.
  EXPECT_EQ(client->Call({"GET", "lazy"}), "$-1\r\n");
  EXPECT_EQ(client->Call({"DBSIZE"}), ":1\r\n");

  EXPECT_EQ(client->Call({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}), "+OK\r\n");
  EXPECT_EQ(WaitForDbsize(*client, ":0\r\n", std::chrono::seconds(10)), ":0\r\n");
  EXPECT_TRUE(ServesNewClient());
}

INSTANTIATE_TEST_SUITE_P(Servers, DebugTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
