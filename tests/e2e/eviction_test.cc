// maxmemory against the real binary: loading far more than the limit keeps used_memory within
// 1% of it (evictions, and a key table that does not grow past the limit), noeviction refuses
// writes with Redis's OOM error, evictions are published as "evicted" events, saves leave
// nothing behind in used_memory, a stopped replica's buffer is not counted, and a replica ignores
// its maxmemory. Both servers run each test, so the expectations are Redis's.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e/info_field.h"
#include "support/resp_client.h"
#include "support/server_process.h"

namespace magnetar::test_support {
namespace {

constexpr uint64_t kLimit = 8 * 1024 * 1024;

class EvictionE2eTest : public ::testing::TestWithParam<ServerKind> {
 protected:
  void Start(std::string policy) {
    std::string error;
    server_ = ServerProcess::Start(
        {.kind = GetParam(),
         .directives = {{"maxmemory", std::to_string(kLimit)}, {"maxmemory-policy", policy}}},
        error);
    if (!server_ && ServerBinary(GetParam()).empty()) GTEST_SKIP() << "no server binary";
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(client_.Connect(server_->port()));
  }
  // A numeric INFO field (0 when absent).
  static uint64_t InfoFieldOf(RespClient& client, std::string_view section,
                              std::string_view field) {
    const std::string value = e2e::InfoField(client, section, field);
    return value.empty() ? 0 : std::stoull(value);
  }
  uint64_t InfoField(std::string_view section, std::string_view field) {
    return InfoFieldOf(client_, section, field);
  }
  // Makes `replica` replicate the server on `primary_port` and waits until the primary (asked
  // through `primary`, else a connection of its own) lists it online.
  static bool Replicate(ServerProcess& replica, int primary_port, RespClient* primary = nullptr) {
    RespClient own, replica_client;
    if (primary == nullptr) {
      if (!own.Connect(primary_port)) return false;
      primary = &own;
    }
    if (!replica_client.Connect(replica.port()) ||
        replica_client.Call({"REPLICAOF", "127.0.0.1", std::to_string(primary_port)}) !=
            "+OK\r\n") {
      return false;
    }
    const std::string online = "port=" + std::to_string(replica.port()) + ",state=online";
    for (int i = 0; i < 2000; ++i) {
      if (primary->Call({"INFO", "replication"}).find(online) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // Pipelines `count` SETs of 100-byte values from key number `first` through `client` (this
  // server's by default); returns the replies.
  std::vector<std::string> Load(int first, int count, RespClient* client = nullptr) {
    if (client == nullptr) client = &client_;
    std::string batch;
    for (int i = first; i < first + count; ++i) {
      std::string key = "key:" + std::to_string(i);
      batch += "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$100\r\n" +
               std::string(100, 'v') + "\r\n";
    }
    EXPECT_TRUE(client->SendRaw(batch));
    std::vector<std::string> replies(count);
    for (std::string& reply : replies) EXPECT_EQ(client->ReadReply(reply), ReadStatus::kReply);
    return replies;
  }

  std::unique_ptr<ServerProcess> server_;
  RespClient client_;
};

TEST_P(EvictionE2eTest, UsedMemoryStaysWithinOnePercentOfTheLimit) {
  Start("allkeys-lru");
  uint64_t peak = 0;
  // About 6 times what fits, checked after every batch.
  for (int first = 0; first < 300'000; first += 5'000) {
    Load(first, 5'000);
    peak = std::max(peak, InfoField("memory", "used_memory"));
  }
  EXPECT_LE(peak, kLimit + kLimit / 100);
  EXPECT_GT(InfoField("stats", "evicted_keys"), 200'000u);
}

TEST_P(EvictionE2eTest, NoEvictionRefusesWritesWithOom) {
  Start("noeviction");
  std::vector<std::string> replies = Load(0, 100'000);
  EXPECT_EQ(replies.back(), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  EXPECT_EQ(client_.Call({"GET", "key:0"}), "$100\r\n" + std::string(100, 'v') + "\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 0u);
}

TEST_P(EvictionE2eTest, EvictionsArePublished) {
  Start("allkeys-random");
  RespClient subscriber;
  ASSERT_TRUE(subscriber.Connect(server_->port()));
  EXPECT_EQ(client_.Call({"CONFIG", "SET", "notify-keyspace-events", "Ee"}), "+OK\r\n");
  subscriber.Call({"SUBSCRIBE", "__keyevent@0__:evicted"});
  Load(0, 80'000);
  std::string message;
  ASSERT_EQ(subscriber.ReadReply(message), ReadStatus::kReply);
  EXPECT_NE(message.find("__keyevent@0__:evicted"), std::string::npos) << message;
  EXPECT_NE(message.find("key:"), std::string::npos) << message;
}

// A save's buffers are allocated by the event loop and freed by the file's thread; once the save
// is over they must not count as in use, or every BGSAVE would push used_memory towards the
// limit and start evicting keys that fit.
TEST_P(EvictionE2eTest, SavesLeaveNothingInUsedMemory) {
  Start("allkeys-lru");
  Load(0, 20'000);
  const uint64_t before = InfoField("memory", "used_memory");
  for (uint64_t save = 1; save <= 5; ++save) {
    ASSERT_EQ(client_.Call({"BGSAVE"}), "+Background saving started\r\n");
    while (InfoField("persistence", "rdb_saves") < save ||
           InfoField("persistence", "rdb_bgsave_in_progress") != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_NE(client_.Call({"INFO", "persistence"}).find("rdb_last_bgsave_status:ok"),
            std::string::npos);
  EXPECT_LT(InfoField("memory", "used_memory"), before + 1024 * 1024);
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 0u);
  EXPECT_EQ(client_.Call({"DBSIZE"}), ":20000\r\n");
}

// The stream a stopped replica has not taken grows the primary's memory, but beyond
// repl-backlog-size it is not counted against maxmemory (mem_not_counted_for_evict): a slow
// replica must not make the primary evict its keys.
TEST_P(EvictionE2eTest, AStoppedReplicasBufferEvictsNothing) {
  Start("allkeys-lru");
  std::string error;
  auto replica = ServerProcess::Start({.kind = GetParam(), .directives = {}}, error);
  ASSERT_NE(replica, nullptr) << error;
  ASSERT_TRUE(Replicate(*replica, server_->port()));
  Load(0, 10'000);

  ASSERT_EQ(kill(replica->pid(), SIGSTOP), 0);
  // 40 MB of stream in 100 KB writes, so that no one request's buffers weigh much.
  const std::string big(100 * 1024, 'b');
  for (int i = 0; i < 400; ++i) ASSERT_EQ(client_.Call({"SET", "big", big}), "+OK\r\n") << i;
  EXPECT_GT(InfoField("memory", "mem_not_counted_for_evict"), 20u * 1024 * 1024);
  EXPECT_GT(InfoField("memory", "used_memory"), kLimit);
  EXPECT_EQ(client_.Call({"GET", "key:0"}), "$100\r\n" + std::string(100, 'v') + "\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 0u);
  EXPECT_EQ(client_.Call({"DBSIZE"}), ":10001\r\n");
  kill(replica->pid(), SIGCONT);
}

// A replica ignores its maxmemory (replica-ignore-maxmemory yes, Redis's default): it holds
// whatever its primary sends, and only the primary's DELs remove keys.
TEST_P(EvictionE2eTest, AReplicaIgnoresMaxmemory) {
  Start("allkeys-lru");
  std::string error;
  auto primary = ServerProcess::Start({.kind = GetParam(), .directives = {}}, error);
  ASSERT_NE(primary, nullptr) << error;
  RespClient writer;
  ASSERT_TRUE(writer.Connect(primary->port()));
  ASSERT_TRUE(Replicate(*server_, primary->port(), &writer));
  Load(0, 100'000, &writer);  // about twice the replica's limit
  for (int i = 0; i < 2000 && InfoField("replication", "slave_repl_offset") !=
                                  InfoFieldOf(writer, "replication", "master_repl_offset");
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(client_.Call({"DBSIZE"}), ":100000\r\n");
  EXPECT_EQ(InfoField("stats", "evicted_keys"), 0u);
  EXPECT_GT(InfoField("memory", "used_memory"), kLimit);
}

INSTANTIATE_TEST_SUITE_P(BothServers, EvictionE2eTest,
                         ::testing::Values(ServerKind::kMagnetar, ServerKind::kRedis),
                         [](const auto& info) { return std::string(ServerKindName(info.param)); });

}  // namespace
}  // namespace magnetar::test_support
