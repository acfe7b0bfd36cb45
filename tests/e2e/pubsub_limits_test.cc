// The pubsub class of client-output-buffer-limit: a subscriber that never reads its messages is
// disconnected once its pending output passes the hard limit, or stays over the soft limit for
// the given seconds, and the server's memory stays bounded meanwhile. Runs on both servers.
#include <gmock/gmock.h>

#include <chrono>
#include <string>
#include <thread>

#include "server_fixture.h"

namespace magnetar::e2e {
namespace {

using ::testing::HasSubstr;

class PubSubLimitsTest : public ServerTest {
 protected:
  // Subscribes a client that then never reads.
  std::unique_ptr<RespClient> Subscriber(std::string_view channel) {
    auto subscriber = Connect();
    std::string expected = "*3\r\n$9\r\nsubscribe\r\n$" + std::to_string(channel.size()) + "\r\n" +
                           std::string(channel) + "\r\n:1\r\n";
    EXPECT_EQ(subscriber->Call({"SUBSCRIBE", channel}), expected);
    return subscriber;
  }

  // Publishes `message` to `channel` until PUBLISH reaches nobody (the server dropped the
  // subscriber) or `max_bytes` have been published; returns the bytes published while someone
  // still received them.
  int64_t PublishUntilNobodyListens(RespClient& publisher, std::string_view channel,
                                    const std::string& message, int64_t max_bytes) {
    int64_t published = 0;
    while (published < max_bytes) {
      std::string reply = publisher.Call({"PUBLISH", channel, message});
      if (reply != ":1\r\n") {
        EXPECT_EQ(reply, ":0\r\n") << publisher.error();
        break;
      }
      published += static_cast<int64_t>(message.size());
    }
    return published;
  }
};

TEST_P(PubSubLimitsTest, HardLimitDisconnectsSubscriberThatNeverReads) {
  ASSERT_TRUE(StartServer({{"client-output-buffer-limit", "pubsub 1mb 0 0"}}));
  auto subscriber = Subscriber("ch");
  auto publisher = Connect();
  const int64_t rss_before = server_->RssBytes();
  ASSERT_GT(rss_before, 0);

  // The kernel's socket buffers take a few megabytes before the server has to hold any.
  const std::string message(16 * 1024, 'm');
  int64_t published = PublishUntilNobodyListens(*publisher, "ch", message, 512ll << 20);
  EXPECT_LT(published, 512ll << 20) << "the subscriber was never disconnected";
  EXPECT_TRUE(subscriber->WaitForClose());
  EXPECT_EQ(publisher->Call({"PUBSUB", "NUMSUB", "ch"}), "*2\r\n$2\r\nch\r\n:0\r\n");

  const int64_t growth = server_->PeakRssBytes() - rss_before;
  EXPECT_LT(growth, 32ll << 20) << "peak RSS grew by " << (growth >> 20) << " MB";
  EXPECT_THAT(server_->LogTail(),
              HasSubstr("scheduled to be closed ASAP for overcoming of output buffer limits"));
  EXPECT_TRUE(ServesNewClient());
}

// The default limit (32mb hard, 8mb soft for 60 s) bounds the server's memory the same way,
// and other subscribers of the channel, which read, are not affected.
TEST_P(PubSubLimitsTest, DefaultLimitBoundsMemory) {
  ASSERT_TRUE(StartServer());
  auto stalled = Subscriber("ch");
  auto reader = Subscriber("ch");
  auto publisher = Connect();
  const int64_t rss_before = server_->RssBytes();
  ASSERT_GT(rss_before, 0);

  const std::string message(64 * 1024, 'm');
  int64_t published = 0;
  bool dropped = false;
  std::string reply;
  while (published < (1ll << 30)) {
    reply = publisher->Call({"PUBLISH", "ch", message});
    ASSERT_TRUE(reply == ":2\r\n" || reply == ":1\r\n") << reply << " " << publisher->error();
    std::string received;
    ASSERT_EQ(reader->ReadReply(received), ReadStatus::kReply) << reader->error();
    if (reply == ":1\r\n") {
      dropped = true;
      break;
    }
    published += static_cast<int64_t>(message.size());
  }
  EXPECT_TRUE(dropped) << "published " << (published >> 20) << " MB";
  EXPECT_GT(published, 32ll << 20);
  EXPECT_TRUE(stalled->WaitForClose());
  const int64_t growth = server_->PeakRssBytes() - rss_before;
  EXPECT_LT(growth, 128ll << 20) << "peak RSS grew by " << (growth >> 20) << " MB";
  // The reader still gets every message.
  EXPECT_EQ(publisher->Call({"PUBLISH", "ch", "last"}), ":1\r\n");
  ASSERT_EQ(reader->ReadReply(reply), ReadStatus::kReply);
  EXPECT_EQ(reply, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\nlast\r\n");
}

// Over the soft limit for longer than its seconds: disconnected even though no message arrives
// after the limit was passed (the server's cron checks).
TEST_P(PubSubLimitsTest, SoftLimitDisconnectsAfterItsSeconds) {
  ASSERT_TRUE(StartServer({{"client-output-buffer-limit", "pubsub 0 256kb 1"}}));
  auto subscriber = Subscriber("ch");
  auto publisher = Connect();
  // Far more than the socket buffers hold, so most of it waits in the server.
  const std::string message(64 * 1024, 'm');
  for (int i = 0; i < 320; ++i) {
    std::string reply = publisher->Call({"PUBLISH", "ch", message});
    if (reply == ":0\r\n") break;  // already closed: the soft limit's time ran out
    ASSERT_EQ(reply, ":1\r\n") << publisher->error();
  }
  // The subscriber must not read while the limit's time runs (reading would bring its output
  // back under the limit), so the publisher watches for it to go.
  const std::string gone = "*2\r\n$2\r\nch\r\n:0\r\n";
  std::string numsub;
  for (int i = 0; i < 100 && numsub != gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    numsub = publisher->Call({"PUBSUB", "NUMSUB", "ch"});
  }
  EXPECT_EQ(numsub, gone) << "still subscribed after 10 s over the soft limit";
  EXPECT_TRUE(subscriber->WaitForClose());
  EXPECT_TRUE(ServesNewClient());
}

INSTANTIATE_TEST_SUITE_P(Servers, PubSubLimitsTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
