// RdbWriter against real Redis 7.0: the payload DUMP returns for a value built by commands must be
// what the writer produces for the same value built through the engine's API, byte for byte for
// the encodings whose layout is fixed by the data (strings, intsets, listpacks, quicklists and
// sorted sets in their big encoding, which are written in order). Hash tables and sets in their
// big encodings are written in table order, which differs between the two; those payloads are
// handed back to Redis with RESTORE (with deep payload checks on), which must accept them and hold
// the same value (DEBUG DIGEST-VALUE).
#include "magnetar/persistence/rdb_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "magnetar/engine/encoding_limits.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_format.h"
#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::persistence {
namespace {

using engine::Entry;
using engine::EntryValue;
using engine::ValueType;
using test_support::Escape;
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

struct EntryDeleter {
  void operator()(Entry* entry) const { Entry::Destroy(entry); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

EntryPtr StringEntry(std::string_view value) {
  return EntryPtr(Entry::Create("key", EntryValue::String(value), std::nullopt, 0));
}

EntryPtr ObjectEntry(ValueType type, engine::Object* object) {
  return EntryPtr(Entry::Create("key", EntryValue::Adopt(type, object), std::nullopt, 0));
}

// What the writer produces for `entry` as DUMP's payload: the value, the version, the checksum.
std::string Payload(const Entry& entry) {
  std::string out;
  RdbWriter writer(out, true);
  writer.Value(entry);
  writer.Byte(kRdbVersion & 0xff);
  writer.Byte(kRdbVersion >> 8);
  uint64_t crc = Crc64(0, {reinterpret_cast<const uint8_t*>(out.data()), out.size()});
  for (int i = 0; i < 8; ++i) writer.Byte(static_cast<uint8_t>(crc >> (8 * i)));
  return out;
}

// `prefix` followed by `n`'s digits.
std::string Numbered(std::string_view prefix, int64_t n) {
  std::string text(prefix);
  text += std::to_string(n);
  return text;
}

std::string RandomText(size_t n, uint32_t seed, std::string_view alphabet) {
  std::mt19937 random(seed);
  std::string text(n, ' ');
  for (char& c : text) c = alphabet[random() % alphabet.size()];
  return text;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 random(seed);
  std::string text(n, '\0');
  for (char& c : text) c = static_cast<char>(random());
  return text;
}

class RdbWriterVsRedis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test_support::ServerBinary(ServerKind::kRedis).empty()) return;
    std::string error;
    redis_ =
        ServerProcess::Start(
            {.kind = ServerKind::kRedis,
             .directives = {{"enable-debug-command", "yes"}, {"sanitize-dump-payload", "yes"}}},
            error)
            .release();
    ASSERT_NE(redis_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }

  void SetUp() override {
    if (redis_ == nullptr) GTEST_SKIP() << "redis-server not found";
    ASSERT_TRUE(client_.Connect(redis_->port())) << client_.error();
    ASSERT_EQ(Call({"FLUSHALL"}), "+OK\r\n");
  }

  std::string Call(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return client_.Call(views);
  }

  // Runs `args` on Redis, expecting no error.
  void Run(const std::vector<std::string>& args) {
    std::string reply = Call(args);
    ASSERT_FALSE(reply.empty()) << client_.error();
    ASSERT_NE(reply[0], '-') << args[0] << ": " << reply;
  }

  // Redis's DUMP of `key`: the payload without the bulk string's framing.
  std::string Dump(const std::string& key) {
    std::string reply = Call({"DUMP", key});
    size_t header_end = reply.find("\r\n");
    if (reply.empty() || reply[0] != '$' || header_end == std::string::npos) return "";
    size_t length = std::stoul(reply.substr(1, header_end - 1));
    return reply.substr(header_end + 2, length);
  }

  // Expects Redis's DUMP of "key" to equal the writer's payload for `entry`.
  void ExpectSameDump(const Entry& entry, const std::string& what) {
    std::string redis = Dump("key");
    std::string ours = Payload(entry);
    ASSERT_FALSE(redis.empty()) << what;
    if (ours == redis) return;
    // Payloads run to hundreds of KB: show where they part.
    size_t at = 0;
    while (at < ours.size() && at < redis.size() && ours[at] == redis[at]) ++at;
    size_t from = at < 32 ? 0 : at - 32;
    ADD_FAILURE() << what << ": " << ours.size() << " bytes written, Redis's DUMP has "
                  << redis.size() << "; they differ from byte " << at
                  << ":\n  ours:  " << Escape(ours.substr(from, 96))
                  << "\n  Redis: " << Escape(redis.substr(from, 96));
  }

  // Expects Redis to RESTORE the writer's payload for `entry` as a value equal to "key"'s, and
  // the two payloads to start with the same type byte and be the same length.
  void ExpectRestoresEqual(const Entry& entry, const std::string& what) {
    std::string redis = Dump("key");
    std::string ours = Payload(entry);
    ASSERT_FALSE(redis.empty()) << what;
    EXPECT_EQ(ours[0], redis[0]) << what;
    EXPECT_EQ(ours.size(), redis.size()) << what;
    ASSERT_EQ(Call({"RESTORE", "ours", "0", ours}), "+OK\r\n") << what;
    EXPECT_EQ(Call({"DEBUG", "DIGEST-VALUE", "ours"}), Call({"DEBUG", "DIGEST-VALUE", "key"}))
        << what;
  }

  // RPUSHes `elements` on Redis with list-max-listpack-size `fill` and onto a ListValue, and
  // expects the same payloads.
  void ExpectSameList(const std::string& what, const std::vector<std::string>& elements,
                      int64_t fill = -2) {
    Run({"DEL", "key"});
    Run({"CONFIG", "SET", "list-max-listpack-size", std::to_string(fill)});
    auto* list = new engine::ListValue();
    EntryPtr entry = ObjectEntry(ValueType::kList, list);
    for (const std::string& element : elements) {
      Run({"RPUSH", "key", element});
      list->Push(engine::ListValue::End::kTail, element, fill);
    }
    Run({"CONFIG", "SET", "list-max-listpack-size", "-2"});
    ExpectSameDump(*entry, what);
  }

  std::string ObjectEncoding(const std::string& key) { return Call({"OBJECT", "ENCODING", key}); }

  static ServerProcess* redis_;
  RespClient client_;
  engine::EncodingLimits limits_;
};

ServerProcess* RdbWriterVsRedis::redis_ = nullptr;

TEST_F(RdbWriterVsRedis, Strings) {
  std::vector<std::string> values = {
      "",
      "0",
      "-1",
      "127",
      "-128",
      "128",
      "12345",
      "-32768",
      "32768",
      "2147483647",
      "-2147483648",
      "2147483648",
      "12345678901",
      "9223372036854775807",
      "-9223372036854775808",
      "99999999999999999999",
      "012",
      "+5",
      "-0",
      " 1",
      "1.5",
      "hello",
      std::string(20, 'x'),
      std::string(21, 'x'),
      std::string(24, 'y'),
      "the quick brown fox jumps over the lazy dog",
      std::string(64, 'a'),
      std::string(65, 'b'),
      std::string(100000, 'z'),
      RandomText(1000, 1, "ab"),
      RandomText(30000, 2, "abcdefghij"),
      RandomBytes(200, 3),
      RandomBytes(21, 4),
      RandomText(9000, 5, "0123456789") + RandomText(9000, 5, "0123456789")};
  for (const std::string& value : values) {
    Run({"SET", "key", value});
    ExpectSameDump(*StringEntry(value), "SET " + Escape(value.substr(0, 40)));
  }
}

// Many strings of every size up to a few KB over alphabets from 2 to 256 letters, with repeated
// stretches: the compressor's choices (matches, literal runs, giving up) must all be liblzf's.
TEST_F(RdbWriterVsRedis, StringsCompressAsRedisCompresses) {
  std::mt19937 random(2026);
  for (int round = 0; round < 400; ++round) {
    size_t size = 21 + random() % (round < 200 ? 200 : 5000);
    std::string alphabet;
    for (size_t i = 0, n = 2 + random() % 255; i < n; ++i) alphabet.push_back(static_cast<char>(i));
    std::string value = RandomText(size, round, alphabet);
    // Copy some earlier stretches over later ones, near and far.
    for (int copies = random() % 20; copies > 0; --copies) {
      size_t length = 3 + random() % 300;
      if (length >= value.size()) continue;
      size_t from = random() % (value.size() - length);
      size_t to = random() % (value.size() - length);
      value.replace(to, length, value.substr(from, length));
    }
    Run({"SET", "key", value});
    ExpectSameDump(*StringEntry(value), Numbered("random string of round ", round));
  }
}

TEST_F(RdbWriterVsRedis, ListsAsQuicklists) {
  ExpectSameList("small", {"a", "1", "-7", "12345678901234", "hello world", ""});
  ExpectSameList("a big element in a node of its own",
                 {"a", std::string(10000, 'q'), "b", RandomText(9000, 6, "xyz"), "c"});
  std::vector<std::string> twenty;
  for (int i = 0; i < 23; ++i) twenty.push_back(Numbered("value", i));
  ExpectSameList("nodes of 5 elements", twenty, 5);
}

// Redis 7.0.15 lets an element into a node when the node's bytes, the element's length and 8 (its
// estimate of an entry's overhead) stay within the limit: a node near 8 KB may refuse an element
// whose exact entry would still fit.
TEST_F(RdbWriterVsRedis, ListNodesFillAsRedisEstimates) {
  std::vector<std::string> many;
  for (int i = 0; i < 3000; ++i) {
    many.push_back(i % 3 ? Numbered("element-", i) : std::to_string(i * 7919));
  }
  ExpectSameList("several 8 KB nodes", many);
}

TEST_F(RdbWriterVsRedis, ListsPushedAtBothEnds) {
  auto* list = new engine::ListValue();
  EntryPtr entry = ObjectEntry(ValueType::kList, list);
  for (int i = 0; i < 2000; ++i) {
    std::string element = Numbered("item", i * 31 % 1000);
    bool head = i % 3 == 0;
    Run({head ? "LPUSH" : "RPUSH", "key", element});
    list->Push(head ? engine::ListValue::End::kHead : engine::ListValue::End::kTail, element, -2);
  }
  ExpectSameDump(*entry, "LPUSH and RPUSH");
}

TEST_F(RdbWriterVsRedis, HashesAsListpacks) {
  auto* hash = new engine::HashValue();
  EntryPtr entry = ObjectEntry(ValueType::kHash, hash);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", "magnetar"},           {"1", "2"},
      {"count", "-123456"},           {"empty", ""},
      {"long", std::string(60, 'l')}, {"name", "replaced"},
      {"big", "12345678901234567890"}};
  for (int i = 0; i < 100; ++i) fields.push_back({Numbered("field", i), std::to_string(i * i)});
  for (const auto& [field, value] : fields) {
    Run({"HSET", "key", field, value});
    hash->Set(field, value, limits_);
  }
  ASSERT_EQ(ObjectEncoding("key"), "$8\r\nlistpack\r\n");
  ASSERT_TRUE(hash->IsListpack());
  ExpectSameDump(*entry, "listpack hash");
}

TEST_F(RdbWriterVsRedis, HashesAsTables) {
  auto* hash = new engine::HashValue();
  EntryPtr entry = ObjectEntry(ValueType::kHash, hash);
  for (int i = 0; i < 700; ++i) {
    std::string field = Numbered("field:", i);
    std::string value = i % 2 ? std::to_string(i) : RandomText(30 + i % 50, i, "ab");
    Run({"HSET", "key", field, value});
    hash->Set(field, value, limits_);
  }
  ASSERT_EQ(ObjectEncoding("key"), "$9\r\nhashtable\r\n");
  ASSERT_FALSE(hash->IsListpack());
  ExpectRestoresEqual(*entry, "hashtable hash");
}

TEST_F(RdbWriterVsRedis, SetsAsIntsets) {
  std::vector<std::vector<std::string>> cases = {
      {"1", "2", "3"}, {"-5", "100000", "7"}, {"9223372036854775807", "-1", "0", "42"}};
  for (const auto& members : cases) {
    Run({"DEL", "key"});
    auto* set = new engine::SetValue();
    EntryPtr entry = ObjectEntry(ValueType::kSet, set);
    for (const std::string& member : members) {
      Run({"SADD", "key", member});
      set->Add(member, limits_.set_max_intset_entries);
    }
    ASSERT_TRUE(set->is_intset());
    ExpectSameDump(*entry, "intset of " + members[0]);
  }
  // Big enough to be compressed.
  Run({"DEL", "key"});
  auto* set = new engine::SetValue();
  EntryPtr entry = ObjectEntry(ValueType::kSet, set);
  for (int i = 0; i < 400; ++i) {
    Run({"SADD", "key", std::to_string(i * 3)});
    set->Add(std::to_string(i * 3), limits_.set_max_intset_entries);
  }
  ExpectSameDump(*entry, "intset of 400");
}

TEST_F(RdbWriterVsRedis, SetsAsTables) {
  auto* set = new engine::SetValue();
  EntryPtr entry = ObjectEntry(ValueType::kSet, set);
  for (int i = 0; i < 300; ++i) {
    std::string member = i % 4 ? Numbered("member-", i) : std::to_string(i);
    Run({"SADD", "key", member});
    set->Add(member, limits_.set_max_intset_entries);
  }
  ASSERT_FALSE(set->is_intset());
  ExpectRestoresEqual(*entry, "hashtable set");
}

// ZADD's arguments for `elements` (member, score text) and the engine's scores.
void BuildZSet(engine::ZSetValue& zset, const engine::EncodingLimits& limits,
               const std::vector<std::pair<std::string, std::string>>& elements,
               std::vector<std::string>& zadd) {
  zadd = {"ZADD", "key"};
  for (const auto& [member, score] : elements) {
    zadd.push_back(score);
    zadd.push_back(member);
    zset.Set(member, std::strtod(score.c_str(), nullptr), limits);
  }
}

TEST_F(RdbWriterVsRedis, SortedSetsAsListpacks) {
  std::vector<std::pair<std::string, std::string>> elements = {{"a", "1"},
                                                               {"b", "2.5"},
                                                               {"c", "-inf"},
                                                               {"d", "inf"},
                                                               {"e", "1e300"},
                                                               {"f", "-0.1"},
                                                               {"g", "1"},
                                                               {"h", "0"},
                                                               {"i", "123456789012"},
                                                               {"j", "3.14159"},
                                                               {"17", "4611686018427387904"},
                                                               {"k", "-4611686018427387903"}};
  auto* zset = new engine::ZSetValue();
  EntryPtr entry = ObjectEntry(ValueType::kZSet, zset);
  std::vector<std::string> zadd;
  BuildZSet(*zset, limits_, elements, zadd);
  Run(zadd);
  ASSERT_TRUE(zset->IsListpack());
  ExpectSameDump(*entry, "listpack zset");
}

TEST_F(RdbWriterVsRedis, SortedSetsAsSkiplists) {
  std::vector<std::pair<std::string, std::string>> elements;
  for (int i = 0; i < 300; ++i) {
    elements.push_back({Numbered("player:", i), std::to_string((i * 37) % 101) + ".25"});
  }
  elements.push_back({std::string(100, 'm'), "7"});
  elements.push_back({"12345", "-inf"});
  auto* zset = new engine::ZSetValue();
  EntryPtr entry = ObjectEntry(ValueType::kZSet, zset);
  std::vector<std::string> zadd;
  BuildZSet(*zset, limits_, elements, zadd);
  Run(zadd);
  ASSERT_FALSE(zset->IsListpack());
  ASSERT_EQ(ObjectEncoding("key"), "$8\r\nskiplist\r\n");
  // Written from the highest rank down, as Redis does: the same bytes.
  ExpectSameDump(*entry, "skiplist zset");
}

// A whole file written with the writer, loaded by Redis at startup: the framing, the metadata
// opcodes and the checksum must all be what Redis expects.
TEST(RdbWriterFile, RedisLoadsAFileWrittenByTheWriter) {
  if (test_support::ServerBinary(ServerKind::kRedis).empty()) GTEST_SKIP() << "no redis-server";
  engine::EncodingLimits limits;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EntryPtr plain(Entry::Create("plain", EntryValue::String("value"), std::nullopt, 0));
  EntryPtr expiring(
      Entry::Create("expiring", EntryValue::String(std::string(300, 'e')), now_ms + 3'600'000, 0));
  auto* list = new engine::ListValue();
  for (int i = 0; i < 1000; ++i) list->Push(engine::ListValue::End::kTail, Numbered("l", i), -2);
  EntryPtr list_entry(Entry::Create("list", EntryValue::Adopt(ValueType::kList, list), {}, 0));
  auto* hash = new engine::HashValue();
  for (int i = 0; i < 600; ++i) hash->Set(Numbered("f", i), Numbered("v", i), limits);
  EntryPtr hash_entry(Entry::Create("hash", EntryValue::Adopt(ValueType::kHash, hash), {}, 0));
  auto* zset = new engine::ZSetValue();
  for (int i = 0; i < 200; ++i) zset->Set(Numbered("m", i), i * 0.5, limits);
  EntryPtr zset_entry(Entry::Create("zset", EntryValue::Adopt(ValueType::kZSet, zset), {}, 0));
  auto* set = new engine::SetValue();
  for (int i = 0; i < 50; ++i) set->Add(std::to_string(i), limits.set_max_intset_entries);
  EntryPtr set_entry(Entry::Create("set", EntryValue::Adopt(ValueType::kSet, set), {}, 0));

  std::string file;
  RdbWriter writer(file, true);
  writer.Header();
  writer.AuxField("redis-ver", "7.0.15");
  writer.AuxField("redis-bits", int64_t{64});
  writer.AuxField("ctime", now_ms / 1000);
  writer.SelectDb(0);
  writer.ResizeDb(5, 1);
  KeyMetadata idle, deadline, frequency;
  idle.idle_seconds = 10;
  deadline.deadline_ms = now_ms + 3'600'000;
  frequency.lfu_counter = 7;
  writer.Key(*plain, idle);
  writer.Key(*expiring, deadline);
  writer.Key(*list_entry, {});
  writer.Key(*hash_entry, frequency);
  writer.Key(*zset_entry, {});
  writer.SelectDb(3);
  writer.ResizeDb(1, 0);
  writer.Key(*set_entry, {});
  writer.Eof();
  uint64_t crc = Crc64(0, {reinterpret_cast<const uint8_t*>(file.data()), file.size()});
  for (int i = 0; i < 8; ++i) writer.Byte(static_cast<uint8_t>(crc >> (8 * i)));

  std::string directory = (std::filesystem::temp_directory_path() / "rdb-writer-XXXXXX").string();
  ASSERT_NE(::mkdtemp(directory.data()), nullptr);
  std::ofstream(directory + "/writer.rdb", std::ios::binary) << file;
  std::string error;
  std::unique_ptr<ServerProcess> redis =
      ServerProcess::Start({.kind = ServerKind::kRedis,
                            .directives = {{"dir", directory},
                                           {"dbfilename", "writer.rdb"},
                                           {"sanitize-dump-payload", "yes"}}},
                           error);
  ASSERT_NE(redis, nullptr) << error;
  RespClient client;
  ASSERT_TRUE(client.Connect(redis->port())) << client.error();
  EXPECT_EQ(client.Call({"DBSIZE"}), ":5\r\n");
  EXPECT_EQ(client.Call({"GET", "plain"}), "$5\r\nvalue\r\n");
  EXPECT_EQ(client.Call({"STRLEN", "expiring"}), ":300\r\n");
  std::string ttl = client.Call({"PTTL", "expiring"});
  ASSERT_GT(ttl.size(), 3u);
  EXPECT_GT(std::stoll(ttl.substr(1)), 3'000'000) << ttl;
  EXPECT_EQ(client.Call({"LLEN", "list"}), ":1000\r\n");
  EXPECT_EQ(client.Call({"LINDEX", "list", "777"}), "$4\r\nl777\r\n");
  EXPECT_EQ(client.Call({"HLEN", "hash"}), ":600\r\n");
  EXPECT_EQ(client.Call({"HGET", "hash", "f599"}), "$4\r\nv599\r\n");
  EXPECT_EQ(client.Call({"ZCARD", "zset"}), ":200\r\n");
  EXPECT_EQ(client.Call({"ZSCORE", "zset", "m199"}), "$4\r\n99.5\r\n");
  EXPECT_EQ(client.Call({"SELECT", "3"}), "+OK\r\n");
  EXPECT_EQ(client.Call({"SCARD", "set"}), ":50\r\n");
  redis->Stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
}

// The framing, against the format's definition.
TEST(RdbWriter, WritesTheFraming) {
  std::string out;
  RdbWriter writer(out, true);
  writer.Header();
  writer.AuxField("redis-bits", int64_t{64});
  writer.AuxField("redis-ver", "7.0.15");
  writer.SelectDb(0);
  writer.ResizeDb(3, 1);
  EntryPtr entry = StringEntry("v");
  writer.Key(*entry, {.deadline_ms = 0x0102030405060708, .idle_seconds = 300, .lfu_counter = 5});
  writer.Key(*entry, {});
  writer.Eof();
  // Built piece by piece: a "\x00" inside a literal would end it.
  std::string expected = "REDIS0010";
  expected += "\xfa\x0aredis-bits\xc0\x40";
  expected +=
      "\xfa\x09redis-ver\x06"
      "7.0.15";
  expected += std::string("\xfe\x00\xfb\x03\x01", 5);
  expected += "\xfc\x08\x07\x06\x05\x04\x03\x02\x01\xf8\x41\x2c\xf9\x05";
  expected += std::string("\x00\x03key\x01v", 7);
  expected += std::string("\x00\x03key\x01v", 7);
  expected += "\xff";
  EXPECT_EQ(Escape(out), Escape(expected));
}

TEST(RdbWriter, WritesLengthsInTheirFourSizes) {
  auto length = [](uint64_t n) {
    std::string out;
    RdbWriter(out, true).Length(n);
    return out;
  };
  EXPECT_EQ(length(0), std::string(1, '\0'));
  EXPECT_EQ(length(63), "\x3f");
  EXPECT_EQ(length(64), "\x40\x40");
  EXPECT_EQ(length(16383), "\x7f\xff");
  EXPECT_EQ(length(16384), std::string("\x80\x00\x00\x40\x00", 5));
  EXPECT_EQ(length(UINT32_MAX), "\x80\xff\xff\xff\xff");
  EXPECT_EQ(length(uint64_t{1} << 32), std::string("\x81\x00\x00\x00\x01\x00\x00\x00\x00", 9));
}

TEST(RdbWriter, IntegersAndCompressionFollowTheSwitches) {
  std::string out;
  RdbWriter plain(out, false);
  plain.String(std::string(30, 'x'));
  std::string verbatim(1, '\x1e');
  verbatim.append(30, 'x');
  EXPECT_EQ(out, verbatim) << "rdbcompression no";
  out.clear();
  plain.Integer(-129);
  EXPECT_EQ(out, "\xc1\x7f\xff");
  out.clear();
  plain.Integer(int64_t{1} << 40);
  EXPECT_EQ(out,
            "\x0d"
            "1099511627776");
}

}  // namespace
}  // namespace magnetar::persistence
