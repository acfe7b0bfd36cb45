// SetValue: the intset/hashtable conversions at their thresholds, iteration and SSCAN while the
// table grows, sampling, copies and memory.
#include "magnetar/engine/set_value.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "support/numbered_name.h"

namespace magnetar::engine {
namespace {

using test_support::NumberedName;

std::set<std::string> Members(const SetValue& set) {
  std::set<std::string> members;
  set.ForEach([&](std::string_view member) { EXPECT_TRUE(members.emplace(member).second); });
  return members;
}

std::vector<std::string> InOrder(const SetValue& set) {
  std::vector<std::string> members;
  set.ForEach([&](std::string_view member) { members.emplace_back(member); });
  return members;
}

SetValue::Random Seeded(uint64_t seed) {
  auto generator = std::make_shared<std::mt19937_64>(seed);
  return [generator] { return (*generator)(); };
}

TEST(SetValueTest, IntegersStayAnIntsetUpToTheLimit) {
  SetValue set;
  EXPECT_EQ(set.EncodingName(), "intset");
  for (int i = 4; i >= 1; --i) EXPECT_TRUE(set.Add(std::to_string(i), 4));
  EXPECT_FALSE(set.Add("3", 4));
  EXPECT_TRUE(set.is_intset());
  EXPECT_EQ(InOrder(set), (std::vector<std::string>{"1", "2", "3", "4"}));
  // The fifth member passes the limit.
  EXPECT_TRUE(set.Add("5", 4));
  EXPECT_EQ(set.EncodingName(), "hashtable");
  EXPECT_EQ(Members(set), (std::set<std::string>{"1", "2", "3", "4", "5"}));
  // No way back.
  EXPECT_TRUE(set.Remove("5"));
  EXPECT_TRUE(set.Remove("4"));
  EXPECT_FALSE(set.is_intset());
  EXPECT_EQ(set.size(), 3u);
}

TEST(SetValueTest, NonCanonicalIntegerTextsConvert) {
  for (const char* text : {"a", "007", "+1", "-0", " 1", "", "9223372036854775808", "1.0"}) {
    SetValue set;
    set.Add("1", 512);
    EXPECT_TRUE(set.Add(text, 512)) << text;
    EXPECT_FALSE(set.is_intset()) << text;
    EXPECT_TRUE(set.Contains(text)) << text;
    EXPECT_TRUE(set.Contains("1"));
  }
  SetValue set;
  EXPECT_TRUE(set.Add("-9223372036854775808", 512));
  EXPECT_TRUE(set.is_intset());
  EXPECT_FALSE(set.Contains("-09"));
  EXPECT_FALSE(set.Remove("abc"));
}

TEST(SetValueTest, CloneCopiesEitherEncoding) {
  SetValue small;
  small.Add("1", 512);
  small.Add("2", 512);
  auto copy = small.Clone();
  small.Add("3", 512);
  auto* small_copy = static_cast<SetValue*>(copy.get());
  EXPECT_EQ(Members(*small_copy), (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(small_copy->EncodingName(), "intset");
  EXPECT_TRUE(std::equal(small_copy->IntsetBytes().begin(), small_copy->IntsetBytes().end(),
                         std::vector<uint8_t>{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0}.begin()));

  SetValue big;
  for (int i = 0; i < 1000; ++i) big.Add(NumberedName("m", i), 512);
  auto big_copy = big.Clone();
  big.Remove("m1");
  EXPECT_EQ(static_cast<SetValue*>(big_copy.get())->size(), 1000u);
  EXPECT_TRUE(static_cast<SetValue*>(big_copy.get())->Contains("m1"));
  EXPECT_EQ(big_copy->EncodingName(), "hashtable");
}

// SSCAN's guarantee: a member present for the whole iteration comes back at least once, while
// the set grows through several resizes between the calls.
TEST(SetValueTest, ScanWhileGrowingReturnsEveryOriginalMember) {
  SetValue set;
  for (int i = 0; i < 2000; ++i) set.Add(NumberedName("orig", i), 512);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int added = 0;
  int steps = 0;
  do {
    cursor = set.Scan(cursor, [&](std::string_view member) { seen.emplace(member); });
    // Grows eightfold over the first 100 steps, then lets the cursor finish: growing for ever
    // would keep adding buckets faster than the cursor visits them.
    if (++steps <= 100) {
      for (int i = 0; i < 140; ++i) set.Add(NumberedName("new", added++), 512);
    }
    ASSERT_LT(steps, 1'000'000);
  } while (cursor != 0);
  for (int i = 0; i < 2000; ++i) EXPECT_TRUE(seen.count(NumberedName("orig", i))) << i;
  EXPECT_EQ(added, 14000);
}

TEST(SetValueTest, IntsetScanIsOneStep) {
  SetValue set;
  for (int i = 0; i < 100; ++i) set.Add(std::to_string(i), 512);
  size_t count = 0;
  EXPECT_EQ(set.Scan(0, [&](std::string_view) { ++count; }), 0u);
  EXPECT_EQ(count, 100u);
}

TEST(SetValueTest, RandomDistinctDrawsDistinctMembers) {
  SetValue small;
  SetValue big;
  for (int i = 0; i < 10; ++i) small.Add(std::to_string(i), 512);
  for (int i = 0; i < 5000; ++i) big.Add(NumberedName("x", i), 512);
  auto random = Seeded(1);
  for (SetValue* set : {&small, &big}) {
    for (size_t count : {size_t{1}, size_t{3}, set->size() / 2, set->size() - 1, set->size()}) {
      std::vector<std::string> drawn = set->RandomDistinct(count, random);
      EXPECT_EQ(drawn.size(), count);
      std::unordered_set<std::string> unique(drawn.begin(), drawn.end());
      EXPECT_EQ(unique.size(), count);
      for (const std::string& member : drawn) EXPECT_TRUE(set->Contains(member));
    }
  }
  // Every member of a small set comes up as a single draw.
  std::set<std::string> singles;
  for (int i = 0; i < 500; ++i) singles.insert(small.RandomMember(random));
  EXPECT_EQ(singles.size(), 10u);
}

TEST(SetValueTest, MemoryGrowsWithMembers) {
  SetValue set;
  size_t empty = set.MemoryBytes();
  for (int i = 0; i < 100; ++i) set.Add(std::to_string(i), 512);
  EXPECT_EQ(set.MemoryBytes(), empty + 200);  // 100 two-byte integers
  for (int i = 0; i < 10000; ++i) set.Add(NumberedName("member:", i), 512);
  EXPECT_GT(set.MemoryBytes(), 10000u * 20);
  for (int i = 0; i < 10000; ++i) set.Remove(NumberedName("member:", i));
  EXPECT_LT(set.MemoryBytes(), 10000u * 20);
}

}  // namespace
}  // namespace magnetar::engine
