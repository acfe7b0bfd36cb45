#include "magnetar/persistence/rdb_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "magnetar/persistence/lzf.h"
#include "magnetar/persistence/rdb_format.h"
#include "persistence/rdb_payloads.h"

namespace magnetar::persistence {
namespace {

using namespace rdb_test;  // NOLINT: the payload builders
using Pairs = std::vector<std::pair<std::string, double>>;
using StringMap = std::map<std::string, std::string>;
using StringSet = std::set<std::string>;
using Strings = std::vector<std::string>;

struct Decoded {
  std::optional<LoadedValue> value;
  std::string error;
  bool empty = false;
  uint64_t left = 0;  // bytes not consumed
};

Decoded Decode(uint8_t type, std::string_view payload, const engine::EncodingLimits& limits = {},
               Validation validation = Validation::kDeep) {
  MemoryRdbInput in(AsBytes(payload));
  RdbReader reader(in, limits, validation);
  Decoded out;
  out.value = reader.Value(type);
  out.error = std::string(reader.error());
  out.empty = reader.empty_value();
  out.left = in.Remaining();
  return out;
}

std::string_view EncodingOf(const Decoded& d) { return d.value->object->EncodingName(); }

TEST(RdbReader, ReadsLengthsOfEveryWidth) {
  for (uint64_t n : {0ULL, 63ULL, 64ULL, 16383ULL, 16384ULL, 4294967295ULL, 4294967296ULL}) {
    std::string bytes = Len(n);
    MemoryRdbInput in(AsBytes(bytes));
    engine::EncodingLimits limits;
    RdbReader reader(in, limits, Validation::kShallow);
    EXPECT_EQ(reader.Length(), n);
    EXPECT_EQ(in.Remaining(), 0u);
  }
}

TEST(RdbReader, ReadsPlainAndIntegerEncodedStrings) {
  Decoded plain = Decode(kRdbString, Str("hello"));
  ASSERT_TRUE(plain.value) << plain.error;
  EXPECT_EQ(plain.value->string, "hello");
  EXPECT_EQ(Decode(kRdbString, "\xC0\xFB").value->string, "-5");
  EXPECT_EQ(Decode(kRdbString, std::string("\xC1\xE8\x03", 3)).value->string, "1000");
  EXPECT_EQ(Decode(kRdbString, std::string("\xC2\x60\x79\xFE\xFF", 5)).value->string, "-100000");
  EXPECT_FALSE(Decode(kRdbString, "\xC4").value);  // no such string encoding
}

TEST(RdbReader, ReadsLzfCompressedStrings) {
  std::string original;
  for (int i = 0; i < 40; ++i) original += "abcdefgh";
  std::vector<uint8_t> compressed(original.size());
  size_t n = LzfCompress(original, compressed);
  ASSERT_GT(n, 0u);
  std::string payload = Tagged('\xC3', Len(n)) + Len(original.size()) +
                        std::string(reinterpret_cast<const char*>(compressed.data()), n);
  Decoded d = Decode(kRdbString, payload);
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(d.value->string, original);
  // A claimed length the compressed bytes cannot produce, or one too big to believe.
  std::string wrong = Tagged('\xC3', Len(n)) + Len(original.size() + 1) +
                      std::string(reinterpret_cast<const char*>(compressed.data()), n);
  EXPECT_FALSE(Decode(kRdbString, wrong).value);
  std::string huge = Tagged('\xC3', Len(n)) + Len(uint64_t{1} << 40) +
                     std::string(reinterpret_cast<const char*>(compressed.data()), n);
  EXPECT_FALSE(Decode(kRdbString, huge).value);
}

TEST(RdbReader, ReadsLinkedLists) {
  Decoded d = Decode(kRdbList, Len(3) + Str("a") + Str("bb") + "\xC0\x07");
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(d.value->type, engine::ValueType::kList);
  EXPECT_EQ(ListContents(*d.value->object), (Strings{"a", "bb", "7"}));
  EXPECT_EQ(d.left, 0u);
}

TEST(RdbReader, ReadsSetsAsIntsetOrTable) {
  Decoded ints = Decode(kRdbSet, Len(3) + Str("3") + Str("1") + Str("2"));
  ASSERT_TRUE(ints.value) << ints.error;
  EXPECT_EQ(EncodingOf(ints), "intset");
  EXPECT_EQ(SetContents(*ints.value->object), (StringSet{"1", "2", "3"}));
  Decoded words = Decode(kRdbSet, Len(2) + Str("x") + Str("y"));
  ASSERT_TRUE(words.value);
  EXPECT_EQ(EncodingOf(words), "hashtable");
  EXPECT_EQ(SetContents(*words.value->object), (StringSet{"x", "y"}));
  Decoded dup = Decode(kRdbSet, Len(2) + Str("x") + Str("x"));
  EXPECT_FALSE(dup.value);
  EXPECT_EQ(dup.error, "Duplicate set members detected");
}

TEST(RdbReader, ReadsZSetsWithTextScores) {
  std::string payload =
      Len(4) + Str("a") + Str("1.5") + Str("b") + "\xFE" + Str("c") + "\xFF" + Str("d") + Str("-2");
  Decoded d = Decode(kRdbZSet, payload);
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(EncodingOf(d), "listpack");
  EXPECT_EQ(ZSetContents(*d.value->object),
            (Pairs{{"c", -HUGE_VAL}, {"d", -2}, {"a", 1.5}, {"b", HUGE_VAL}}));
  Decoded nan = Decode(kRdbZSet, Len(1) + Str("a") + "\xFD");
  EXPECT_FALSE(nan.value);
  EXPECT_EQ(nan.error, "Zset with NAN score detected");
  EXPECT_FALSE(Decode(kRdbZSet, Len(1) + Str("a") + Str("x1")).value);
  EXPECT_FALSE(Decode(kRdbZSet, Len(2) + Str("a") + Str("1") + Str("a") + Str("2")).value);
}

TEST(RdbReader, ReadsZSetsWithBinaryScores) {
  double score = 2.25;
  uint64_t bits;
  std::memcpy(&bits, &score, 8);
  Decoded d = Decode(kRdbZSet2, Len(1) + Str("m") + LittleEndian(bits, 8));
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(ZSetContents(*d.value->object), (Pairs{{"m", 2.25}}));
  // Over the entry limit: the big encoding.
  engine::EncodingLimits limits;
  limits.zset_max_listpack_entries = 1;
  std::string two = Len(2) + Str("m") + LittleEndian(bits, 8) + Str("n") + LittleEndian(bits, 8);
  Decoded big = Decode(kRdbZSet2, two, limits);
  ASSERT_TRUE(big.value) << big.error;
  EXPECT_EQ(EncodingOf(big), "skiplist");
  EXPECT_EQ(ZSetContents(*big.value->object), (Pairs{{"m", 2.25}, {"n", 2.25}}));
}

TEST(RdbReader, ReadsHashes) {
  Decoded d = Decode(kRdbHash, Len(2) + Str("f1") + Str("v1") + Str("f2") + "\xC0\x05");
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(EncodingOf(d), "listpack");
  EXPECT_EQ(HashContents(*d.value->object), (StringMap{{"f1", "v1"}, {"f2", "5"}}));
  engine::EncodingLimits limits;
  limits.hash_max_listpack_value = 1;
  Decoded big = Decode(kRdbHash, Len(1) + Str("f1") + Str("v1"), limits);
  ASSERT_TRUE(big.value);
  EXPECT_EQ(EncodingOf(big), "hashtable");
  Decoded dup = Decode(kRdbHash, Len(2) + Str("f") + Str("1") + Str("f") + Str("2"));
  EXPECT_EQ(dup.error, "Duplicate hash fields detected");
}

TEST(RdbReader, ReadsZipmapHashes) {
  std::string zipmap = Zipmap({{"name", "magnetar"}, {"n", "12"}});
  Decoded d = Decode(kRdbHashZipmap, Str(zipmap));
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(EncodingOf(d), "listpack");
  EXPECT_EQ(HashContents(*d.value->object), (StringMap{{"name", "magnetar"}, {"n", "12"}}));
  EXPECT_FALSE(Decode(kRdbHashZipmap, Str(Zipmap({{"a", "1"}, {"a", "2"}}))).value);
  std::string broken = zipmap;
  broken[1] = static_cast<char>(200);  // the first field claims more bytes than there are
  EXPECT_FALSE(Decode(kRdbHashZipmap, Str(broken)).value);
}

TEST(RdbReader, ReadsZiplistListsWithEveryIntegerWidth) {
  std::vector<Item> items = {std::string("x"),    int64_t{0},       int64_t{12},
                             int64_t{-100},       int64_t{30000},   int64_t{-8000000},
                             int64_t{2000000000}, int64_t{1} << 40, std::string(300, 'y')};
  Decoded d = Decode(kRdbListZiplist, Str(Ziplist(items)));
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(ListContents(*d.value->object),
            (Strings{"x", "0", "12", "-100", "30000", "-8000000", "2000000000", "1099511627776",
                     std::string(300, 'y')}));
  // Cut into nodes under list-max-listpack-size.
  engine::EncodingLimits limits;
  limits.list_max_listpack_size = 4;
  Decoded cut = Decode(kRdbListZiplist, Str(Ziplist(items)), limits);
  ASSERT_TRUE(cut.value) << cut.error;
  EXPECT_EQ(static_cast<const engine::ListValue&>(*cut.value->object).NodeSizes(),
            (std::vector<size_t>{4, 4, 1}));
  EXPECT_EQ(ListContents(*cut.value->object), ListContents(*d.value->object));
  std::string bad = Ziplist(items);
  bad[4] ^= 1;  // zltail no longer points at the last entry
  EXPECT_EQ(Decode(kRdbListZiplist, Str(bad)).error, "Ziplist integrity check failed.");
}

TEST(RdbReader, ReadsIntsets) {
  Decoded d = Decode(kRdbSetIntset, Str(Intset(4, {-70000, 1, 70000})));
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(EncodingOf(d), "intset");
  EXPECT_EQ(SetContents(*d.value->object), (StringSet{"-70000", "1", "70000"}));
  engine::EncodingLimits limits;
  limits.set_max_intset_entries = 2;
  Decoded big = Decode(kRdbSetIntset, Str(Intset(2, {1, 2, 3})), limits);
  ASSERT_TRUE(big.value);
  EXPECT_EQ(EncodingOf(big), "hashtable");
  EXPECT_EQ(SetContents(*big.value->object), (StringSet{"1", "2", "3"}));
  EXPECT_FALSE(Decode(kRdbSetIntset, Str(Intset(2, {2, 1}))).value);
  EXPECT_FALSE(Decode(kRdbSetIntset, Str(Intset(2, {1, 1}))).value);
  EXPECT_FALSE(Decode(kRdbSetIntset, Str(Intset(3, {1}))).value);
  Decoded empty = Decode(kRdbSetIntset, Str(Intset(2, {})));
  EXPECT_TRUE(empty.empty);
}

TEST(RdbReader, ReadsZiplistZSetsAndHashes) {
  Decoded z =
      Decode(kRdbZSetZiplist,
             Str(Ziplist({std::string("a"), int64_t{1}, std::string("b"), std::string("2.5")})));
  ASSERT_TRUE(z.value) << z.error;
  EXPECT_EQ(ZSetContents(*z.value->object), (Pairs{{"a", 1}, {"b", 2.5}}));
  Decoded h =
      Decode(kRdbHashZiplist,
             Str(Ziplist({std::string("f"), std::string("v"), std::string("g"), int64_t{7}})));
  ASSERT_TRUE(h.value) << h.error;
  EXPECT_EQ(EncodingOf(h), "listpack");
  EXPECT_EQ(HashContents(*h.value->object), (StringMap{{"f", "v"}, {"g", "7"}}));
  engine::EncodingLimits limits;
  limits.hash_max_listpack_entries = 1;
  Decoded big = Decode(
      kRdbHashZiplist,
      Str(Ziplist({std::string("f"), std::string("v"), std::string("g"), int64_t{7}})), limits);
  ASSERT_TRUE(big.value) << big.error;
  EXPECT_EQ(EncodingOf(big), "hashtable");
  EXPECT_EQ(HashContents(*big.value->object), (StringMap{{"f", "v"}, {"g", "7"}}));
  // Legacy pairs are checked for duplicates even without deep validation; so is an odd count.
  std::string dup = Str(Ziplist({std::string("f"), int64_t{1}, std::string("f"), int64_t{2}}));
  EXPECT_FALSE(Decode(kRdbHashZiplist, dup, {}, Validation::kShallow).value);
  EXPECT_FALSE(Decode(kRdbHashZiplist, Str(Ziplist({std::string("f")}))).value);
}

TEST(RdbReader, ReadsQuicklistsOfZiplists) {
  std::string payload = Len(3) + Str(Ziplist({std::string("a"), int64_t{1}})) + Str(Ziplist({})) +
                        Str(Ziplist({std::string("b")}));
  Decoded d = Decode(kRdbListQuicklist, payload);
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(ListContents(*d.value->object), (Strings{"a", "1", "b"}));
  EXPECT_EQ(static_cast<const engine::ListValue&>(*d.value->object).node_count(), 2u);
  Decoded empty = Decode(kRdbListQuicklist, Len(1) + Str(Ziplist({})));
  EXPECT_TRUE(empty.empty);
}

TEST(RdbReader, ReadsQuicklist2WithPlainAndPackedNodes) {
  std::string payload = Len(2) + Len(kQuicklistNodePacked) + Str(ListpackOf({"a", "12"})) +
                        Len(kQuicklistNodePlain) + Str(std::string(1000, 'p'));
  Decoded d = Decode(kRdbListQuicklist2, payload);
  ASSERT_TRUE(d.value) << d.error;
  EXPECT_EQ(ListContents(*d.value->object), (Strings{"a", "12", std::string(1000, 'p')}));
  EXPECT_FALSE(Decode(kRdbListQuicklist2, Len(1) + Len(3) + Str("x")).value);
}

TEST(RdbReader, ReadsListpackHashesAndZSets) {
  Decoded h = Decode(kRdbHashListpack, Str(ListpackOf({"f", "v", "n", "-3"})));
  ASSERT_TRUE(h.value) << h.error;
  EXPECT_EQ(EncodingOf(h), "listpack");
  EXPECT_EQ(HashContents(*h.value->object), (StringMap{{"f", "v"}, {"n", "-3"}}));
  engine::EncodingLimits limits;
  limits.hash_max_listpack_value = 2;
  Decoded big = Decode(kRdbHashListpack, Str(ListpackOf({"f", "long"})), limits);
  ASSERT_TRUE(big.value);
  EXPECT_EQ(EncodingOf(big), "hashtable");
  // Duplicates: refused by deep validation, tolerated by a shallow one (as Redis).
  std::string dup = Str(ListpackOf({"f", "1", "f", "2"}));
  EXPECT_EQ(Decode(kRdbHashListpack, dup).error, "Duplicate hash fields detected");
  EXPECT_TRUE(Decode(kRdbHashListpack, dup, {}, Validation::kShallow).value);
  EXPECT_FALSE(Decode(kRdbHashListpack, Str(ListpackOf({"f"}))).value);
  EXPECT_TRUE(Decode(kRdbHashListpack, Str(ListpackOf({}))).empty);

  Decoded z = Decode(kRdbZSetListpack, Str(ListpackOf({"a", "1", "b", "inf"})));
  ASSERT_TRUE(z.value) << z.error;
  EXPECT_EQ(ZSetContents(*z.value->object), (Pairs{{"a", 1}, {"b", HUGE_VAL}}));
  limits = {};
  limits.zset_max_listpack_entries = 1;
  Decoded bigz = Decode(kRdbZSetListpack, Str(ListpackOf({"a", "1", "b", "2"})), limits);
  ASSERT_TRUE(bigz.value);
  EXPECT_EQ(EncodingOf(bigz), "skiplist");
  EXPECT_EQ(ZSetContents(*bigz.value->object), (Pairs{{"a", 1}, {"b", 2}}));
  EXPECT_FALSE(Decode(kRdbZSetListpack, Str(ListpackOf({"b", "2", "a", "1"}))).value);
  EXPECT_FALSE(Decode(kRdbZSetListpack, Str(ListpackOf({"a", "x"}))).value);
  EXPECT_FALSE(Decode(kRdbZSetListpack, Str(ListpackOf({"a", "1", "a", "2"}))).value);
}

TEST(RdbReader, ReportsEmptyCollections) {
  for (uint8_t type : {kRdbList, kRdbSet, kRdbZSet, kRdbHash, kRdbZSet2}) {
    Decoded d = Decode(type, Len(0));
    EXPECT_FALSE(d.value);
    EXPECT_TRUE(d.empty) << int(type);
  }
  EXPECT_TRUE(Decode(kRdbListZiplist, Str(Ziplist({}))).empty);
  EXPECT_TRUE(Decode(kRdbListQuicklist2, Len(0)).empty);
  EXPECT_FALSE(Decode(kRdbList, Len(1)).empty);  // truncated, not empty
}

TEST(RdbReader, RefusesModulesStreamsAndUnknownTypes) {
  for (int type : std::initializer_list<int>{kRdbModule, kRdbModule2, kRdbStreamListpacks,
                                             kRdbStreamListpacks2, 8, 20, 200}) {
    Decoded d = Decode(static_cast<uint8_t>(type), std::string(16, '\0'));
    EXPECT_FALSE(d.value);
    EXPECT_FALSE(d.error.empty()) << type;
  }
  EXPECT_NE(Decode(kRdbModule2, "").error.find("Module"), std::string::npos);
  EXPECT_NE(Decode(kRdbStreamListpacks2, "").error.find("Stream"), std::string::npos);
}

TEST(RdbReader, RefusesCountsTheInputCannotHold) {
  // Claims of billions of elements in a few bytes fail at once, allocating nothing for them.
  for (uint8_t type :
       {kRdbList, kRdbSet, kRdbZSet, kRdbHash, kRdbZSet2, kRdbListQuicklist, kRdbListQuicklist2}) {
    Decoded d = Decode(type, Len(uint64_t{1} << 40) + Str("a"));
    EXPECT_FALSE(d.value);
    EXPECT_NE(d.error.find("exceeds"), std::string::npos) << int(type) << ": " << d.error;
  }
  EXPECT_FALSE(Decode(kRdbString, Len(uint64_t{1} << 40) + "abc").value);
}

// Every payload of every type, for the truncation and corruption sweeps.
std::vector<std::pair<uint8_t, std::string>> SamplePayloads() {
  std::string compressed(64, '\0');
  std::string original(200, 'z');
  size_t n = LzfCompress(original, {reinterpret_cast<uint8_t*>(compressed.data()), 64});
  compressed.resize(n);
  return {
      {kRdbString, Tagged('\xC3', Len(n)) + Len(200) + compressed},
      {kRdbList, Len(3) + Str("a") + Str("bb") + "\xC0\x07"},
      {kRdbSet, Len(3) + Str("3") + Str("x") + Str("2")},
      {kRdbZSet, Len(2) + Str("a") + Str("1.5") + Str("b") + "\xFE"},
      {kRdbHash, Len(2) + Str("f1") + Str("v1") + Str("f2") + "\xC0\x05"},
      {kRdbZSet2, Len(1) + Str("m") + LittleEndian(0x4002000000000000ULL, 8)},
      {kRdbHashZipmap, Str(Zipmap({{"name", "magnetar"}, {"n", "12"}}))},
      {kRdbListZiplist, Str(Ziplist({std::string("x"), int64_t{-100}, int64_t{1} << 40}))},
      {kRdbSetIntset, Str(Intset(4, {-70000, 1, 70000}))},
      {kRdbZSetZiplist,
       Str(Ziplist({std::string("a"), int64_t{1}, std::string("b"), std::string("2.5")}))},
      {kRdbHashZiplist, Str(Ziplist({std::string("f"), std::string("v")}))},
      {kRdbListQuicklist,
       Len(2) + Str(Ziplist({std::string("a"), int64_t{1}})) + Str(Ziplist({std::string("b")}))},
      {kRdbHashListpack, Str(ListpackOf({"f", "v", "n", "-3"}))},
      {kRdbZSetListpack, Str(ListpackOf({"a", "1", "b", "inf"}))},
      {kRdbListQuicklist2, Len(2) + Len(2) + Str(ListpackOf({"a", "12"})) + Len(1) + Str("pp")},
  };
}

TEST(RdbReader, FailsCleanlyOnEveryTruncation) {
  for (const auto& [type, payload] : SamplePayloads()) {
    for (Validation validation : {Validation::kShallow, Validation::kDeep}) {
      Decoded whole = Decode(type, payload, {}, validation);
      ASSERT_TRUE(whole.value) << int(type) << ": " << whole.error;
      EXPECT_EQ(whole.left, 0u) << int(type);
      for (size_t cut = 0; cut < payload.size(); ++cut) {
        Decoded d = Decode(type, payload.substr(0, cut), {}, validation);
        EXPECT_FALSE(d.value) << "type " << int(type) << " cut at " << cut;
        EXPECT_FALSE(d.error.empty());
      }
    }
  }
}

TEST(RdbReader, SurvivesRandomBitFlips) {
  std::mt19937_64 random(12345);
  size_t refused = 0;
  size_t runs = 0;
  for (const auto& [type, payload] : SamplePayloads()) {
    for (int round = 0; round < 2000; ++round) {
      std::string bent = payload;
      int flips = 1 + static_cast<int>(random() % 3);
      for (int i = 0; i < flips; ++i) bent[random() % bent.size()] ^= 1 << (random() % 8);
      for (Validation validation : {Validation::kShallow, Validation::kDeep}) {
        Decoded d = Decode(type, bent, {}, validation);
        // Either a value that reads back whole, or a reason.
        if (d.value && d.value->object) {
          (void)d.value->object->MemoryBytes();
        } else if (!d.value) {
          EXPECT_FALSE(d.error.empty());
          ++refused;
        }
        ++runs;
      }
    }
  }
  EXPECT_GT(refused, runs / 10);
}

}  // namespace
}  // namespace magnetar::persistence
