// Replication between real servers, in every pairing of Magnetar and Redis 7.0 as primary and
// replica: the full sync carries every type, the stream follows, a dropped link continues with a
// partial resync, chained replicas and promotion keep the history, a restarted replica continues
// from its RDB, and WAIT, min-replicas-to-write and the read-only replica answer as Redis does.
// The Redis-Redis pairing checks the expectations themselves.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <tuple>

#include "e2e/info_field.h"
#include "e2e/server_fixture.h"
#include "e2e/temp_dir.h"

namespace magnetar::e2e {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<ServerProcess> StartKind(ServerKind kind, std::vector<Directive> directives = {},
                                         int port = 0) {
  directives.insert(directives.begin(),
                    {{"repl-diskless-sync-delay", "0"}, {"enable-debug-command", "yes"}});
  std::string error;
  auto server = ServerProcess::Start(
      {.kind = kind, .directives = std::move(directives), .port = port}, error);
  EXPECT_NE(server, nullptr) << error;
  return server;
}

// A client of `server`, authenticated with `password` when one is given.
std::unique_ptr<RespClient> ConnectTo(const ServerProcess& server, std::string_view password = {}) {
  auto client = std::make_unique<RespClient>();
  EXPECT_TRUE(client->Connect(server.port())) << client->error();
  if (!password.empty()) {
    EXPECT_EQ(client->Call({"AUTH", password}), "+OK\r\n");
  }
  return client;
}

std::string Digest(RespClient& client) { return client.Call({"DEBUG", "DIGEST"}); }

// Writes of every type, with a transaction, deadlines, another database and deletions.
void WriteMix(RespClient& client, int round) {
  std::string n = std::to_string(round);
  client.Call({"SET", "s" + n, "value" + n});
  client.Call({"INCRBY", "counter", n});
  client.Call({"RPUSH", "list", "a" + n, "b" + n});
  client.Call({"HSET", "hash" + n, "f", "v", "g", n});
  client.Call({"SADD", "set", n, "m" + n});
  client.Call({"ZADD", "zset", n, "z" + n});
  client.Call({"PFADD", "hll", "e" + n});
  client.Call({"SET", "ttl" + n, "x", "EX", "1000"});
  client.Call({"MULTI"});
  client.Call({"LPOP", "list"});
  client.Call({"HINCRBY", "hash" + n, "g", "5"});
  client.Call({"EXEC"});
  client.Call({"SELECT", "3"});
  client.Call({"SET", "other" + n, n});
  client.Call({"SELECT", "0"});
  client.Call({"DEL", "s" + std::to_string(round - 1)});
}

class ReplicationTest : public ::testing::TestWithParam<std::tuple<ServerKind, ServerKind>> {
 protected:
  void SetUp() override {
    for (ServerKind kind : {primary_kind(), replica_kind()}) {
      if (test_support::ServerBinary(kind).empty()) GTEST_SKIP() << "no server binary";
    }
  }
  ServerKind primary_kind() const { return std::get<0>(GetParam()); }
  ServerKind replica_kind() const { return std::get<1>(GetParam()); }

  // Makes `replica` replicate `primary` and waits until it has caught up.
  ::testing::AssertionResult Follow(ServerProcess& replica, const ServerProcess& primary) {
    auto client = ConnectTo(replica);
    std::string reply = client->Call({"REPLICAOF", "127.0.0.1", std::to_string(primary.port())});
    if (reply != "+OK\r\n") return ::testing::AssertionFailure() << "REPLICAOF: " << reply;
    return InSync(replica, primary);
  }

  // Waits until `replica`'s link is up and its offset is `primary`'s.
  ::testing::AssertionResult InSync(const ServerProcess& replica, const ServerProcess& primary) {
    auto replica_client = ConnectTo(replica);
    auto primary_client = ConnectTo(primary, primary_password_);
    std::string replica_offset, primary_offset;
    // The primary lists the replica online too (Redis does once the replica's first ACK came).
    const std::string online = fmt::format("port={},state=online", replica.port());
    for (int i = 0; i < 2000; ++i) {
      primary_offset = InfoField(*primary_client, "replication", "master_repl_offset");
      if (InfoField(*replica_client, "replication", "master_link_status") == "up" &&
          primary_client->Call({"INFO", "replication"}).find(online) != std::string::npos) {
        replica_offset = InfoField(*replica_client, "replication", "slave_repl_offset");
        if (replica_offset == primary_offset) return ::testing::AssertionSuccess();
      }
      std::this_thread::sleep_for(10ms);
    }
    return ::testing::AssertionFailure() << "replica at " << replica_offset << ", primary at "
                                         << primary_offset << "; replica log:\n"
                                         << replica.LogTail();
  }

  std::string primary_password_;  // requirepass of the primary, if set

  static int64_t Stat(const ServerProcess& server, std::string_view field) {
    auto client = ConnectTo(server);
    return std::stoll(InfoField(*client, "stats", field));
  }
};

TEST_P(ReplicationTest, FullSyncCarriesEveryTypeAndTheStreamFollows) {
  auto primary = StartKind(primary_kind());
  auto replica = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica);
  auto writer = ConnectTo(*primary);
  writer->Call({"DEBUG", "POPULATE", "2000", "key", "100"});
  for (int round = 1; round <= 5; ++round) WriteMix(*writer, round);
  ASSERT_TRUE(Follow(*replica, *primary));
  auto reader = ConnectTo(*replica);
  EXPECT_EQ(Digest(*reader), Digest(*writer));
  EXPECT_EQ(Stat(*primary, "sync_full"), 1);

  for (int round = 6; round <= 20; ++round) WriteMix(*writer, round);
  writer->Call({"EXPIRE", "s20", "1000"});
  writer->Call({"FLUSHDB"});  // of database 0; database 3 stays
  WriteMix(*writer, 21);
  ASSERT_TRUE(InSync(*replica, *primary));
  EXPECT_EQ(Digest(*reader), Digest(*writer));
  std::string ttl = reader->Call({"TTL", "ttl21"});  // 1000 s, or a second less by now
  EXPECT_TRUE(ttl == ":1000\r\n" || ttl == ":999\r\n") << ttl;
  EXPECT_EQ(reader->Call({"ROLE"}).substr(0, 15), "*5\r\n$5\r\nslave\r\n");
}

TEST_P(ReplicationTest, DiskBackedFullSync) {
  auto primary = StartKind(primary_kind(), {{"repl-diskless-sync", "no"}});
  auto replica = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica);
  auto writer = ConnectTo(*primary);
  writer->Call({"DEBUG", "POPULATE", "1000", "key", "10"});
  WriteMix(*writer, 1);
  ASSERT_TRUE(Follow(*replica, *primary));
  WriteMix(*writer, 2);
  ASSERT_TRUE(InSync(*replica, *primary));
  auto reader = ConnectTo(*replica);
  EXPECT_EQ(Digest(*reader), Digest(*writer));
}

TEST_P(ReplicationTest, AuthenticatesAndLoadsInMemory) {
  primary_password_ = "secret";
  auto primary = StartKind(primary_kind(), {{"requirepass", primary_password_}});
  auto replica = StartKind(replica_kind(),
                           {{"masterauth", primary_password_}, {"repl-diskless-load", "swapdb"}});
  ASSERT_TRUE(primary && replica);
  auto writer = ConnectTo(*primary, primary_password_);
  WriteMix(*writer, 1);
  {
    auto client = ConnectTo(*replica);
    client->Call({"SET", "stale", "dataset"});  // replaced by the primary's
  }
  ASSERT_TRUE(Follow(*replica, *primary));
  auto reader = ConnectTo(*replica);
  EXPECT_EQ(reader->Call({"EXISTS", "stale"}), ":0\r\n");
  EXPECT_EQ(reader->Call({"GET", "s1"}), "$6\r\nvalue1\r\n");
}

TEST_P(ReplicationTest, DroppedLinkContinuesWithAPartialResync) {
  auto primary = StartKind(primary_kind());
  auto replica = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica);
  auto writer = ConnectTo(*primary);
  WriteMix(*writer, 1);
  ASSERT_TRUE(Follow(*replica, *primary));
  auto reader = ConnectTo(*replica);
  for (int drop = 0; drop < 3; ++drop) {
    // From either side: the replica drops its primary, or the primary drops its replica.
    auto killer = drop % 2 == 0 ? ConnectTo(*replica) : ConnectTo(*primary);
    EXPECT_EQ(killer->Call({"CLIENT", "KILL", "TYPE", drop % 2 == 0 ? "master" : "replica"}),
              ":1\r\n");
    WriteMix(*writer, drop + 2);
    ASSERT_TRUE(InSync(*replica, *primary));
  }
  EXPECT_EQ(Digest(*reader), Digest(*writer));
  EXPECT_EQ(Stat(*primary, "sync_full"), 1);
  EXPECT_EQ(Stat(*primary, "sync_partial_ok"), 3);
}

TEST_P(ReplicationTest, ReplicaRefusesWritesAndWaitCountsAcknowledgements) {
  auto primary = StartKind(primary_kind(), {{"min-replicas-to-write", "1"}});
  auto replica = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica);
  auto writer = ConnectTo(*primary);
  EXPECT_EQ(writer->Call({"SET", "k", "v"}), "-NOREPLICAS Not enough good replicas to write.\r\n");
  EXPECT_EQ(writer->Call({"WAIT", "1", "50"}), ":0\r\n");
  ASSERT_TRUE(Follow(*replica, *primary));
  // Redis counts its good replicas once a second: the write is accepted within one.
  std::string reply;
  for (int i = 0; i < 300 && reply != "+OK\r\n"; ++i) {
    if (i > 0) std::this_thread::sleep_for(10ms);
    reply = writer->Call({"SET", "k", "v"});
  }
  EXPECT_EQ(reply, "+OK\r\n");
  EXPECT_EQ(writer->Call({"WAIT", "1", "0"}), ":1\r\n");
  EXPECT_EQ(writer->Call({"WAIT", "2", "100"}), ":1\r\n");  // the timeout's count
  auto reader = ConnectTo(*replica);
  EXPECT_EQ(reader->Call({"SET", "k", "w"}),
            "-READONLY You can't write against a read only replica.\r\n");
  EXPECT_EQ(reader->Call({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(reader->Call({"WAIT", "0", "0"}).substr(0, 47),
            "-ERR WAIT cannot be used with replica instances");
}

TEST_P(ReplicationTest, ChainPromotionAndRestartKeepTheHistory) {
  TempDir replica_dir;
  auto primary = StartKind(primary_kind());
  auto replica = StartKind(replica_kind(), {{"dir", replica_dir.path()}});
  auto sub = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica && sub);
  auto writer = ConnectTo(*primary);
  WriteMix(*writer, 1);
  ASSERT_TRUE(Follow(*replica, *primary));
  ASSERT_TRUE(Follow(*sub, *replica));
  WriteMix(*writer, 2);
  ASSERT_TRUE(InSync(*replica, *primary));
  ASSERT_TRUE(InSync(*sub, *replica));
  auto sub_reader = ConnectTo(*sub);
  EXPECT_EQ(Digest(*sub_reader), Digest(*writer));

  // The replica restarts from its RDB, configured to replicate, and continues where it was;
  // its own replica reconnects and continues too.
  {
    auto client = ConnectTo(*replica);
    client->Call({"SHUTDOWN", "SAVE"});
  }
  const int replica_port = replica->port();
  replica->Stop();
  WriteMix(*writer, 3);
  replica = StartKind(
      replica_kind(),
      {{"dir", replica_dir.path()}, {"replicaof", fmt::format("127.0.0.1 {}", primary->port())}},
      replica_port);
  ASSERT_TRUE(replica);
  ASSERT_TRUE(InSync(*replica, *primary));
  ASSERT_TRUE(InSync(*sub, *replica));
  EXPECT_EQ(Stat(*primary, "sync_full"), 1);
  EXPECT_EQ(Stat(*primary, "sync_partial_ok"), 1);

  // Promoted, it keeps its replica with a partial resync and takes writes.
  auto promoted = ConnectTo(*replica);
  EXPECT_EQ(promoted->Call({"REPLICAOF", "NO", "ONE"}), "+OK\r\n");
  EXPECT_EQ(promoted->Call({"SET", "after", "promotion"}), "+OK\r\n");
  ASSERT_TRUE(InSync(*sub, *replica));
  EXPECT_EQ(sub_reader->Call({"GET", "after"}), "$9\r\npromotion\r\n");
  EXPECT_EQ(Digest(*sub_reader), Digest(*promoted));
  EXPECT_EQ(Stat(*replica, "sync_full"), 0);
  EXPECT_GE(Stat(*replica, "sync_partial_ok"), 1);
}

TEST_P(ReplicationTest, FailoverHandsThePrimaryRoleOver) {
  auto primary = StartKind(primary_kind());
  auto replica = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica);
  auto admin = ConnectTo(*primary);
  EXPECT_EQ(admin->Call({"FAILOVER"}), "-ERR FAILOVER requires connected replicas.\r\n");
  EXPECT_EQ(admin->Call({"FAILOVER", "ABORT"}), "-ERR No failover in progress.\r\n");
  EXPECT_EQ(admin->Call({"FAILOVER", "TIMEOUT", "0"}),
            "-ERR FAILOVER timeout must be greater than 0\r\n");
  WriteMix(*admin, 1);
  ASSERT_TRUE(Follow(*replica, *primary));
  EXPECT_EQ(admin->Call({"FAILOVER", "FORCE"}),
            "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n");
  EXPECT_EQ(admin->Call({"FAILOVER", "TO", "127.0.0.1", "1"}),
            "-ERR FAILOVER target HOST and PORT is not a replica.\r\n");
  EXPECT_EQ(admin->Call({"FAILOVER", "TO", "127.0.0.1", std::to_string(replica->port()), "TIMEOUT",
                         "10000"}),
            "+OK\r\n");
  // A write sent now waits for the hand-over, then meets a replica.
  auto writer = ConnectTo(*primary);
  EXPECT_EQ(writer->Call({"SET", "during", "failover"}),
            "-READONLY You can't write against a read only replica.\r\n");
  // Redis releases the held write as soon as it turns into a replica, a moment before the target
  // has taken over: the target's role is awaited.
  auto promoted = ConnectTo(*replica);
  std::string role;
  for (int i = 0; i < 1000 && !role.starts_with("*3\r\n$6\r\nmaster\r\n"); ++i) {
    std::this_thread::sleep_for(10ms);
    role = promoted->Call({"ROLE"});
  }
  EXPECT_TRUE(role.starts_with("*3\r\n$6\r\nmaster\r\n")) << role;
  EXPECT_EQ(promoted->Call({"SET", "after", "failover"}), "+OK\r\n");
  ASSERT_TRUE(InSync(*primary, *replica));
  EXPECT_EQ(admin->Call({"GET", "after"}), "$8\r\nfailover\r\n");
  EXPECT_EQ(Digest(*admin), Digest(*promoted));
  EXPECT_EQ(InfoField(*admin, "replication", "master_failover_state"), "no-failover");
}

// Only the primary decides that a key is gone. The stream a replica applies sees keys past their
// deadline as live (a PERSIST sent before the deadline may arrive after it), and the replica's
// own clients read such a key as missing while it stays until the primary's DEL.
TEST_P(ReplicationTest, OnlyThePrimaryExpiresKeys) {
  auto primary = StartKind(primary_kind());
  auto replica = StartKind(replica_kind());
  ASSERT_TRUE(primary && replica);
  ASSERT_TRUE(Follow(*replica, *primary));
  auto writer = ConnectTo(*primary);
  auto reader = ConnectTo(*replica);

  ASSERT_EQ(kill(replica->pid(), SIGSTOP), 0);
  auto deadline = std::chrono::steady_clock::now() + 500ms;
  writer->Call({"SET", "persisted", "kept", "PX", "300"});
  ASSERT_EQ(writer->Call({"PERSIST", "persisted"}), ":1\r\n");
  std::this_thread::sleep_until(deadline);  // the stream reaches the replica after the deadline
  ASSERT_EQ(kill(replica->pid(), SIGCONT), 0);
  ASSERT_TRUE(InSync(*replica, *primary));
  EXPECT_EQ(reader->Call({"GET", "persisted"}), "$4\r\nkept\r\n");
  EXPECT_EQ(reader->Call({"PTTL", "persisted"}), ":-1\r\n");

  ASSERT_EQ(writer->Call({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK\r\n");
  deadline = std::chrono::steady_clock::now() + 300ms;
  writer->Call({"SET", "short", "x", "PX", "100"});
  ASSERT_TRUE(InSync(*replica, *primary));
  std::this_thread::sleep_until(deadline);
  EXPECT_EQ(reader->Call({"GET", "short"}), "$-1\r\n");
  EXPECT_EQ(reader->Call({"EXISTS", "short"}), ":0\r\n");
  EXPECT_EQ(reader->Call({"DBSIZE"}), ":2\r\n");         // still stored, until the primary says
  EXPECT_EQ(writer->Call({"GET", "short"}), "$-1\r\n");  // the primary expires it: DEL
  ASSERT_TRUE(InSync(*replica, *primary));
  EXPECT_EQ(reader->Call({"DBSIZE"}), ":1\r\n");
}

// A forkless snapshot costs nothing to begin, so a Magnetar primary does not wait
// repl-diskless-sync-delay for more replicas unless repl-diskless-sync-max-replicas asks it to
// gather some (docs/replication.md); Redis waits the delay to share one fork.
TEST_P(ReplicationTest, FullSyncWaitsOnlyToGatherTheReplicasAskedFor) {
  if (primary_kind() != ServerKind::kMagnetar) GTEST_SKIP() << "Redis waits the delay";
  auto primary = StartKind(primary_kind(), {{"repl-diskless-sync-delay", "3600"}});
  auto first = StartKind(replica_kind());
  auto second = StartKind(replica_kind());
  auto third = StartKind(replica_kind());
  ASSERT_TRUE(primary && first && second && third);
  auto writer = ConnectTo(*primary);
  ASSERT_EQ(writer->Call({"CONFIG", "GET", "repl-diskless-sync-delay"}),
            "*2\r\n$24\r\nrepl-diskless-sync-delay\r\n$4\r\n3600\r\n");
  writer->Call({"DEBUG", "POPULATE", "1000", "key", "10"});
  ASSERT_TRUE(Follow(*first, *primary));

  ASSERT_EQ(writer->Call({"CONFIG", "SET", "repl-diskless-sync-max-replicas", "2"}), "+OK\r\n");
  const std::string port = std::to_string(primary->port());
  ASSERT_EQ(ConnectTo(*second)->Call({"REPLICAOF", "127.0.0.1", port}), "+OK\r\n");
  const std::string waiting = fmt::format("port={},state=wait_bgsave", second->port());
  bool seen_waiting = false;
  for (int i = 0; i < 2000 && !seen_waiting; ++i) {
    seen_waiting = writer->Call({"INFO", "replication"}).find(waiting) != std::string::npos;
    if (!seen_waiting) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(seen_waiting) << writer->Call({"INFO", "replication"});
  // The second replica is still waiting for a companion: the third one ends the wait.
  EXPECT_NE(writer->Call({"INFO", "replication"}).find(waiting), std::string::npos);
  ASSERT_TRUE(Follow(*third, *primary));
  EXPECT_TRUE(InSync(*second, *primary));
  EXPECT_EQ(Digest(*ConnectTo(*second)), Digest(*writer));
}

std::string PairName(const ::testing::TestParamInfo<std::tuple<ServerKind, ServerKind>>& info) {
  return fmt::format("{}_to_{}", test_support::ServerKindName(std::get<0>(info.param)),
                     test_support::ServerKindName(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(
    Pairs, ReplicationTest,
    ::testing::Combine(::testing::Values(ServerKind::kMagnetar, ServerKind::kRedis),
                       ::testing::Values(ServerKind::kMagnetar, ServerKind::kRedis)),
    PairName);

// redis-cli's replication modes against a Magnetar primary: --rdb fetches a snapshot that
// redis-check-rdb accepts, --replica prints the stream.
TEST(RedisCliReplicationTest, RdbAndReplicaModesWork) {
  auto primary = StartKind(ServerKind::kMagnetar);
  ASSERT_TRUE(primary);
  auto writer = ConnectTo(*primary);
  WriteMix(*writer, 1);
  TempDir dir;
  const std::string rdb = dir.path() + "/fetched.rdb";
  const std::string port = std::to_string(primary->port());
  ASSERT_EQ(std::system(fmt::format("redis-cli -p {} --rdb {} >/dev/null 2>&1", port, rdb).c_str()),
            0);
  EXPECT_EQ(std::system(fmt::format("redis-check-rdb {} >/dev/null 2>&1", rdb).c_str()), 0);

  const std::string out = dir.path() + "/stream.txt";
  FILE* cli =
      popen(fmt::format("timeout 5 redis-cli -p {} --replica > {} 2>&1", port, out).c_str(), "r");
  ASSERT_NE(cli, nullptr);
  std::string seen;
  for (int i = 0; i < 400 && seen.find("\"SET\",\"streamed\",\"yes\"") == std::string::npos; ++i) {
    writer->Call({"SET", "streamed", "yes"});
    std::this_thread::sleep_for(10ms);
    FILE* file = fopen(out.c_str(), "r");
    if (file == nullptr) continue;
    char buffer[4096];
    size_t n = fread(buffer, 1, sizeof(buffer), file);
    fclose(file);
    seen.assign(buffer, n);
  }
  EXPECT_NE(seen.find("\"SET\",\"streamed\",\"yes\""), std::string::npos) << seen;
  pclose(cli);
}

}  // namespace
}  // namespace magnetar::e2e
