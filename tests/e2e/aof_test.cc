// The append-only file as users see it: with appendonly yes every acknowledged write survives a
// kill -9, the files are Redis 7.0's multi-part layout (manifest, base, incr) with its names and
// format, a torn last command is cut off at the next start, and the directory moves between
// Magnetar and Redis 7.0 both ways with the same DEBUG DIGEST; redis-check-aof accepts Magnetar's.
// Behaviour tests run on both servers, so the expectations are Redis's.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "e2e/aof_fixture.h"
#include "e2e/info_field.h"
#include "e2e/loading_probe.h"
#include "e2e/temp_dir.h"

namespace magnetar::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes of several kinds: relative times, a transaction, other databases, a lazy expiry.
void Fill(RespClient& client) {
  client.Call({"SET", "s", "text"});
  client.Call({"SET", "ttl", "v", "EX", "1000"});
  client.Call({"INCR", "counter"});
  client.Call({"INCR", "counter"});
  client.Call({"RPUSH", "list", "a", "b", "c"});
  client.Call({"LPOP", "list"});
  client.Call({"HSET", "hash", "f", "1", "g", "2"});
  client.Call({"SADD", "set", "x", "y"});
  client.Call({"ZADD", "zset", "1.5", "m", "2", "n"});
  client.Call({"INCRBYFLOAT", "float", "1.25"});
  client.Call({"MULTI"});
  client.Call({"SET", "in-multi", "1"});
  client.Call({"EXPIRE", "in-multi", "500"});
  client.Call({"EXEC"});
  client.Call({"SELECT", "5"});
  client.Call({"SET", "db5", "five"});
  client.Call({"SELECT", "0"});
  client.Call({"DEL", "s"});
  client.Call({"SET", "s", "again"});
}

using AofTest = AofServerTest;

TEST_P(AofTest, AcknowledgedWritesSurviveAKill) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  Fill(*client);
  ASSERT_TRUE(RestartKeepsDigest(client));
  EXPECT_EQ(client->Call({"DBSIZE"}), ":9\r\n");
  EXPECT_EQ(client->Call({"GET", "counter"}), Bulk("2"));
  EXPECT_EQ(client->Call({"GET", "s"}), Bulk("again"));
  // Writes after the restart go on in the same incr file and survive the next kill too.
  client->Call({"SET", "after", "restart"});
  EXPECT_TRUE(RestartKeepsDigest(client));
}

TEST_P(AofTest, FilesHaveRedisNamesAndFormat) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"SET", "a", "1"});
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.1.base.rdb")).substr(0, 9), "REDIS0010");
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.1.incr.aof")),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(
      client->Call({"INFO", "persistence"}).find("\r\naof_enabled:1\r\n") != std::string::npos,
      true);
}

TEST_P(AofTest, ATornLastCommandIsCutOff) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"SET", "kept", "1"});
  Kill();
  uintmax_t complete = TearIncrFile();

  ASSERT_TRUE(StartWithAof());
  client = Connect();
  EXPECT_EQ(client->Call({"GET", "kept"}), Bulk("1"));
  EXPECT_EQ(client->Call({"EXISTS", "lost"}), ":0\r\n");
  EXPECT_EQ(fs::file_size(AofFile("appendonly.aof.1.incr.aof")), complete);
  EXPECT_NE(server_->LogTail().find("loaded anyway because aof-load-truncated is enabled"),
            std::string::npos);
}

// While the AOF loads at startup the server answers clients, with Redis's -LOADING to a command
// that needs the dataset.
TEST_P(AofTest, ClientsGetLoadingWhileTheAofLoads) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "2000000", "key", "10"});
  ASSERT_EQ(client->Call({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(Eventually([&] {
    return InfoField(*client, "persistence", "aof_rewrite_in_progress") == "0" &&
           InfoField(*client, "persistence", "aof_rewrites") == "1";
  }));
  const int port = server_->port();
  Kill();

  std::string loading_reply;
  LoadingProbe probe(port, [&](RespClient&, const std::string& reply) { loading_reply = reply; });
  ::testing::AssertionResult restarted = StartWithAof({}, port);
  probe.Stop();
  ASSERT_TRUE(restarted);
  EXPECT_EQ(loading_reply, "-LOADING Redis is loading the dataset in memory\r\n");
  client = Connect();
  EXPECT_EQ(client->Call({"DBSIZE"}), ":2000000\r\n");
}

// A key given a deadline and then made persistent before it must come back when the AOF is
// replayed after that deadline: the replay (and a base file's load) keeps keys past their
// deadline, so that the PERSIST that follows finds them, and expires the rest once loaded.
TEST_P(AofTest, AKeyPersistedBeforeItsDeadlineSurvivesAReplayAfterIt) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  const auto deadline = std::chrono::steady_clock::now() + 500ms;
  client->Call({"SET", "in-base", "kept", "PX", "300"});
  ASSERT_EQ(client->Call({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(Eventually([&] {
    return InfoField(*client, "persistence", "aof_rewrite_in_progress") == "0" &&
           InfoField(*client, "persistence", "aof_rewrites") == "1";
  }));
  client->Call({"SET", "string", "kept", "PX", "300"});
  client->Call({"RPUSH", "list", "kept"});
  client->Call({"PEXPIRE", "list", "300"});
  client->Call({"SET", "gone", "x", "PX", "300"});
  for (const char* key : {"in-base", "string", "list"}) {
    ASSERT_EQ(client->Call({"PERSIST", key}), ":1\r\n") << key << " expired before PERSIST";
  }
  std::this_thread::sleep_until(deadline);  // every deadline above has passed
  Kill();
  ASSERT_TRUE(StartWithAof());
  client = Connect();
  EXPECT_EQ(client->Call({"GET", "in-base"}), Bulk("kept"));
  EXPECT_EQ(client->Call({"GET", "string"}), Bulk("kept"));
  EXPECT_EQ(client->Call({"LRANGE", "list", "0", "-1"}), "*1\r\n" + Bulk("kept"));
  EXPECT_EQ(client->Call({"PTTL", "string"}), ":-1\r\n");
  EXPECT_EQ(client->Call({"GET", "gone"}), "$-1\r\n");
  EXPECT_EQ(client->Call({"DBSIZE"}), ":3\r\n");
}

// SAVE and SHUTDOWN reset the dirty counter without writing: neither goes into the file, and the
// server that was shut down with unsaved writes starts again with them.
TEST_P(AofTest, SaveAndShutdownStayOutOfTheFile) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"SET", "a", "1"});
  ASSERT_EQ(client->Call({"SAVE"}), "+OK\r\n");
  client->Call({"SET", "b", "2"});
  const int port = server_->port();
  client->Call({"SHUTDOWN", "SAVE"});
  server_->Stop();
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.1.incr.aof")),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
            "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n");
  ASSERT_TRUE(StartWithAof({}, port));
  client = Connect();
  EXPECT_EQ(client->Call({"MGET", "a", "b"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_TRUE(ServesNewClient());
}

// aof-use-rdb-preamble no: a rewrite writes the base as commands, Redis's: SELECT, then per key
// SET, RPUSH, SADD, ZADD or HMSET (at most 64 items a command) and PEXPIREAT. Loading it gives the
// same dataset back.
TEST_P(AofTest, ARewriteWithoutPreambleWritesCommands) {
  ASSERT_TRUE(StartWithAof({{"aof-use-rdb-preamble", "no"}}));
  auto client = Connect();
  client->Call({"SET", "s", "text"});
  client->Call({"SET", "n", "12345"});
  client->Call({"RPUSH", "l", "a", "b"});
  client->Call({"HSET", "h", "f", "v"});
  client->Call({"SADD", "set", "7"});
  client->Call({"ZADD", "z", "1.5", "m"});
  client->Call({"PEXPIREAT", "s", "4000000000000"});
  client->Call({"SELECT", "2"});
  for (int i = 0; i < 70; ++i) client->Call({"RPUSH", "big", std::to_string(i)});
  ASSERT_EQ(client->Call({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(Eventually([&] {
    return InfoField(*client, "persistence", "aof_rewrite_in_progress") == "0" &&
           InfoField(*client, "persistence", "aof_rewrites") == "1";
  }));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  std::string base = ReadAll(AofFile("appendonly.aof.2.base.aof"));
  EXPECT_TRUE(base.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")) << base.substr(0, 40);
  for (std::string_view command : {"*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$4\r\ntext\r\n",
                                   "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ns\r\n$13\r\n4000000000000\r\n",
                                   "*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$5\r\n12345\r\n",
                                   "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n",
                                   "*4\r\n$5\r\nHMSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n",
                                   "*3\r\n$4\r\nSADD\r\n$3\r\nset\r\n$1\r\n7\r\n",
                                   "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\n1.5\r\n$1\r\nm\r\n",
                                   "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n",
                                   // 70 elements: a command of 64, then one of 6.
                                   "*66\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n$1\r\n0\r\n",
                                   "*8\r\n$5\r\nRPUSH\r\n$3\r\nbig\r\n$2\r\n64\r\n"}) {
    EXPECT_NE(base.find(command), std::string::npos) << test_support::Escape(command);
  }
  EXPECT_TRUE(RestartKeepsDigest(client));
}

// The incr file is replayed in blocks of 1 MB: commands that straddle blocks, and a value bigger
// than a block, come back whole; a torn tail after them is still cut where the last command ended.
TEST_P(AofTest, ALargeIncrFileIsReplayedWhole) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"SET", "big", std::string(3 << 20, 'v')});
  for (int i = 0; i < 300; ++i) {
    client->Call({"SET", "key" + std::to_string(i), std::string(10000 + i, 'x')});
  }
  client->Call({"APPEND", "big", "tail"});
  std::string digest = client->Call({"DEBUG", "DIGEST"});
  Kill();
  uintmax_t complete = TearIncrFile();
  ASSERT_TRUE(StartWithAof());
  client = Connect();
  EXPECT_EQ(client->Call({"DEBUG", "DIGEST"}), digest);
  EXPECT_EQ(client->Call({"STRLEN", "big"}), fmt::format(":{}\r\n", (3 << 20) + 4));
  EXPECT_EQ(fs::file_size(AofFile("appendonly.aof.1.incr.aof")), complete);
}

// aof-timestamp-enabled: a "#TS:<unix seconds>" line before the first write of each second, which
// loading skips.
TEST_P(AofTest, TimestampAnnotationsAreWrittenAndSkipped) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  ASSERT_EQ(client->Call({"CONFIG", "SET", "aof-timestamp-enabled", "yes"}), "+OK\r\n");
  auto before = std::chrono::system_clock::now();
  client->Call({"SET", "a", "1"});
  std::string incr = ReadAll(AofFile("appendonly.aof.1.incr.aof"));
  ASSERT_EQ(incr.substr(0, 4), "#TS:");
  size_t line_end = incr.find("\r\n");
  int64_t stamp = std::stoll(incr.substr(4, line_end - 4));
  EXPECT_NEAR(stamp, std::chrono::system_clock::to_time_t(before), 1);
  EXPECT_EQ(incr.substr(line_end + 2),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
  Kill();
  ASSERT_TRUE(StartWithAof());
  client = Connect();
  EXPECT_EQ(client->Call({"GET", "a"}), Bulk("1"));
}

// The rewrite's base holds the dataset of its start and the new incr file every write since: a
// write made while the base is being written is neither lost nor applied twice.
TEST_P(AofTest, ARewriteUnderWritesLosesNothing) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "200000", "filler", "50"});
  client->Call({"SET", "counter", "0"});
  std::atomic<bool> stop = false;
  std::thread writer([&] {
    RespClient own;
    ASSERT_TRUE(own.Connect(server_->port()));
    for (int i = 0; !stop; ++i) {
      own.Call({"INCR", "counter"});
      own.Call({"SET", fmt::format("written:{}", i), std::to_string(i)});
    }
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(client->Call({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  for (int i = 0;
       i < 3000 && (InfoField(*client, "persistence", "aof_rewrite_in_progress") != "0" ||
                    InfoField(*client, "persistence", "aof_rewrite_scheduled") != "0");
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(50ms);
  stop = true;
  writer.join();
  EXPECT_EQ(InfoField(*client, "persistence", "aof_last_bgrewrite_status"), "ok");
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  std::string counter = client->Call({"GET", "counter"});
  ASSERT_TRUE(RestartKeepsDigest(client));
  EXPECT_EQ(client->Call({"GET", "counter"}), counter);
  EXPECT_FALSE(fs::exists(AofFile("appendonly.aof.1.incr.aof")));
}

// CONFIG SET appendonly yes on a running server writes a base of the dataset first, and every
// write from then on follows in the incr file.
TEST_P(AofTest, TurningItOnAtRunTimeWritesABaseFirst) {
  ASSERT_TRUE(StartServer({{"dir", dir_.path()}, {"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "50000", "before", "20"});
  ASSERT_EQ(client->Call({"CONFIG", "SET", "appendonly", "yes"}), "+OK\r\n");
  client->Call({"SET", "after", "1"});
  for (int i = 0;
       i < 3000 && (InfoField(*client, "persistence", "aof_rewrite_in_progress") != "0" ||
                    InfoField(*client, "persistence", "aof_rewrite_scheduled") != "0");
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  client->Call({"SET", "later", "2"});
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  ASSERT_TRUE(RestartKeepsDigest(client));
  EXPECT_EQ(client->Call({"DBSIZE"}), ":50002\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, AofTest, BothServers(), ServerParamName);

// The appendonlydir each server writes loads in the other with the same DEBUG DIGEST.
class AofCrossLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test_support::ServerBinary(ServerKind::kRedis).empty()) GTEST_SKIP() << "no redis-server";
  }
  std::unique_ptr<ServerProcess> Start(ServerKind kind) {
    std::vector<Directive> directives = kAofOn;
    directives.insert(directives.begin(), {"dir", dir_.path()});
    std::string error;
    auto server = ServerProcess::Start({.kind = kind, .directives = directives}, error);
    EXPECT_TRUE(server) << error;
    return server;
  }

  TempDir dir_;
};

TEST_F(AofCrossLoadTest, EachServerLoadsTheOthersAppendOnlyDir) {
  for (ServerKind writer : {ServerKind::kMagnetar, ServerKind::kRedis}) {
    ServerKind reader =
        writer == ServerKind::kMagnetar ? ServerKind::kRedis : ServerKind::kMagnetar;
    fs::remove_all(dir_.file("appendonlydir"));
    auto source = Start(writer);
    ASSERT_TRUE(source);
    RespClient client;
    ASSERT_TRUE(client.Connect(source->port()));
    Fill(client);
    std::string digest = client.Call({"DEBUG", "DIGEST"});
    ::kill(source->pid(), SIGKILL);
    source->Stop();

    auto target = Start(reader);
    ASSERT_TRUE(target);
    RespClient loaded;
    ASSERT_TRUE(loaded.Connect(target->port()));
    EXPECT_EQ(loaded.Call({"DEBUG", "DIGEST"}), digest) << test_support::ServerKindName(writer);
    target->Stop();
  }
}

TEST_F(AofCrossLoadTest, RedisCheckAofAcceptsMagnetarsFiles) {
  fs::path check =
      fs::path(test_support::ServerBinary(ServerKind::kRedis)).parent_path() / "redis-check-aof";
  if (!fs::exists(check)) GTEST_SKIP() << "no redis-check-aof";
  auto server = Start(ServerKind::kMagnetar);
  ASSERT_TRUE(server);
  RespClient client;
  ASSERT_TRUE(client.Connect(server->port()));
  Fill(client);
  ::kill(server->pid(), SIGKILL);
  server->Stop();
  std::string command = fmt::format("{} {} > /dev/null 2>&1", check.string(),
                                    dir_.file("appendonlydir/appendonly.aof.manifest"));
  int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
}

}  // namespace
}  // namespace magnetar::e2e
