// Pub/sub through the real dispatcher, with fake connections as subscribers: replies and
// messages byte for byte as Redis 7.0.15 sends them, subscribed mode, what RESET and a
// disconnection leave behind, CLIENT LIST's fields, and the pubsub output limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "magnetar/server/client.h"
#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::BulkPayload;
using test_support::FakeConnection;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Message(std::string_view channel, std::string_view message, char mark = '*') {
  return std::string(1, mark) + "3\r\n$7\r\nmessage\r\n$" + std::to_string(channel.size()) +
         "\r\n" + std::string(channel) + "\r\n$" + std::to_string(message.size()) + "\r\n" +
         std::string(message) + "\r\n";
}

std::string PatternMessage(std::string_view pattern, std::string_view channel,
                           std::string_view message) {
  return "*4\r\n$8\r\npmessage\r\n$" + std::to_string(pattern.size()) + "\r\n" +
         std::string(pattern) + "\r\n$" + std::to_string(channel.size()) + "\r\n" +
         std::string(channel) + "\r\n$" + std::to_string(message.size()) + "\r\n" +
         std::string(message) + "\r\n";
}

class PubSubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(publisher_.Open(server_));
    ASSERT_TRUE(subscriber_.Open(server_));
    ASSERT_TRUE(other_.Open(server_));
  }

  Client& ClientOf(FakeConnection& connection) {
    return *static_cast<Client*>(connection.session());
  }

  Server server_{Config{}};
  FakeConnection publisher_;
  FakeConnection subscriber_{"127.0.0.1:50001"};
  FakeConnection other_{"127.0.0.1:50002"};
};

TEST_F(PubSubTest, SubscribeRepliesOncePerChannelWithTheCount) {
  EXPECT_EQ(subscriber_.Run({"SUBSCRIBE", "a", "b", "a"}),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
  EXPECT_EQ(subscriber_.Run({"PSUBSCRIBE", "a*"}), "*3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:3\r\n");
  // Shard subscriptions count apart from the others.
  EXPECT_EQ(subscriber_.Run({"SSUBSCRIBE", "s"}), "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "NUMSUB", "a", "b", "c"}),
            "*6\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:1\r\n$1\r\nc\r\n:0\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "NUMPAT"}), ":1\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "SHARDNUMSUB", "s"}), "*2\r\n$1\r\ns\r\n:1\r\n");
}

TEST_F(PubSubTest, PublishDeliversToChannelThenPatternSubscribers) {
  subscriber_.Run({"SUBSCRIBE", "news"});
  other_.Run({"PSUBSCRIBE", "n*", "x*"});
  EXPECT_EQ(publisher_.Run({"PUBLISH", "news", "hello"}), ":2\r\n");
  EXPECT_EQ(subscriber_.Take(), Message("news", "hello"));
  EXPECT_EQ(other_.Take(), PatternMessage("n*", "news", "hello"));
  EXPECT_TRUE(subscriber_.flush_scheduled());
  EXPECT_TRUE(other_.flush_scheduled());
  EXPECT_FALSE(publisher_.flush_scheduled());

  // A client subscribed both ways gets both and counts twice.
  subscriber_.Run({"PSUBSCRIBE", "new?"});
  EXPECT_EQ(publisher_.Run({"PUBLISH", "news", "x"}), ":3\r\n");
  EXPECT_EQ(subscriber_.Take(), Message("news", "x") + PatternMessage("new?", "news", "x"));
  EXPECT_EQ(publisher_.Run({"PUBLISH", "nobody", "x"}), ":1\r\n");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "other", "x"}), ":0\r\n");
  EXPECT_EQ(subscriber_.Take(), "");
}

TEST_F(PubSubTest, ShardChannelsAreTheirOwnNamespace) {
  subscriber_.Run({"SSUBSCRIBE", "s"});
  other_.Run({"PSUBSCRIBE", "*"});
  EXPECT_EQ(publisher_.Run({"SPUBLISH", "s", "m"}), ":1\r\n");
  EXPECT_EQ(subscriber_.Take(), "*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n");
  EXPECT_EQ(other_.Take(), "");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "s", "m"}), ":1\r\n");
  EXPECT_EQ(subscriber_.Take(), "");
}

TEST_F(PubSubTest, PatternsNeverMatchTheEmptyChannelButTheEmptyPattern) {
  subscriber_.Run({"PSUBSCRIBE", "*", "**", "?*"});
  EXPECT_EQ(publisher_.Run({"PUBLISH", "", "m"}), ":0\r\n");
  subscriber_.Run({"PSUBSCRIBE", ""});
  EXPECT_EQ(publisher_.Run({"PUBLISH", "", "m"}), ":1\r\n");
  EXPECT_EQ(subscriber_.Take(), PatternMessage("", "", "m"));
}

TEST_F(PubSubTest, SubscribedRespTwoClientMayOnlyManageSubscriptions) {
  subscriber_.Run({"SUBSCRIBE", "a"});
  EXPECT_EQ(subscriber_.Run({"GET", "k"}),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  EXPECT_EQ(subscriber_.Run({"PUBSUB", "NUMPAT"}),
            "-ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
            "QUIT / RESET are allowed in this context\r\n");
  // Unknown commands and wrong arities are reported as such.
  EXPECT_EQ(subscriber_.Run({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(subscriber_.Run({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(subscriber_.Run({"PING", "hi"}), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  EXPECT_EQ(subscriber_.Run({"PSUBSCRIBE", "p"}), "*3\r\n$10\r\npsubscribe\r\n$1\r\np\r\n:2\r\n");
  // Leaving the channel keeps the client in subscribed mode while the pattern remains.
  subscriber_.Run({"UNSUBSCRIBE"});
  EXPECT_THAT(subscriber_.Run({"GET", "k"}), HasSubstr("Can't execute"));
  EXPECT_EQ(subscriber_.Run({"PUNSUBSCRIBE", "p"}),
            "*3\r\n$12\r\npunsubscribe\r\n$1\r\np\r\n:0\r\n");
  EXPECT_EQ(subscriber_.Run({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(subscriber_.Run({"PING"}), "+PONG\r\n");
}

TEST_F(PubSubTest, RespThreeSubscriberRunsAnyCommandAndGetsPushes) {
  subscriber_.Run({"HELLO", "3"});
  EXPECT_EQ(subscriber_.Run({"SUBSCRIBE", "a"}), ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(subscriber_.Run({"GET", "k"}), "_\r\n");
  EXPECT_EQ(subscriber_.Run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "a", "m"}), ":1\r\n");
  EXPECT_EQ(subscriber_.Take(), Message("a", "m", '>'));
  // Publishing to itself: the message comes before the reply.
  EXPECT_EQ(subscriber_.Run({"PUBLISH", "a", "self"}), Message("a", "self", '>') + ":1\r\n");
  EXPECT_EQ(subscriber_.Run({"UNSUBSCRIBE", "a"}), ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n");
  EXPECT_EQ(subscriber_.Run({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

TEST_F(PubSubTest, UnsubscribeWithoutArgumentsDropsEverySubscriptionOfItsKind) {
  EXPECT_EQ(subscriber_.Run({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(subscriber_.Run({"SUNSUBSCRIBE"}), "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  subscriber_.Run({"SUBSCRIBE", "a", "b"});
  subscriber_.Run({"PSUBSCRIBE", "p"});
  // Magnetar goes in subscription order (Redis in hash order); the counts go down either way.
  EXPECT_EQ(subscriber_.Run({"UNSUBSCRIBE"}),
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n"
            "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n");
  EXPECT_EQ(subscriber_.Run({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "CHANNELS"}), "*0\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "NUMPAT"}), ":1\r\n");
}

TEST_F(PubSubTest, ResetAndDisconnectionDropSubscriptionsSilently) {
  subscriber_.Run({"SUBSCRIBE", "a"});
  subscriber_.Run({"PSUBSCRIBE", "a*"});
  subscriber_.Run({"SSUBSCRIBE", "s"});
  EXPECT_EQ(subscriber_.Run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(subscriber_.Run({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "a", "m"}), ":0\r\n");
  EXPECT_EQ(publisher_.Run({"SPUBLISH", "s", "m"}), ":0\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "NUMPAT"}), ":0\r\n");

  other_.Run({"SUBSCRIBE", "a", "b"});
  subscriber_.Run({"SUBSCRIBE", "a"});
  other_.Close("");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "NUMSUB", "a", "b"}),
            "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:0\r\n");
  EXPECT_EQ(publisher_.Run({"PUBSUB", "CHANNELS"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "a", "m"}), ":1\r\n");
}

TEST_F(PubSubTest, SubscribeInsideExec) {
  subscriber_.Run({"MULTI"});
  subscriber_.Run({"SUBSCRIBE", "a"});
  subscriber_.Run({"SSUBSCRIBE", "s"});
  EXPECT_EQ(subscriber_.Run({"EXEC"}),
            "*2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
            "-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n");
  EXPECT_THAT(subscriber_.Run({"GET", "k"}), HasSubstr("Can't execute 'get'"));
}

TEST_F(PubSubTest, ClientListShowsSubscriptionsAndThePubSubType) {
  subscriber_.Run({"CLIENT", "SETNAME", "sub"});
  subscriber_.Run({"SUBSCRIBE", "a", "b"});
  subscriber_.Run({"PSUBSCRIBE", "p"});
  subscriber_.Run({"SSUBSCRIBE", "s"});
  std::string list(BulkPayload(publisher_.Run({"CLIENT", "LIST", "TYPE", "pubsub"})));
  EXPECT_THAT(list, HasSubstr("name=sub age="));
  EXPECT_THAT(list, HasSubstr(" flags=P db=0 sub=2 psub=1 ssub=1 "));
  EXPECT_EQ(list.find("name=sub"), list.rfind("name="));  // only the subscriber
  EXPECT_THAT(std::string(BulkPayload(publisher_.Run({"CLIENT", "LIST", "TYPE", "normal"}))),
              Not(HasSubstr("name=sub")));
  EXPECT_THAT(std::string(BulkPayload(publisher_.Run({"CLIENT", "INFO"}))),
              HasSubstr(" flags=N db=0 sub=0 psub=0 ssub=0 "));
  EXPECT_EQ(publisher_.Run({"CLIENT", "KILL", "TYPE", "pubsub"}), ":1\r\n");
  EXPECT_TRUE(subscriber_.closed());
  EXPECT_EQ(publisher_.Run({"PUBSUB", "NUMSUB", "a"}), "*2\r\n$1\r\na\r\n:0\r\n");
}

TEST_F(PubSubTest, InfoCountsChannelsAndPatterns) {
  subscriber_.Run({"SUBSCRIBE", "a", "b"});
  other_.Run({"SUBSCRIBE", "b"});
  other_.Run({"PSUBSCRIBE", "p*"});
  other_.Run({"SSUBSCRIBE", "s"});
  std::string info(BulkPayload(publisher_.Run({"INFO", "stats"})));
  EXPECT_THAT(info,
              HasSubstr("pubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n"));
}

// Redis 7.0 lets pushes through CLIENT REPLY OFF, messages included.
TEST_F(PubSubTest, ClientReplyOffDoesNotStopMessages) {
  subscriber_.Run({"HELLO", "3"});
  subscriber_.Run({"SUBSCRIBE", "a"});
  EXPECT_EQ(subscriber_.Run({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "a", "m"}), ":1\r\n");
  EXPECT_EQ(subscriber_.Take(), Message("a", "m", '>'));
  EXPECT_EQ(subscriber_.Run({"CLIENT", "REPLY", "ON"}), "+OK\r\n");
}

TEST_F(PubSubTest, KeyspaceNotificationsArePublished) {
  EXPECT_EQ(server_.pubsub().Publish("__keyspace@0__:k", "set"), 0u);
  subscriber_.Run({"PSUBSCRIBE", "__keyspace@*"});
  EXPECT_EQ(server_.pubsub().Publish("__keyspace@0__:k", "set"), 1u);
  EXPECT_EQ(subscriber_.Take(), PatternMessage("__keyspace@*", "__keyspace@0__:k", "set"));
}

// A subscriber that never reads: its output is checked as each message is appended, and once
// past the pubsub class's hard limit it takes nothing more and closes at the scheduled flush.
TEST_F(PubSubTest, SubscriberPastThePubSubHardLimitIsClosed) {
  net::ConnectionLimits limits;
  limits.pubsub_output = {.hard_bytes = 1000, .soft_bytes = 0, .soft_seconds = 0};
  subscriber_.set_limits(limits);
  other_.set_limits(limits);
  subscriber_.Run({"SUBSCRIBE", "a"});
  other_.Run({"SUBSCRIBE", "a"});
  // The normal class has no limit: the limit applies because the client has a subscription.
  const std::string message(100, 'm');
  int delivered = 0;
  while (!subscriber_.closing() && delivered < 100) {
    publisher_.Run({"PUBLISH", "a", message});
    ++delivered;
    other_.Take();  // this one reads
  }
  EXPECT_TRUE(subscriber_.closing());
  const size_t size = Message("a", message).size();
  EXPECT_EQ(static_cast<size_t>(delivered), (1000 + size - 1) / size);
  EXPECT_FALSE(subscriber_.closed());  // not while the publish walks the subscribers
  EXPECT_EQ(subscriber_.Take(), "");   // the output was dropped
  EXPECT_EQ(publisher_.Run({"PUBLISH", "a", message}), ":2\r\n");
  EXPECT_EQ(subscriber_.Take(), "");
  subscriber_.RunScheduledFlush();
  EXPECT_TRUE(subscriber_.closed());
  EXPECT_EQ(subscriber_.close_reason(),
            "client scheduled to be closed ASAP for overcoming of output buffer limits");
  EXPECT_EQ(publisher_.Run({"PUBLISH", "a", message}), ":1\r\n");
  EXPECT_FALSE(other_.closing());
}

}  // namespace
}  // namespace magnetar::server
