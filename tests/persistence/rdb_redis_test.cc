// The reader and loader against what real Redis 7.0 writes: DUMP payloads of every type and
// encoding Redis produces, and a dump.rdb saved by redis-server. Skipped when redis-server is not
// installed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "magnetar/engine/keyspace.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_format.h"
#include "magnetar/persistence/rdb_loader.h"
#include "magnetar/persistence/rdb_reader.h"
#include "persistence/rdb_payloads.h"
#include "support/resp_client.h"
#include "support/server_process.h"

namespace magnetar::persistence {
namespace {

using namespace rdb_test;  // NOLINT: the content readers
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

constexpr int64_t kFarDeadline = 4102444800000;  // 2100-01-01

class RedisRdb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test_support::ServerBinary(ServerKind::kRedis).empty()) return;
    std::string error;
    server_ =
        ServerProcess::Start(
            {.kind = ServerKind::kRedis, .directives = {{"enable-debug-command", "yes"}}}, error)
            .release();
    ASSERT_NE(server_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "redis-server not found";
    ASSERT_TRUE(client_.Connect(server_->port())) << client_.error();
  }

  // Runs a command, expecting no error reply.
  std::string Run(std::vector<std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string reply = client_.Call(views);
    EXPECT_FALSE(reply.empty() || reply[0] == '-') << args[0] << ": " << reply;
    return reply;
  }

  // DUMP's payload without its footer, after checking the footer's version and checksum.
  std::string Dump(const std::string& key) {
    std::string reply = Run({"DUMP", key});
    size_t eol = reply.find("\r\n");
    EXPECT_EQ(reply[0], '$');
    size_t length = std::stoul(reply.substr(1, eol - 1));
    std::string payload = reply.substr(eol + 2, length);
    EXPECT_GE(payload.size(), kDumpFooterBytes + 1);
    size_t body = payload.size() - 8;
    EXPECT_EQ(payload.substr(body - 2, 2), std::string("\x0A\x00", 2));
    uint64_t crc = 0;
    for (int i = 7; i >= 0; --i) crc = crc << 8 | static_cast<uint8_t>(payload[body + i]);
    EXPECT_EQ(Crc64(0, AsBytes(std::string_view(payload).substr(0, body))), crc);
    return payload.substr(0, payload.size() - kDumpFooterBytes);
  }

  // Decodes a DUMP of `key`, expecting type byte `type` and every byte consumed.
  LoadedValue Restore(const std::string& key, uint8_t type, Validation validation) {
    std::string payload = Dump(key);
    EXPECT_EQ(static_cast<uint8_t>(payload[0]), type) << key;
    MemoryRdbInput in(AsBytes(std::string_view(payload).substr(1)));
    engine::EncodingLimits limits;
    RdbReader reader(in, limits, validation);
    std::optional<LoadedValue> value = reader.Value(type);
    EXPECT_TRUE(value) << key << ": " << reader.error();
    EXPECT_EQ(in.Remaining(), 0u) << key;
    if (!value) return {};
    if (payload.size() < 3000) {
      for (size_t cut = 1; cut + 1 < payload.size(); ++cut) {
        MemoryRdbInput part(AsBytes(std::string_view(payload).substr(1, cut)));
        RdbReader partial(part, limits, validation);
        EXPECT_FALSE(partial.Value(type)) << key << " cut at " << cut;
      }
    }
    return std::move(*value);
  }

  static ServerProcess* server_;
  RespClient client_;
};

ServerProcess* RedisRdb::server_ = nullptr;

std::string Numbered(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

TEST_F(RedisRdb, DecodesDumpsOfStrings) {
  std::string text(2000, 'x');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<char>('a' + i % 26);
  Run({"SET", "small", "hello"});
  Run({"SET", "int", "123456"});
  Run({"SET", "negative", "-70000"});
  Run({"SET", "long", text});
  for (Validation v : {Validation::kShallow, Validation::kDeep}) {
    EXPECT_EQ(Restore("small", kRdbString, v).string, "hello");
    EXPECT_EQ(Restore("int", kRdbString, v).string, "123456");
    EXPECT_EQ(Restore("negative", kRdbString, v).string, "-70000");
    EXPECT_EQ(Restore("long", kRdbString, v).string, text);
  }
}

TEST_F(RedisRdb, DecodesDumpsOfLists) {
  std::vector<std::string> small = {"a", "17", "-3", "bb", std::string(100, 'c')};
  std::vector<std::string> args = {"RPUSH", "list:small"};
  args.insert(args.end(), small.begin(), small.end());
  Run(args);
  std::vector<std::string> big;
  for (int i = 0; i < 3000; ++i) big.push_back(Numbered("element-number-", i));
  args = {"RPUSH", "list:big"};
  args.insert(args.end(), big.begin(), big.end());
  Run(args);
  // Compressed interior nodes are saved LZF-compressed.
  Run({"CONFIG", "SET", "list-compress-depth", "1"});
  args[1] = "list:compressed";
  Run(args);
  Run({"CONFIG", "SET", "list-compress-depth", "0"});
  // An element over the packed threshold gets a plain node.
  Run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"});
  Run({"RPUSH", "list:plain", "a", std::string(300, 'p'), "b"});
  Run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824"});
  for (Validation v : {Validation::kShallow, Validation::kDeep}) {
    EXPECT_EQ(ListContents(*Restore("list:small", kRdbListQuicklist2, v).object), small);
    LoadedValue loaded = Restore("list:big", kRdbListQuicklist2, v);
    EXPECT_EQ(ListContents(*loaded.object), big);
    EXPECT_GT(static_cast<const engine::ListValue&>(*loaded.object).node_count(), 1u);
    EXPECT_EQ(ListContents(*Restore("list:compressed", kRdbListQuicklist2, v).object), big);
    EXPECT_EQ(ListContents(*Restore("list:plain", kRdbListQuicklist2, v).object),
              (std::vector<std::string>{"a", std::string(300, 'p'), "b"}));
  }
}

TEST_F(RedisRdb, DecodesDumpsOfHashes) {
  std::map<std::string, std::string> small = {{"f", "v"}, {"n", "12"}, {"e", ""}};
  Run({"HSET", "hash:small", "f", "v", "n", "12", "e", ""});
  std::map<std::string, std::string> big;
  std::vector<std::string> args = {"HSET", "hash:big"};
  for (int i = 0; i < 600; ++i) {
    big[Numbered("field", i)] = Numbered("value", i * 7);
    args.push_back(Numbered("field", i));
    args.push_back(Numbered("value", i * 7));
  }
  Run(args);
  for (Validation v : {Validation::kShallow, Validation::kDeep}) {
    LoadedValue s = Restore("hash:small", kRdbHashListpack, v);
    EXPECT_EQ(HashContents(*s.object), small);
    EXPECT_EQ(s.object->EncodingName(), "listpack");
    LoadedValue b = Restore("hash:big", kRdbHash, v);
    EXPECT_EQ(HashContents(*b.object), big);
    EXPECT_EQ(b.object->EncodingName(), "hashtable");
  }
}

TEST_F(RedisRdb, DecodesDumpsOfSets) {
  Run({"SADD", "set:ints", "5", "-3", "100000", "9000000000"});
  Run({"SADD", "set:words", "x", "y", "12"});
  std::set<std::string> many;
  std::vector<std::string> args = {"SADD", "set:many"};
  for (int i = 0; i < 600; ++i) {
    many.insert(std::to_string(i * 3));
    args.push_back(std::to_string(i * 3));
  }
  Run(args);
  for (Validation v : {Validation::kShallow, Validation::kDeep}) {
    LoadedValue ints = Restore("set:ints", kRdbSetIntset, v);
    EXPECT_EQ(SetContents(*ints.object),
              (std::set<std::string>{"5", "-3", "100000", "9000000000"}));
    EXPECT_EQ(ints.object->EncodingName(), "intset");
    EXPECT_EQ(SetContents(*Restore("set:words", kRdbSet, v).object),
              (std::set<std::string>{"x", "y", "12"}));
    LoadedValue m = Restore("set:many", kRdbSet, v);
    EXPECT_EQ(SetContents(*m.object), many);
    EXPECT_EQ(m.object->EncodingName(), "hashtable");
  }
}

TEST_F(RedisRdb, DecodesDumpsOfSortedSets) {
  Run({"ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "+inf", "d", "3", "e"});
  std::vector<std::pair<std::string, double>> big;
  std::vector<std::string> args = {"ZADD", "zset:big"};
  for (int i = 0; i < 200; ++i) {
    big.emplace_back(Numbered("member", 1000 + i), i * 0.5);
    args.push_back(std::to_string(i * 0.5));
    args.push_back(Numbered("member", 1000 + i));
  }
  Run(args);
  for (Validation v : {Validation::kShallow, Validation::kDeep}) {
    LoadedValue s = Restore("zset:small", kRdbZSetListpack, v);
    EXPECT_EQ(ZSetContents(*s.object),
              (std::vector<std::pair<std::string, double>>{
                  {"c", -HUGE_VAL}, {"a", 1}, {"b", 2.5}, {"e", 3}, {"d", HUGE_VAL}}));
    LoadedValue b = Restore("zset:big", kRdbZSet2, v);
    EXPECT_EQ(ZSetContents(*b.object), big);
    EXPECT_EQ(b.object->EncodingName(), "skiplist");
  }
}

TEST_F(RedisRdb, SurvivesBitFlipsInRealPayloads) {
  std::vector<std::string> args = {"RPUSH", "flip:list"};
  for (int i = 0; i < 300; ++i) args.push_back(Numbered("e", i % 50 == 0 ? -i : i));
  Run(args);
  Run({"HSET", "flip:hash", "a", "1", "bb", "22", "ccc", "x"});
  Run({"SADD", "flip:intset", "1", "200", "70000", "-5"});
  Run({"ZADD", "flip:zset", "1", "a", "2.5", "b", "-3", "c"});
  Run({"SET", "flip:lzf", std::string(300, 'r') + "tail"});
  std::mt19937_64 random(99);
  engine::EncodingLimits limits;
  for (const char* key : {"flip:list", "flip:hash", "flip:intset", "flip:zset", "flip:lzf"}) {
    std::string payload = Dump(key);
    for (int round = 0; round < 3000; ++round) {
      std::string bent = payload;
      // The type byte stays: flipping it tests the dispatch, not the decoders.
      bent[1 + random() % (bent.size() - 1)] ^= static_cast<char>(1 << (random() % 8));
      for (Validation v : {Validation::kShallow, Validation::kDeep}) {
        MemoryRdbInput in(AsBytes(std::string_view(bent).substr(1)));
        RdbReader reader(in, limits, v);
        std::optional<LoadedValue> value = reader.Value(static_cast<uint8_t>(bent[0]));
        if (!value) {
          EXPECT_FALSE(reader.error().empty());
        }
      }
    }
  }
}

TEST_F(RedisRdb, LoadsADumpRdbSavedByRedis) {
  Run({"FLUSHALL"});
  std::string text(500, 'q');
  for (size_t i = 0; i < text.size(); i += 5) text[i] = static_cast<char>('a' + i % 26);
  Run({"SET", "plain", "value"});
  Run({"SET", "number", "42"});
  Run({"SET", "compressible", text});
  Run({"RPUSH", "list", "a", "b", "3"});
  Run({"HSET", "hash", "f", "v"});
  Run({"SADD", "set", "1", "2"});
  Run({"SADD", "words", "x"});
  Run({"ZADD", "zset", "1.5", "m"});
  Run({"SET", "expiring", "soon", "PXAT", std::to_string(kFarDeadline)});
  Run({"SELECT", "3"});
  Run({"SET", "plain", "in three"});
  Run({"HSET", "hash", "g", "w"});
  Run({"PEXPIREAT", "hash", std::to_string(kFarDeadline + 1)});
  Run({"SELECT", "15"});
  for (int i = 0; i < 1000; ++i) Run({"SET", Numbered("key:", i), Numbered("value:", i)});
  Run({"SAVE"});

  std::string path = server_->directory() + "/dump.rdb";
  for (bool skip_expired : {false, true}) {
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0) << path;
    struct stat st {};
    ASSERT_EQ(::fstat(fd, &st), 0);
    FileRdbInput in(fd, static_cast<uint64_t>(st.st_size));
    engine::Keyspace keyspace(16);
    RdbLoadOptions options;
    options.skip_expired = skip_expired;
    // Past both deadlines: with skip_expired they are not loaded.
    options.now_ms = kFarDeadline + 10;
    RdbLoadResult result = LoadRdb(in, keyspace, options);
    ::close(fd);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.version, 10);
    EXPECT_EQ(result.keys_expired, skip_expired ? 2u : 0u);
    EXPECT_EQ(result.keys_loaded, skip_expired ? 1009u : 1011u);
    bool has_version = false;
    for (const auto& [key, value] : result.aux) has_version |= key == "redis-ver";
    EXPECT_TRUE(has_version);

    engine::Database& db0 = keyspace.db(0);
    EXPECT_EQ(db0.Peek("plain")->string().view(), "value");
    EXPECT_EQ(db0.Peek("number")->string().view(), "42");
    EXPECT_EQ(db0.Peek("compressible")->string().view(), text);
    EXPECT_EQ(ListContents(*db0.Peek("list")->object()), (std::vector<std::string>{"a", "b", "3"}));
    EXPECT_EQ(HashContents(*db0.Peek("hash")->object()),
              (std::map<std::string, std::string>{{"f", "v"}}));
    EXPECT_EQ(SetContents(*db0.Peek("set")->object()), (std::set<std::string>{"1", "2"}));
    EXPECT_EQ(SetContents(*db0.Peek("words")->object()), (std::set<std::string>{"x"}));
    EXPECT_EQ(ZSetContents(*db0.Peek("zset")->object()),
              (std::vector<std::pair<std::string, double>>{{"m", 1.5}}));
    engine::Database& db3 = keyspace.db(3);
    EXPECT_EQ(db3.Peek("plain")->string().view(), "in three");
    if (skip_expired) {
      EXPECT_EQ(db0.Peek("expiring"), nullptr);
      EXPECT_EQ(db3.Peek("hash"), nullptr);
    } else {
      ASSERT_NE(db0.Peek("expiring"), nullptr);
      EXPECT_EQ(db0.Peek("expiring")->deadline(), kFarDeadline);
      ASSERT_NE(db3.Peek("hash"), nullptr);
      EXPECT_EQ(db3.Peek("hash")->deadline(), kFarDeadline + 1);
    }
    EXPECT_EQ(keyspace.db(15).Size(), 1000u);
    EXPECT_EQ(keyspace.db(15).Peek("key:777")->string().view(), "value:777");
    EXPECT_EQ(keyspace.db(1).Size(), 0u);
  }
}

}  // namespace
}  // namespace magnetar::persistence
