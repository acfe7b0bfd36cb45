// DUMP on one server, RESTORE on the other: payloads move between magnetar-server and Redis 7.0 in
// both directions for every type and encoding, and the restored value is the same (DEBUG
// DIGEST-VALUE, which both compute alike, and OBJECT ENCODING). Both servers deep-validate
// payloads (sanitize-dump-payload yes), so a payload that is readable but malformed inside fails
// here instead of loading.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::e2e {
namespace {

using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

// One server and a client to it.
struct Node {
  std::unique_ptr<ServerProcess> server;
  RespClient client;

  std::string Call(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return client.Call(views);
  }
};

// The payload of a bulk reply; empty for anything else.
std::string BulkPayload(const std::string& reply) {
  size_t header_end = reply.find("\r\n");
  if (reply.empty() || reply[0] != '$' || header_end == std::string::npos) return "";
  return reply.substr(header_end + 2, std::stoul(reply.substr(1, header_end - 1)));
}

std::vector<std::string> Numbered(std::string_view prefix, int count, int repeat = 1) {
  std::vector<std::string> items;
  for (int i = 0; i < count; ++i) {
    std::string item;
    for (int r = 0; r < repeat; ++r) item += std::string(prefix) + std::to_string(i);
    items.push_back(item);
  }
  return items;
}

// A command with arguments built from a fixed head and generated elements.
std::vector<std::string> Command(std::vector<std::string> head,
                                 const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// Members with a score each: "score member" pairs for ZADD.
std::vector<std::string> Scored(const std::vector<std::string>& members) {
  static constexpr std::string_view kScores[] = {"1", "-2.5", "0.1", "inf", "-inf", "1e300", "7"};
  std::vector<std::string> pairs;
  for (size_t i = 0; i < members.size(); ++i) {
    pairs.emplace_back(kScores[i % std::size(kScores)]);
    pairs.push_back(members[i]);
  }
  return pairs;
}

// The same values, one key per type and encoding, on each server.
const std::vector<std::vector<std::string>>& Dataset() {
  static const auto* dataset = new std::vector<std::vector<std::string>>{
      {"SET", "int", "-9223372036854775808"},
      {"SET", "small", "12"},
      {"SET", "embstr", "hello"},
      {"SET", "raw", std::string(300, 'z')},
      {"SET", "binary", std::string("\x00\xff\r\n", 4) + std::string(50, '\x01')},
      {"SET", "empty", ""},
      Command({"RPUSH", "listpack"}, {"a", "1", "-3", "100000", ""}),
      Command({"RPUSH", "quicklist"}, Numbered("element-", 3000)),
      Command({"RPUSH", "bigitems"}, Numbered("long", 5, 2000)),
      Command({"HSET", "hash"}, {"f1", "v1", "f2", "2"}),
      Command({"HSET", "bighash"}, Numbered("field", 1000)),
      Command({"HSET", "longvalues"}, {"f", std::string(100, 'v')}),
      Command({"SADD", "intset"}, {"1", "-70000", "5000000000"}),
      Command({"SADD", "bigintset"}, Numbered("", 1000)),
      Command({"SADD", "words"}, Numbered("w", 100)),
      Command({"ZADD", "zset"}, Scored(Numbered("m", 7))),
      Command({"ZADD", "skiplist"}, Scored(Numbered("member", 300))),
      Command({"ZADD", "longmembers"}, Scored(Numbered("m", 5, 40))),
  };
  return *dataset;
}

class DumpRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (ServerKind kind : {ServerKind::kMagnetar, ServerKind::kRedis}) {
      if (test_support::ServerBinary(kind).empty()) {
        GTEST_SKIP() << test_support::ServerKindName(kind) << " binary not found";
      }
    }
    Start(magnetar_, ServerKind::kMagnetar);
    Start(redis_, ServerKind::kRedis);
  }

  void Start(Node& node, ServerKind kind) {
    std::string error;
    node.server = ServerProcess::Start(
        {.kind = kind,
         .directives = {{"enable-debug-command", "yes"}, {"sanitize-dump-payload", "yes"}}},
        error);
    ASSERT_NE(node.server, nullptr) << error;
    ASSERT_TRUE(node.client.Connect(node.server->port())) << node.client.error();
  }

  // Builds the dataset on `from`, restores every key's DUMP on `to` under "copy:<key>", and
  // checks the copy against the original.
  void MoveEveryKey(Node& from, Node& to) {
    for (const auto& command : Dataset())
      ASSERT_EQ(from.Call(command)[0], command[0] == "SET" ? '+' : ':');
    for (const auto& command : Dataset()) {
      const std::string& key = command[1];
      SCOPED_TRACE(key);
      std::string payload = BulkPayload(from.Call({"DUMP", key}));
      ASSERT_FALSE(payload.empty());
      std::string copy = "copy:" + key;
      ASSERT_EQ(to.Call({"RESTORE", copy, "0", payload}), "+OK\r\n");
      EXPECT_EQ(to.Call({"DEBUG", "DIGEST-VALUE", copy}),
                from.Call({"DEBUG", "DIGEST-VALUE", key}));
      EXPECT_EQ(to.Call({"OBJECT", "ENCODING", copy}), from.Call({"OBJECT", "ENCODING", key}));
      // And back again: the copy's payload restores on the first server to the same value.
      std::string back = BulkPayload(to.Call({"DUMP", copy}));
      ASSERT_EQ(from.Call({"RESTORE", copy, "0", back}), "+OK\r\n");
      EXPECT_EQ(from.Call({"DEBUG", "DIGEST-VALUE", copy}),
                from.Call({"DEBUG", "DIGEST-VALUE", key}));
    }
  }

  Node magnetar_;
  Node redis_;
};

TEST_F(DumpRestoreTest, RedisPayloadsRestoreOnMagnetar) { MoveEveryKey(redis_, magnetar_); }

TEST_F(DumpRestoreTest, MagnetarPayloadsRestoreOnRedis) { MoveEveryKey(magnetar_, redis_); }

// Compact encodings serialize to the same bytes on both servers (hash tables list their elements
// in table order, which differs, and so are left out).
TEST_F(DumpRestoreTest, CompactEncodingsDumpToRedissBytes) {
  for (const auto& command : Dataset()) {
    magnetar_.Call(command);
    redis_.Call(command);
  }
  for (std::string key :
       {"int", "small", "embstr", "raw", "binary", "empty", "listpack", "bigitems", "hash",
        "longvalues", "intset", "zset", "skiplist", "longmembers"}) {
    EXPECT_EQ(magnetar_.Call({"DUMP", key}), redis_.Call({"DUMP", key})) << key;
  }
}

}  // namespace
}  // namespace magnetar::e2e
