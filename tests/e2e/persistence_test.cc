// RDB persistence as users see it: SAVE and BGSAVE write a file the next start loads, a BGSAVE
// holds exactly the dataset of its instant while clients keep writing, a crash during a save leaves
// the previous file, a failed save refuses writes (MISCONF), SHUTDOWN and FLUSHALL save as Redis
// does, save points trigger saves, and the files move between Magnetar and Redis 7.0 both ways.
// Behaviour tests run on both servers, so the expectations are Redis's.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "e2e/info_field.h"
#include "e2e/loading_probe.h"
#include "e2e/server_fixture.h"
#include "e2e/temp_dir.h"

namespace magnetar::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string Bulk(std::string_view text) { return fmt::format("${}\r\n{}\r\n", text.size(), text); }

// Waits until no background save runs; false after 30 s.
bool WaitForBackgroundSave(RespClient& client) {
  for (int i = 0; i < 3000; ++i) {
    if (InfoField(client, "persistence", "rdb_bgsave_in_progress") == "0") return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

class PersistenceTest : public ServerTest {
 protected:
  ::testing::AssertionResult StartIn(const TempDir& dir, std::vector<Directive> extra = {},
                                     int port = 0) {
    extra.insert(extra.begin(), {"dir", dir.path()});
    return StartServer(std::move(extra), port);
  }
  // Stops the server without saving (the tests start it with no save points).
  void Restart(const TempDir& dir, std::vector<Directive> extra = {}) {
    server_->Stop();
    ASSERT_TRUE(StartIn(dir, std::move(extra)));
  }

  // Saves 2,000,000 small keys to dir_'s dump.rdb, long enough to load that a client sees the
  // load, and stops the server; `port` is where it listened, for a restart clients can find.
  void SaveBigDatasetAndStop(int& port) {
    ASSERT_TRUE(StartIn(dir_, {{"enable-debug-command", "yes"}}));
    auto client = Connect();
    ASSERT_EQ(client->Call({"DEBUG", "POPULATE", "2000000", "key", "10"}), "+OK\r\n");
    ASSERT_EQ(client->Call({"SAVE"}), "+OK\r\n");
    port = server_->port();
    server_->Stop();
  }

  TempDir dir_;
};

TEST_P(PersistenceTest, SaveWritesAFileTheNextStartLoads) {
  ASSERT_TRUE(StartIn(dir_));
  auto client = Connect();
  client->Call({"SET", "string", "hello"});
  client->Call({"SET", "number", "12345"});
  client->Call({"RPUSH", "list", "a", "b", "3"});
  client->Call({"HSET", "hash", "f", "v"});
  client->Call({"SADD", "ints", "1", "2", "3"});
  client->Call({"SADD", "words", "x", "y"});
  client->Call({"ZADD", "zset", "1.5", "m", "-2", "n"});
  client->Call({"SET", "expiring", "v", "PXAT", "99999999999999"});
  client->Call({"SELECT", "7"});
  client->Call({"SET", "in7", "seven"});
  EXPECT_EQ(client->Call({"SAVE"}), "+OK\r\n");
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_changes_since_last_save"), "0");
  EXPECT_TRUE(fs::exists(dir_.file()));

  Restart(dir_);
  client = Connect();
  EXPECT_EQ(client->Call({"DBSIZE"}), ":8\r\n");
  EXPECT_EQ(client->Call({"GET", "string"}), Bulk("hello"));
  EXPECT_EQ(client->Call({"OBJECT", "ENCODING", "number"}), Bulk("int"));
  EXPECT_EQ(client->Call({"LRANGE", "list", "0", "-1"}),
            "*3\r\n" + Bulk("a") + Bulk("b") + Bulk("3"));
  EXPECT_EQ(client->Call({"HGET", "hash", "f"}), Bulk("v"));
  EXPECT_EQ(client->Call({"OBJECT", "ENCODING", "ints"}), Bulk("intset"));
  EXPECT_EQ(client->Call({"SISMEMBER", "words", "y"}), ":1\r\n");
  EXPECT_EQ(client->Call({"ZRANGE", "zset", "0", "-1", "WITHSCORES"}),
            "*4\r\n" + Bulk("n") + Bulk("-2") + Bulk("m") + Bulk("1.5"));
  EXPECT_EQ(client->Call({"PEXPIRETIME", "expiring"}), ":99999999999999\r\n");
  client->Call({"SELECT", "7"});
  EXPECT_EQ(client->Call({"GET", "in7"}), Bulk("seven"));
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_last_load_keys_loaded"), "9");
}

// While the RDB loads at startup the server answers clients, with Redis's -LOADING to a command
// that needs the dataset.
TEST_P(PersistenceTest, ClientsGetLoadingWhileTheRdbLoads) {
  int port = 0;
  ASSERT_NO_FATAL_FAILURE(SaveBigDatasetAndStop(port));

  std::string loading_reply;
  LoadingProbe probe(port, [&](RespClient&, const std::string& reply) { loading_reply = reply; });
  ::testing::AssertionResult restarted = StartIn(dir_, {}, port);
  probe.Stop();
  ASSERT_TRUE(restarted);
  EXPECT_EQ(loading_reply, "-LOADING Redis is loading the dataset in memory\r\n");
  auto client = Connect();
  EXPECT_EQ(client->Call({"DBSIZE"}), ":2000000\r\n");
  EXPECT_EQ(InfoField(*client, "persistence", "loading"), "0");
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_last_load_keys_loaded"), "2000000");
}

// A SHUTDOWN or a SIGTERM during the startup load ends the server, with status 0 and without
// saving even with save points set: the file it was loading stays whole (Redis forces NOSAVE while
// loading; saving would write part of the dataset over the file).
TEST_P(PersistenceTest, ShutdownDuringTheStartupLoadKeepsTheFile) {
  int port = 0;
  ASSERT_NO_FATAL_FAILURE(SaveBigDatasetAndStop(port));
  const uintmax_t size = fs::file_size(dir_.file());

  for (const bool by_signal : {false, true}) {
    SCOPED_TRACE(by_signal ? "SIGTERM" : "SHUTDOWN");
    std::atomic<bool> sent = false;
    LoadingProbe probe(port, [&](RespClient& connection, const std::string&) {
      if (by_signal) {
        const std::string pid = InfoField(connection, "server", "process_id");
        sent = !pid.empty() && ::kill(std::stoi(pid), SIGTERM) == 0;
      } else {
        connection.Call({"SHUTDOWN"});  // no reply: the server goes
        sent = true;
      }
    });
    ::testing::AssertionResult started = StartIn(dir_, {{"save", "3600 1"}}, port);
    probe.Stop();
    ASSERT_TRUE(sent) << "the load ended before the probe saw -LOADING";
    EXPECT_FALSE(started) << "the server went on after the shutdown";
    EXPECT_NE(std::string(started.message()).find("exited with status 0"), std::string::npos)
        << started.message();
    EXPECT_EQ(fs::file_size(dir_.file()), size);
  }
  ASSERT_TRUE(StartIn(dir_));
  EXPECT_EQ(Connect()->Call({"DBSIZE"}), ":2000000\r\n");
}

TEST_P(PersistenceTest, BackgroundSaveHoldsTheDatasetOfItsInstant) {
  ASSERT_TRUE(StartIn(dir_));
  auto client = Connect();
  constexpr int kKeys = 200'000;
  std::string fill;
  for (int i = 0; i < kKeys; ++i) {
    fill += test_support::EncodeCommand(
        std::vector<std::string>{"SET", fmt::format("key:{}", i), fmt::format("old:{}", i)});
  }
  ASSERT_TRUE(client->SendRaw(fill));
  std::string reply;
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply);

  // One pipeline: the write before BGSAVE is in the file, the ones after are not, however the
  // walk and the writes interleave.
  std::vector<std::vector<std::string>> batch = {{"SET", "before", "1"}, {"BGSAVE"}};
  for (int i = 0; i < kKeys; i += 7) {
    batch.push_back({"SET", fmt::format("key:{}", i), "new"});
    if (i % 3 == 0) batch.push_back({"DEL", fmt::format("key:{}", i + 1)});
  }
  batch.push_back({"SET", "after", "1"});
  batch.push_back({"FLUSHDB"});
  std::string bytes;
  for (const auto& command : batch) bytes += test_support::EncodeCommand(command);
  ASSERT_TRUE(client->SendRaw(bytes));
  for (size_t i = 0; i < batch.size(); ++i) {
    ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply);
    if (i == 1) {
      EXPECT_EQ(reply, "+Background saving started\r\n");
    }
  }
  ASSERT_TRUE(WaitForBackgroundSave(*client));
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_last_bgsave_status"), "ok");

  Restart(dir_);
  client = Connect();
  EXPECT_EQ(client->Call({"DBSIZE"}), fmt::format(":{}\r\n", kKeys + 1));
  EXPECT_EQ(client->Call({"GET", "before"}), Bulk("1"));
  EXPECT_EQ(client->Call({"EXISTS", "after"}), ":0\r\n");
  for (int i = 0; i < kKeys; i += 997) {
    std::string key = fmt::format("key:{}", i);
    ASSERT_EQ(client->Call({"GET", key}), Bulk(fmt::format("old:{}", i))) << key;
  }
}

TEST_P(PersistenceTest, ACrashDuringASaveLeavesThePreviousFile) {
  ASSERT_TRUE(StartIn(dir_, {{"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"SET", "generation", "1"});
  ASSERT_EQ(client->Call({"SAVE"}), "+OK\r\n");
  uintmax_t first_size = fs::file_size(dir_.file());
  client->Call({"SET", "generation", "2"});
  client->Call({"DEBUG", "POPULATE", "300000", "filler", "100"});
  ASSERT_EQ(client->Call({"BGSAVE"}), "+Background saving started\r\n");
  ::kill(server_->pid(), SIGKILL);
  server_->Stop();
  EXPECT_EQ(fs::file_size(dir_.file()), first_size);
  ASSERT_TRUE(StartIn(dir_));
  client = Connect();
  EXPECT_EQ(client->Call({"GET", "generation"}), Bulk("1"));
  EXPECT_EQ(client->Call({"DBSIZE"}), ":1\r\n");
}

TEST_P(PersistenceTest, AFailedSaveRefusesWritesUntilASaveSucceeds) {
  TempDir doomed;
  ASSERT_TRUE(StartIn(doomed, {{"save", "3600 1"}}));
  auto client = Connect();
  fs::remove_all(doomed.path());  // the temp file cannot be created now
  ASSERT_EQ(client->Call({"BGSAVE"}), "+Background saving started\r\n");
  ASSERT_TRUE(WaitForBackgroundSave(*client));
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_last_bgsave_status"), "err");
  std::string refused = client->Call({"SET", "k", "v"});
  EXPECT_TRUE(refused.starts_with("-MISCONF ")) << refused;
  EXPECT_TRUE(client->Call({"PING"}).starts_with("-MISCONF "));
  EXPECT_EQ(client->Call({"GET", "k"}), "$-1\r\n");
  // Writes are refused only while save points are set.
  EXPECT_EQ(client->Call({"CONFIG", "SET", "save", ""}), "+OK\r\n");
  EXPECT_EQ(client->Call({"SET", "k", "v"}), "+OK\r\n");
}

TEST_P(PersistenceTest, BackgroundSaveRefusesASecondOne) {
  ASSERT_TRUE(StartIn(dir_, {{"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "500000", "k", "64"});
  std::string batch = test_support::EncodeCommand(std::vector<std::string>{"BGSAVE"}) +
                      test_support::EncodeCommand(std::vector<std::string>{"BGSAVE"}) +
                      test_support::EncodeCommand(std::vector<std::string>{"SAVE"});
  ASSERT_TRUE(client->SendRaw(batch));
  std::string reply;
  ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply);
  EXPECT_EQ(reply, "+Background saving started\r\n");
  ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply);
  EXPECT_EQ(reply, "-ERR Background save already in progress\r\n");
  ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply);
  EXPECT_EQ(reply, "-ERR Background save already in progress\r\n");
  ASSERT_TRUE(WaitForBackgroundSave(*client));
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_saves"), "1");
}

TEST_P(PersistenceTest, ShutdownSavesWhenAskedOrWhenSavePointsAreSet) {
  ASSERT_TRUE(StartIn(dir_));
  auto client = Connect();
  client->Call({"SET", "k", "1"});
  client->Send(std::vector<std::string_view>{"SHUTDOWN", "NOSAVE"});
  EXPECT_TRUE(client->WaitForClose());
  server_->Stop();
  EXPECT_FALSE(fs::exists(dir_.file()));

  ASSERT_TRUE(StartIn(dir_));
  client = Connect();
  client->Call({"SET", "k", "2"});
  client->Send(std::vector<std::string_view>{"SHUTDOWN", "SAVE"});
  EXPECT_TRUE(client->WaitForClose());
  server_->Stop();
  ASSERT_TRUE(fs::exists(dir_.file()));

  // SIGTERM with save points set saves too.
  ASSERT_TRUE(StartIn(dir_, {{"save", "3600 1"}}));
  client = Connect();
  EXPECT_EQ(client->Call({"GET", "k"}), Bulk("2"));
  client->Call({"SET", "k", "3"});
  server_->Stop();
  ASSERT_TRUE(StartIn(dir_));
  client = Connect();
  EXPECT_EQ(client->Call({"GET", "k"}), Bulk("3"));
}

TEST_P(PersistenceTest, FlushAllSavesTheEmptyDatasetWhenSavePointsAreSet) {
  ASSERT_TRUE(StartIn(dir_, {{"save", "3600 1"}}));
  auto client = Connect();
  client->Call({"SET", "k", "v"});
  ASSERT_EQ(client->Call({"SAVE"}), "+OK\r\n");
  client->Call({"SET", "k2", "v"});
  std::string saved_at = InfoField(*client, "persistence", "rdb_last_save_time");
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(client->Call({"FLUSHALL"}), "+OK\r\n");
  EXPECT_NE(InfoField(*client, "persistence", "rdb_last_save_time"), saved_at);
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_changes_since_last_save"), "0");
  // Only SAVE and BGSAVE count as saves.
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_saves"), "1");
  Restart(dir_);
  client = Connect();
  EXPECT_EQ(client->Call({"DBSIZE"}), ":0\r\n");
}

TEST_P(PersistenceTest, ASavePointStartsABackgroundSave) {
  ASSERT_TRUE(StartIn(dir_, {{"save", "1 2"}}));
  auto client = Connect();
  client->Call({"SET", "a", "1"});
  client->Call({"SET", "b", "2"});
  bool saved = false;
  for (int i = 0; i < 400 && !saved; ++i) {
    std::this_thread::sleep_for(10ms);
    saved = InfoField(*client, "persistence", "rdb_saves") == "1";
  }
  EXPECT_TRUE(saved);
  ASSERT_TRUE(WaitForBackgroundSave(*client));
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_changes_since_last_save"), "0");
  EXPECT_EQ(InfoField(*client, "persistence", "rdb_last_bgsave_status"), "ok");
}

TEST_P(PersistenceTest, DebugReloadKeepsTheDataset) {
  ASSERT_TRUE(StartIn(dir_, {{"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"RPUSH", "list", "a", "b"});
  client->Call({"SET", "n", "42"});
  EXPECT_EQ(client->Call({"DEBUG", "RELOAD"}), "+OK\r\n");
  EXPECT_EQ(client->Call({"LRANGE", "list", "0", "-1"}), "*2\r\n" + Bulk("a") + Bulk("b"));
  EXPECT_EQ(client->Call({"GET", "n"}), Bulk("42"));
}

INSTANTIATE_TEST_SUITE_P(Servers, PersistenceTest, BothServers(), ServerParamName);

// Files cross between the two servers: each one's SAVE loads in the other with the same content,
// compared by DEBUG DIGEST (the same algorithm on both) and spot checks.
class CrossLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test_support::ServerBinary(ServerKind::kRedis).empty()) GTEST_SKIP() << "no redis-server";
  }
  std::unique_ptr<ServerProcess> Start(ServerKind kind) {
    std::string error;
    auto server = ServerProcess::Start(
        {.kind = kind, .directives = {{"dir", dir_.path()}, {"enable-debug-command", "yes"}}},
        error);
    EXPECT_TRUE(server) << error;
    return server;
  }
  static void Fill(RespClient& client) {
    client.Call({"SET", "s", "text"});
    client.Call({"SET", "i", "-77"});
    client.Call({"SET", "long", std::string(300, 'z') + "tail"});
    client.Call({"RPUSH", "l", "1", "two", "3"});
    for (int i = 0; i < 200; ++i) client.Call({"RPUSH", "biglist", std::string(100, 'a' + i % 26)});
    client.Call({"HSET", "h", "a", "1", "b", "2"});
    for (int i = 0; i < 600; ++i) client.Call({"HSET", "bighash", fmt::format("f{}", i), "v"});
    client.Call({"SADD", "si", "5", "-3", "100000"});
    client.Call({"SADD", "ss", "alpha", "beta"});
    for (int i = 0; i < 600; ++i) client.Call({"SADD", "bigset", fmt::format("{}", i * 7)});
    client.Call({"ZADD", "z", "1", "a", "2.25", "b", "inf", "c"});
    for (int i = 0; i < 200; ++i) {
      client.Call({"ZADD", "bigz", fmt::format("{}.5", i), fmt::format("member{}", i)});
    }
    client.Call({"PFADD", "hll", "a", "b", "c"});
    client.Call({"SET", "ttl", "v", "PXAT", "99999999999999"});
    client.Call({"SELECT", "3"});
    client.Call({"SET", "db3", "x"});
    client.Call({"SELECT", "0"});
  }

  TempDir dir_;
};

TEST_F(CrossLoadTest, EachServerLoadsTheOthersFileWithTheSameDigest) {
  for (ServerKind writer : {ServerKind::kMagnetar, ServerKind::kRedis}) {
    ServerKind reader =
        writer == ServerKind::kMagnetar ? ServerKind::kRedis : ServerKind::kMagnetar;
    auto source = Start(writer);
    ASSERT_TRUE(source);
    RespClient client;
    ASSERT_TRUE(client.Connect(source->port()));
    client.Call({"FLUSHALL"});
    Fill(client);
    std::string digest = client.Call({"DEBUG", "DIGEST"});
    ASSERT_EQ(client.Call({"SAVE"}), "+OK\r\n");
    source->Stop();
    // Redis's own checker accepts the file, whoever wrote it.
    std::string check = "redis-check-rdb " + dir_.file() + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(check.c_str(), "r"), ::pclose);
    ASSERT_TRUE(pipe);
    std::string report;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe.get())) report.append(buffer, n);
    EXPECT_NE(report.find("RDB looks OK!"), std::string::npos) << report;

    auto target = Start(reader);
    ASSERT_TRUE(target);
    RespClient loaded;
    ASSERT_TRUE(loaded.Connect(target->port()));
    EXPECT_EQ(loaded.Call({"DBSIZE"}), ":14\r\n") << test_support::ServerKindName(writer);
    EXPECT_EQ(loaded.Call({"DEBUG", "DIGEST"}), digest) << test_support::ServerKindName(writer);
    EXPECT_EQ(loaded.Call({"PFCOUNT", "hll"}), ":3\r\n");
    EXPECT_EQ(loaded.Call({"ZSCORE", "z", "c"}), Bulk("inf"));
    target->Stop();
  }
}

}  // namespace
}  // namespace magnetar::e2e
