// The append-only file over a server's life, on Magnetar and on Redis 7.0 alike: a single-file
// AOF of Redis 6 or older (`dir/appendonly.aof`, RESP commands, possibly behind an RDB preamble)
// becomes the base of the multi-part directory at startup; auto-aof-rewrite-percentage and
// auto-aof-rewrite-min-size start rewrites as the files grow; a BGREWRITEAOF or CONFIG SET
// appendonly yes that arrives while a BGSAVE runs, or inside EXEC, is scheduled and runs later.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/aof_fixture.h"
#include "e2e/info_field.h"
#include "e2e/temp_dir.h"

namespace magnetar::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// `size` bytes that do not compress, so that the files grow by what is written.
std::string Incompressible(size_t size, uint32_t seed) {
  std::string text(size, ' ');
  for (char& c : text) {
    seed = seed * 1664525 + 1013904223;
    c = static_cast<char>('!' + (seed >> 24) % 90);
  }
  return text;
}

void WriteAll(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A Redis 6 AOF: SELECT 0, SET a 1, SET b 2.
constexpr std::string_view kLegacyCommands =
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
    "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n";
// DEBUG DIGEST of that dataset, as redis-server 7.0.15 reports it after the upgrade.
constexpr std::string_view kLegacyDigest = "7dff4aa4711992a6870417c26949f355d23a7cac";
// The manifest Redis 7.0.15 writes for an upgraded file.
constexpr std::string_view kUpgradedManifest =
    "file appendonly.aof seq 1 type b\n"
    "file appendonly.aof.1.incr.aof seq 1 type i\n";

class AofLifecycleTest : public AofServerTest {
 protected:
  std::string Info(RespClient& client, std::string_view field) {
    return InfoField(client, "persistence", field);
  }
  // One INFO persistence shows each of `fields` (e.g. "aof_rewrites:1"): one reply, so that the
  // fields are of the same instant.
  bool InfoShows(RespClient& client, std::initializer_list<std::string_view> fields) {
    std::string info = client.Call({"INFO", "persistence"});
    for (std::string_view field : fields) {
      if (info.find(fmt::format("\r\n{}\r\n", field)) == std::string::npos) return false;
    }
    return true;
  }
  // No rewrite runs or waits, and `rewrites` have completed.
  bool RewritesDone(RespClient& client, int rewrites) {
    std::string count = fmt::format("aof_rewrites:{}", rewrites);
    return InfoShows(client, {"aof_rewrite_in_progress:0", "aof_rewrite_scheduled:0", count});
  }
  // Redis forks its BGSAVE: a per-key delay keeps the child busy while the test looks. Magnetar's
  // BGSAVE runs in slices from a timer, which cannot run between requests of one pipelined batch.
  void SlowDownRedisSaves(RespClient& client, std::string_view delay_us) {
    if (GetParam() == ServerKind::kRedis) {
      ASSERT_EQ(client.Call({"CONFIG", "SET", "rdb-key-save-delay", delay_us}), "+OK\r\n");
    }
  }
  // The upgraded directory, its dataset and the log, as Redis 7.0.15 leaves them.
  void ExpectUpgraded(RespClient& client) {
    EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")), kUpgradedManifest);
    EXPECT_FALSE(fs::exists(dir_.file("appendonly.aof")));
    EXPECT_EQ(ReadAll(AofFile("appendonly.aof")), kLegacyCommands);
    EXPECT_TRUE(fs::exists(AofFile("appendonly.aof.1.incr.aof")));
    EXPECT_EQ(client.Call({"DEBUG", "DIGEST"}), fmt::format("+{}\r\n", kLegacyDigest));
    EXPECT_NE(server_->LogTail(100000).find("Successfully migrated an old-style AOF file "
                                            "(appendonly.aof) into the AOF directory "
                                            "(appendonlydir)."),
              std::string::npos);
  }
};

TEST_P(AofLifecycleTest, ALegacyFileBecomesTheBase) {
  WriteAll(dir_.file("appendonly.aof"), kLegacyCommands);
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  ExpectUpgraded(*client);
  // Writes go on in incr file 1, and the next start loads both.
  client->Call({"SET", "c", "3"});
  EXPECT_TRUE(RestartKeepsDigest(client));
  EXPECT_EQ(client->Call({"GET", "c"}), Bulk("3"));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")), kUpgradedManifest);
}

// A crash after the manifest was written and before the file moved: the next start finishes it.
TEST_P(AofLifecycleTest, AnInterruptedUpgradeIsRedone) {
  WriteAll(dir_.file("appendonly.aof"), kLegacyCommands);
  fs::create_directory(dir_.file("appendonlydir"));
  WriteAll(AofFile("appendonly.aof.manifest"), "file appendonly.aof seq 1 type b\n");
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  ExpectUpgraded(*client);
}

// Redis 6 with aof-use-rdb-preamble yes wrote an RDB file followed by the commands since.
TEST_P(AofLifecycleTest, ALegacyFileWithAnRdbPreambleLoadsItsTail) {
  TempDir source;
  ASSERT_TRUE(StartServer({{"dir", source.path()}, {"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"SET", "a", "1"});
  client->Call({"RPUSH", "list", "x", "y", "z"});
  client->Call({"HSET", "hash", "f", "v"});
  ASSERT_EQ(client->Call({"SAVE"}), "+OK\r\n");
  client->Call({"SELECT", "3"});
  client->Call({"SET", "b", "2"});
  client->Call({"SELECT", "0"});
  client->Call({"DEL", "a"});
  std::string digest = client->Call({"DEBUG", "DIGEST"});
  server_->Stop();
  WriteAll(dir_.file("appendonly.aof"),
           ReadAll(source.file("dump.rdb")) +
               "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
               "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n");

  ASSERT_TRUE(StartWithAof());
  client = Connect();
  EXPECT_EQ(client->Call({"DEBUG", "DIGEST"}), digest);
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")), kUpgradedManifest);
  std::string log = server_->LogTail(100000);
  EXPECT_NE(log.find("Reading RDB preamble from AOF file..."), std::string::npos);
  EXPECT_NE(log.find("Reading the remaining AOF tail..."), std::string::npos);
}

// Writes past auto-aof-rewrite-min-size that double the files start a rewrite; the next one
// waits until the files have doubled again from the size that rewrite left.
TEST_P(AofLifecycleTest, GrowthStartsARewrite) {
  ASSERT_TRUE(StartWithAof({{"auto-aof-rewrite-percentage", "100"}}));
  auto client = Connect();
  for (int i = 0; i < 20; ++i) {
    client->Call({"SET", fmt::format("key:{}", i), Incompressible(1000, i)});
  }
  EXPECT_EQ(Info(*client, "aof_rewrites"), "0");  // the default min size is 64mb
  ASSERT_EQ(client->Call({"CONFIG", "SET", "auto-aof-rewrite-min-size", "4096"}), "+OK\r\n");
  ASSERT_TRUE(Eventually([&] { return RewritesDone(*client, 1); }));
  EXPECT_EQ(Info(*client, "aof_last_bgrewrite_status"), "ok");
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  std::string log = server_->LogTail(100000);
  constexpr std::string_view kStarting = "Starting automatic rewriting of AOF on ";
  size_t at = log.find(kStarting);
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::atoll(log.c_str() + at + kStarting.size()), 100) << log.substr(at, 60);

  // Growth is measured from the size this rewrite left.
  const int64_t base = std::stoll(Info(*client, "aof_base_size"));
  ASSERT_GT(base, 4096);
  for (int i = 20; std::stoll(Info(*client, "aof_current_size")) < 2 * base; ++i) {
    EXPECT_EQ(Info(*client, "aof_rewrites"), "1");
    client->Call({"SET", fmt::format("key:{}", i), Incompressible(1000, i)});
  }
  ASSERT_TRUE(Eventually([&] { return RewritesDone(*client, 2); }));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.3.base.rdb seq 3 type b\n"
            "file appendonly.aof.3.incr.aof seq 3 type i\n");
  EXPECT_TRUE(RestartKeepsDigest(client));
}

// BGSAVE and BGREWRITEAOF pipelined: the rewrite waits for the save, then runs.
TEST_P(AofLifecycleTest, ARewriteRequestedDuringABgsaveIsScheduled) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "2000", "key", "10"});
  SlowDownRedisSaves(*client, "500");
  ASSERT_TRUE(
      client->SendRaw("*1\r\n$6\r\nBGSAVE\r\n*1\r\n$12\r\nBGREWRITEAOF\r\n*2\r\n$4\r\nINFO\r\n$"
                      "11\r\npersistence\r\n"));
  std::vector<std::string> replies = ReadReplies(*client, 3);
  EXPECT_EQ(replies[0], "+Background saving started\r\n");
  EXPECT_EQ(replies[1], "+Background append only file rewriting scheduled\r\n");
  EXPECT_NE(replies[2].find("\r\nrdb_bgsave_in_progress:1\r\n"), std::string::npos);
  EXPECT_NE(replies[2].find("\r\naof_rewrite_in_progress:0\r\n"), std::string::npos);
  EXPECT_NE(replies[2].find("\r\naof_rewrite_scheduled:1\r\n"), std::string::npos);
  SlowDownRedisSaves(*client, "0");  // the rewrite's own fork copies the setting

  ASSERT_TRUE(Eventually([&] {
    return InfoShows(*client, {"rdb_bgsave_in_progress:0", "aof_rewrite_in_progress:0",
                               "aof_rewrite_scheduled:0", "aof_rewrites:1"});
  }));
  EXPECT_EQ(Info(*client, "rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(Info(*client, "aof_last_bgrewrite_status"), "ok");
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
}

// BGSAVE while a rewrite runs: refused, or with SCHEDULE started once the rewrite has ended;
// inside EXEC it is always scheduled.
TEST_P(AofLifecycleTest, ABgsaveDuringARewriteIsRefusedOrScheduled) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "2000", "key", "10"});
  SlowDownRedisSaves(*client, "500");
  ASSERT_TRUE(
      client->SendRaw("*1\r\n$12\r\nBGREWRITEAOF\r\n*1\r\n$6\r\nBGSAVE\r\n*2\r\n$6\r\nBGSAVE\r\n$"
                      "8\r\nSCHEDULE\r\n"));
  EXPECT_EQ(ReadReplies(*client, 3),
            (std::vector<std::string>{
                "+Background append only file rewriting started\r\n",
                "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
                "SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
                "+Background saving scheduled\r\n"}));
  SlowDownRedisSaves(*client, "0");  // the rewrite's own fork copies the setting
  ASSERT_TRUE(Eventually([&] {
    return fs::exists(dir_.file("dump.rdb")) &&
           InfoShows(*client, {"rdb_bgsave_in_progress:0", "aof_rewrite_in_progress:0",
                               "aof_rewrites:1", "rdb_last_bgsave_status:ok"});
  }));

  client->Call({"SET", "x", "1"});
  client->Call({"MULTI"});
  client->Call({"BGSAVE"});
  EXPECT_EQ(client->Call({"EXEC"}), "*1\r\n+Background saving scheduled\r\n");
  EXPECT_TRUE(Eventually([&] {
    return InfoShows(*client, {"rdb_bgsave_in_progress:0", "rdb_changes_since_last_save:0"});
  }));
}

TEST_P(AofLifecycleTest, ARewriteRequestedInsideExecIsScheduled) {
  ASSERT_TRUE(StartWithAof());
  auto client = Connect();
  client->Call({"SET", "a", "1"});
  client->Call({"MULTI"});
  client->Call({"BGREWRITEAOF"});
  EXPECT_EQ(client->Call({"EXEC"}), "*1\r\n+Background append only file rewriting scheduled\r\n");
  ASSERT_TRUE(Eventually([&] { return RewritesDone(*client, 1); }));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.rdb seq 2 type b\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
}

// CONFIG SET appendonly yes during a BGSAVE: the AOF is on (INFO says so) and its first base is
// written once the save ends, holding every write made meanwhile.
TEST_P(AofLifecycleTest, TurningItOnDuringABgsaveWaitsForTheSave) {
  ASSERT_TRUE(StartServer({{"dir", dir_.path()}, {"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"DEBUG", "POPULATE", "2000", "key", "10"});
  SlowDownRedisSaves(*client, "500");
  ASSERT_TRUE(client->SendRaw(
      "*1\r\n$6\r\nBGSAVE\r\n*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n"
      "*2\r\n$4\r\nINFO\r\n$11\r\npersistence\r\n"));
  std::vector<std::string> replies = ReadReplies(*client, 3);
  EXPECT_EQ(replies[0], "+Background saving started\r\n");
  EXPECT_EQ(replies[1], "+OK\r\n");
  EXPECT_NE(replies[2].find("\r\naof_enabled:1\r\n"), std::string::npos);
  EXPECT_NE(replies[2].find("\r\naof_rewrite_scheduled:1\r\n"), std::string::npos);
  SlowDownRedisSaves(*client, "0");
  client->Call({"SET", "meanwhile", "1"});

  // The manifest appears when the base is written, as the rewrite ends.
  ASSERT_TRUE(Eventually([&] {
    return fs::exists(AofFile("appendonly.aof.manifest")) &&
           InfoShows(*client, {"rdb_bgsave_in_progress:0", "aof_rewrite_in_progress:0",
                               "aof_rewrite_scheduled:0"});
  }));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  client->Call({"SET", "after", "2"});
  EXPECT_TRUE(RestartKeepsDigest(client));
  EXPECT_EQ(client->Call({"DBSIZE"}), ":2002\r\n");
}

// BGREWRITEAOF with the AOF off still writes a base, and a manifest naming it alone; the next one
// replaces it.
TEST_P(AofLifecycleTest, ARewriteWithTheAofOffWritesABaseOnly) {
  ASSERT_TRUE(StartServer({{"dir", dir_.path()}, {"enable-debug-command", "yes"}}));
  auto client = Connect();
  client->Call({"SET", "a", "1"});
  ASSERT_EQ(client->Call({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(Eventually([&] { return RewritesDone(*client, 1); }));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.1.base.rdb seq 1 type b\n");
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.1.base.rdb")).substr(0, 5), "REDIS");
  EXPECT_EQ(Info(*client, "aof_enabled"), "0");

  client->Call({"SET", "b", "2"});
  ASSERT_EQ(client->Call({"BGREWRITEAOF"}), "+Background append only file rewriting started\r\n");
  ASSERT_TRUE(Eventually([&] { return RewritesDone(*client, 2); }));
  EXPECT_EQ(ReadAll(AofFile("appendonly.aof.manifest")),
            "file appendonly.aof.2.base.rdb seq 2 type b\n");
  EXPECT_FALSE(fs::exists(AofFile("appendonly.aof.1.base.rdb")));
  // The files hold the dataset: a server started on them with the AOF on loads it.
  std::string digest = client->Call({"DEBUG", "DIGEST"});
  server_->Stop();
  ASSERT_TRUE(StartWithAof());
  client = Connect();
  EXPECT_EQ(client->Call({"DEBUG", "DIGEST"}), digest);
}

INSTANTIATE_TEST_SUITE_P(Servers, AofLifecycleTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
