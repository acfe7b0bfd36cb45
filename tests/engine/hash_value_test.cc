#include "magnetar/engine/hash_value.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <type_traits>

namespace magnetar::engine {
namespace {

template <typename T>
std::string Name(std::string_view prefix, const T& suffix) {
  std::string name(prefix);
  if constexpr (std::is_arithmetic_v<T>) {
    name += std::to_string(suffix);
  } else {
    name += suffix;
  }
  return name;
}

std::map<std::string, std::string> Contents(const HashValue& hash) {
  std::map<std::string, std::string> out;
  hash.ForEach([&](std::string_view f, std::string_view v) {
    EXPECT_TRUE(out.emplace(std::string(f), std::string(v)).second) << f;
  });
  return out;
}

TEST(HashValueTest, ListpackUntilEntriesPassed) {
  EncodingLimits limits;
  limits.hash_max_listpack_entries = 4;
  HashValue hash;
  EXPECT_EQ(hash.EncodingName(), "listpack");
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(hash.Set(Name("f", i), std::to_string(i), limits));
  }
  EXPECT_FALSE(hash.Set("f0", "again", limits));
  EXPECT_EQ(hash.EncodingName(), "listpack");
  EXPECT_EQ(hash.Size(), 4u);
  EXPECT_TRUE(hash.Set("f4", "4", limits));
  EXPECT_EQ(hash.EncodingName(), "hashtable");
  EXPECT_EQ(hash.Size(), 5u);
  std::map<std::string, std::string> expected = {
      {"f0", "again"}, {"f1", "1"}, {"f2", "2"}, {"f3", "3"}, {"f4", "4"}};
  EXPECT_EQ(Contents(hash), expected);
  // Never back.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(hash.Delete(Name("f", i)));
  EXPECT_EQ(hash.Size(), 0u);
  EXPECT_EQ(hash.EncodingName(), "hashtable");
}

TEST(HashValueTest, ConvertsOnLongFieldOrValue) {
  EncodingLimits limits;
  limits.hash_max_listpack_value = 8;
  HashValue a;
  a.Set("12345678", "12345678", limits);
  EXPECT_EQ(a.EncodingName(), "listpack");
  a.Set("x", "123456789", limits);
  EXPECT_EQ(a.EncodingName(), "hashtable");
  HashBuffer buffer;
  EXPECT_EQ(a.Get("x", buffer), "123456789");
  EXPECT_EQ(a.Get("12345678", buffer), "12345678");
  HashValue b;
  b.Set("123456789", "v", limits);
  EXPECT_EQ(b.EncodingName(), "hashtable");
  // Zero entries allowed: the first field converts.
  limits = EncodingLimits{};
  limits.hash_max_listpack_entries = 0;
  HashValue c;
  c.Set("f", "v", limits);
  EXPECT_EQ(c.EncodingName(), "hashtable");
}

TEST(HashValueTest, GetExistsDeleteInBothEncodings) {
  for (bool table : {false, true}) {
    HashValue hash;
    EncodingLimits limits;
    hash.Set("n", "-42", limits);
    hash.Set("s", "text", limits);
    if (table) hash.ConvertToTable();
    HashBuffer buffer;
    EXPECT_EQ(hash.Get("n", buffer), "-42");
    EXPECT_EQ(hash.Get("s", buffer), "text");
    EXPECT_FALSE(hash.Get("-42", buffer));
    EXPECT_TRUE(hash.Exists("s"));
    EXPECT_FALSE(hash.Exists("t"));
    EXPECT_TRUE(hash.Delete("n"));
    EXPECT_FALSE(hash.Delete("n"));
    EXPECT_EQ(hash.Size(), 1u);
    std::unique_ptr<Object> copy = hash.Clone();
    EXPECT_EQ(copy->EncodingName(), hash.EncodingName());
    EXPECT_EQ(Contents(static_cast<const HashValue&>(*copy)), Contents(hash));
    EXPECT_GT(hash.MemoryBytes(), 0u);
  }
}

TEST(HashValueTest, ScanWhileGrowingSeesEveryOriginalField) {
  EncodingLimits limits;
  HashValue hash;
  for (int i = 0; i < 1000; ++i) hash.Set(Name("field:", i), "v", limits);
  ASSERT_EQ(hash.EncodingName(), "hashtable");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int added = 0;
  do {
    cursor = hash.Scan(cursor,
                       [&](std::string_view f, std::string_view) { seen.insert(std::string(f)); });
    // Grows the table through several resizes during the iteration, then stops.
    for (int j = 0; j < 50 && added < 5000; ++j) hash.Set(Name("more:", added++), "w", limits);
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count(Name("field:", i))) << i;
}

TEST(HashValueTest, RandomCoversFields) {
  std::mt19937_64 rng(3);
  auto random = [&] { return rng(); };
  for (bool table : {false, true}) {
    HashValue hash;
    EncodingLimits limits;
    for (int i = 0; i < 10; ++i) hash.Set(std::to_string(i), Name("v", i), limits);
    if (table) hash.ConvertToTable();
    std::set<std::string> seen;
    HashBuffer buffers[2];
    for (int i = 0; i < 500; ++i) {
      auto [field, value] = hash.Random(random, buffers);
      EXPECT_EQ(value, Name("v", field));
      seen.insert(std::string(field));
    }
    EXPECT_EQ(seen.size(), 10u);
  }
}

// Every way of drawing distinct fields (the listpack's walk, a table's walk for a large share, a
// table's draws for a few) gives `count` different fields with their values, and over many draws
// reaches every field.
TEST(HashValueTest, RandomDistinctGivesDistinctFieldsWithTheirValues) {
  std::mt19937_64 rng(5);
  auto random = [&] { return rng(); };
  EncodingLimits limits;
  HashValue small;
  HashValue big;
  for (int i = 0; i < 10; ++i) small.Set(std::to_string(i), Name("v", i), limits);
  for (int i = 0; i < 1000; ++i) big.Set(std::to_string(i), Name("v", i), limits);
  ASSERT_TRUE(small.IsListpack());
  ASSERT_FALSE(big.IsListpack());
  struct Case {
    const HashValue* hash;
    size_t count;
  };
  for (Case c : {Case{&small, 3}, Case{&small, 9}, Case{&big, 600}, Case{&big, 50}}) {
    std::set<std::string> ever;
    for (int round = 0; round < 400; ++round) {
      std::set<std::string> fields;
      c.hash->RandomDistinct(c.count, random, [&](std::string_view field, std::string_view value) {
        EXPECT_EQ(value, Name("v", field));
        fields.insert(std::string(field));
      });
      ASSERT_EQ(fields.size(), c.count);
      ever.insert(fields.begin(), fields.end());
    }
    // Over 400 rounds nearly every field comes up. Not always every one: a few fields out of a big
    // table are drawn as Redis draws them (a random bucket, then a random entry of it), which
    // favours entries with fewer neighbours, so a field in a crowded bucket can be missed.
    EXPECT_GE(ever.size() * 100, c.hash->Size() * 95) << c.count;
  }
}

TEST(HashValueTest, RandomOperationsMatchAMap) {
  std::mt19937_64 rng(11);
  EncodingLimits limits;
  limits.hash_max_listpack_entries = 64;
  HashValue hash;
  std::map<std::string, std::string> model;
  for (int step = 0; step < 3000; ++step) {
    std::string field = std::to_string(rng() % 200);
    if (rng() % 3 == 0) {
      EXPECT_EQ(hash.Delete(field), model.erase(field) == 1);
    } else {
      std::string value = std::to_string(rng() % 1000) + (rng() % 2 ? "x" : "");
      EXPECT_EQ(hash.Set(field, value, limits), !model.count(field));
      model[field] = value;
    }
    ASSERT_EQ(hash.Size(), model.size());
  }
  EXPECT_EQ(Contents(hash), model);
}

}  // namespace
}  // namespace magnetar::engine
