// LATENCY against both servers: per-command histograms (latency-tracking) and the latency
// monitor. Durations are not predictable, so the tests check what they imply: counts, the bucket
// bounds Redis reports, and events made certain by DEBUG SLEEP (which sleeps at least as long as
// asked, so a 2 ms sleep always crosses a 1 ms threshold).
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.h"
#include "support/resp_reply.h"

namespace magnetar::e2e {
namespace {

class LatencyTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(StartServer({{"enable-debug-command", "yes"}}));
    client_ = Connect();
  }
  std::unique_ptr<RespClient> client_;
};

// The bounds (us) Redis's histograms report: hdr's highest value of each power-of-two bucket
// from 1024 ns, divided by 1000.
bool IsBucketBound(int64_t usec) {
  for (int64_t level = 1024; level <= (int64_t{1} << 31); level *= 2) {
    const int64_t width = int64_t{1} << (63 - __builtin_clzll(level) - 7);
    if ((level + width - 1) / 1000 == usec) return true;
  }
  return false;
}

TEST_P(LatencyTest, HistogramCountsEachCallOfACommand) {
  ASSERT_EQ(client_->Call({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client_->Call({"PING"}), "+PONG\r\n");
  std::string reply = client_->Call({"LATENCY", "HISTOGRAM", "ping"});
  const std::string head =
      "*2\r\n$4\r\nping\r\n*4\r\n$5\r\ncalls\r\n:3\r\n$14\r\nhistogram_usec\r\n*";
  ASSERT_EQ(reply.substr(0, head.size()), head) << test_support::Escape(reply);
  // Pairs of bound and cumulative count; the last count is every call.
  static const std::regex kPair(R"(:(\d+)\r\n:(\d+)\r\n)");
  int64_t last_count = 0;
  for (std::sregex_iterator it(reply.begin(), reply.end(), kPair), end; it != end; ++it) {
    EXPECT_TRUE(IsBucketBound(std::stoll((*it)[1]))) << (*it)[1];
    EXPECT_GT(std::stoll((*it)[2]), last_count);
    last_count = std::stoll((*it)[2]);
  }
  EXPECT_EQ(last_count, 3);
}

TEST_P(LatencyTest, HistogramIsAMapInResp3AndCoversSubcommands) {
  ASSERT_EQ(client_->Call({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  ASSERT_EQ(client_->Call({"HELLO", "3"}).substr(0, 1), "%");
  ASSERT_EQ(client_->Call({"PING"}), "+PONG\r\n");
  std::string reply = client_->Call({"LATENCY", "HISTOGRAM", "ping", "nosuch"});
  const std::string head =
      "%1\r\n$4\r\nping\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%1\r\n:";
  EXPECT_EQ(reply.substr(0, head.size()), head) << test_support::Escape(reply);
  // A container's name stands for its subcommands; "config|resetstat" names one.
  const std::string resetstat = "%1\r\n$16\r\nconfig|resetstat\r\n%2\r\n";
  reply = client_->Call({"LATENCY", "HISTOGRAM", "config"});
  EXPECT_EQ(reply.substr(0, resetstat.size()), resetstat);
  reply = client_->Call({"LATENCY", "HISTOGRAM", "config|resetstat", "config|nosuch"});
  EXPECT_EQ(reply.substr(0, resetstat.size()), resetstat);
}

TEST_P(LatencyTest, NoHistogramWithoutLatencyTracking) {
  ASSERT_EQ(client_->Call({"CONFIG", "SET", "latency-tracking", "no"}), "+OK\r\n");
  ASSERT_EQ(client_->Call({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  ASSERT_EQ(client_->Call({"PING"}), "+PONG\r\n");
  EXPECT_EQ(client_->Call({"LATENCY", "HISTOGRAM"}), "*0\r\n");
  std::string info = client_->Call({"INFO", "latencystats"});
  EXPECT_EQ(info.find("latency_percentiles_usec_"), std::string::npos) << info;
}

TEST_P(LatencyTest, InfoLatencystatsPrintsTheConfiguredPercentiles) {
  ASSERT_EQ(client_->Call({"CONFIG", "SET", "latency-tracking-info-percentiles", "0 50 99.9"}),
            "+OK\r\n");
  ASSERT_EQ(client_->Call({"PING"}), "+PONG\r\n");
  std::string info = client_->Call({"INFO", "latencystats"});
  static const std::regex kPing(
      R"(\r\nlatency_percentiles_usec_ping:p0=\d+\.\d{3},p50=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n)");
  EXPECT_TRUE(std::regex_search(info, kPing)) << info;
}

TEST_P(LatencyTest, MonitorRecordsCommandsOverTheThreshold) {
  EXPECT_EQ(client_->Call({"LATENCY", "LATEST"}), "*0\r\n");
  ASSERT_EQ(client_->Call({"CONFIG", "SET", "latency-monitor-threshold", "1"}), "+OK\r\n");
  ASSERT_EQ(client_->Call({"DEBUG", "SLEEP", "0.002"}), "+OK\r\n");
  std::string latest = client_->Call({"LATENCY", "LATEST"});
  static const std::regex kLatest(
      R"(^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:\d+\r\n:(\d+)\r\n:(\d+)\r\n$)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(latest, match, kLatest)) << test_support::Escape(latest);
  EXPECT_GE(std::stoll(match[1]), 2);
  EXPECT_GE(std::stoll(match[2]), 2);
  static const std::regex kHistory(R"(^\*1\r\n\*2\r\n:\d+\r\n:\d+\r\n$)");
  EXPECT_TRUE(std::regex_match(client_->Call({"LATENCY", "HISTORY", "command"}), kHistory));
  std::string doctor = client_->Call({"LATENCY", "DOCTOR"});
  EXPECT_NE(doctor.find("1. command: 1 latency spikes"), std::string::npos) << doctor;
  std::string graph = client_->Call({"LATENCY", "GRAPH", "command"});
  EXPECT_NE(graph.find("command - high "), std::string::npos) << graph;
  EXPECT_EQ(client_->Call({"LATENCY", "RESET", "COMMAND", "nosuch"}), ":1\r\n");
  EXPECT_EQ(client_->Call({"LATENCY", "LATEST"}), "*0\r\n");
  EXPECT_EQ(client_->Call({"LATENCY", "GRAPH", "command"}),
            "-ERR No samples available for event 'command'\r\n");
}

// A command is timed from its own request on: not from the connection's previous request when
// the client paused in between, nor from the start of a slow command ahead of it in a pipeline.
TEST_P(LatencyTest, SlowlogChargesEachCommandItsOwnTime) {
  ASSERT_EQ(client_->Call({"CONFIG", "SET", "slowlog-log-slower-than", "20000"}), "+OK\r\n");
  ASSERT_EQ(client_->Call({"SLOWLOG", "RESET"}), "+OK\r\n");
  ASSERT_EQ(client_->Call({"PING"}), "+PONG\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(client_->Call({"PING"}), "+PONG\r\n");
  EXPECT_EQ(client_->Call({"SLOWLOG", "LEN"}), ":0\r\n");

  const std::vector<std::string_view> sleep = {"DEBUG", "SLEEP", "0.03"};
  const std::vector<std::string_view> echo = {"ECHO", "after"};
  ASSERT_TRUE(
      client_->SendRaw(test_support::EncodeCommand(sleep) + test_support::EncodeCommand(echo)));
  std::string reply;
  ASSERT_EQ(client_->ReadReply(reply), ReadStatus::kReply);
  ASSERT_EQ(reply, "+OK\r\n");
  ASSERT_EQ(client_->ReadReply(reply), ReadStatus::kReply);
  ASSERT_EQ(reply, "$5\r\nafter\r\n");
  EXPECT_EQ(client_->Call({"SLOWLOG", "LEN"}), ":1\r\n");
  std::string entries = client_->Call({"SLOWLOG", "GET"});
  EXPECT_NE(entries.find("$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n"), std::string::npos)
      << test_support::Escape(entries);
}

INSTANTIATE_TEST_SUITE_P(Servers, LatencyTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
