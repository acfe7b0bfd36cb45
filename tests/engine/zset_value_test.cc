#include "magnetar/engine/zset_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/numbered_name.h"

namespace magnetar::engine {
namespace {

using test_support::NumberedName;

using Element = std::pair<double, std::string>;

// The brute-force model: the set's order and its member-to-score map.
struct Model {
  std::set<Element> order;
  std::map<std::string, double> scores;

  bool Set(const std::string& member, double score) {
    auto it = scores.find(member);
    bool added = it == scores.end();
    if (!added) order.erase({it->second, member});
    scores[member] = score;
    order.insert({score, member});
    return added;
  }
  bool Remove(const std::string& member) {
    auto it = scores.find(member);
    if (it == scores.end()) return false;
    order.erase({it->second, member});
    scores.erase(it);
    return true;
  }
};

std::vector<Element> Contents(const ZSetValue& zset, size_t start = 0, bool reverse = false) {
  std::vector<Element> out;
  zset.Walk(start, reverse, [&](std::string_view member, double score) {
    out.emplace_back(score, std::string(member));
    return true;
  });
  return out;
}

void ExpectSame(ZSetValue& zset, const Model& model, std::mt19937_64& random) {
  ASSERT_EQ(zset.Size(), model.order.size());
  std::vector<Element> expected(model.order.begin(), model.order.end());
  ASSERT_EQ(Contents(zset), expected);
  if (expected.empty()) return;
  // Reverse walks, ranks and bounds at a few random places.
  for (int probe = 0; probe < 8; ++probe) {
    size_t rank = random() % expected.size();
    std::vector<Element> down = Contents(zset, rank, true);
    ASSERT_EQ(down.size(), rank + 1);
    ASSERT_EQ(down.front(), expected[rank]);
    ASSERT_EQ(down.back(), expected.front());
    ASSERT_EQ(zset.Rank(expected[rank].second), rank);
    ASSERT_EQ(zset.Score(expected[rank].second), expected[rank].first);
    double bound = expected[rank].first;
    size_t first_at_or_above =
        std::distance(model.order.begin(), model.order.lower_bound({bound, std::string()}));
    ASSERT_EQ(zset.LowerBound([&](double s, std::string_view) { return s >= bound; }),
              first_at_or_above);
    const std::string& member = expected[rank].second;
    size_t past = std::distance(model.order.begin(), model.order.upper_bound({bound, member}));
    ASSERT_EQ(zset.LowerBound([&](double s, std::string_view m) {
      return s > bound || (s == bound && m > member);
    }),
              past);
  }
  ASSERT_FALSE(zset.Rank("absent").has_value());
}

EncodingLimits Limits(int64_t entries, int64_t value) {
  EncodingLimits limits;
  limits.zset_max_listpack_entries = entries;
  limits.zset_max_listpack_value = value;
  return limits;
}

TEST(ZSetValueTest, ListpackKeepsScoreOrderAndRedisBytes) {
  ZSetValue zset;
  EncodingLimits limits;
  EXPECT_TRUE(zset.Set("b", 2, limits));
  EXPECT_TRUE(zset.Set("a", 0.1, limits));
  EXPECT_TRUE(zset.Set("c", -INFINITY, limits));
  EXPECT_TRUE(zset.Set("z", -0.0, limits));
  EXPECT_FALSE(zset.Set("b", 2, limits));
  EXPECT_EQ(zset.EncodingName(), "listpack");
  std::vector<std::string> texts;
  const Listpack& lp = zset.listpack();
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p)) {
    texts.push_back(lp.Get(p).ToString());
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"c", "-inf", "z", "0", "a", "0.10000000000000001", "b",
                                             "2"}));
  EXPECT_TRUE(lp.Get(lp.Seek(-1)).is_integer);
  EXPECT_FALSE(std::signbit(*zset.Score("z")));  // Redis's listpack keeps no sign on zero
  EXPECT_EQ(zset.Rank("b"), 3u);
}

TEST(ZSetValueTest, ConvertsAtTheThresholds) {
  EncodingLimits limits = Limits(4, 8);
  ZSetValue zset;
  for (int i = 0; i < 4; ++i) zset.Set(NumberedName("m", i), i, limits);
  EXPECT_EQ(zset.EncodingName(), "listpack");
  zset.Set("m0", 10, limits);  // an update does not grow the set
  EXPECT_EQ(zset.EncodingName(), "listpack");
  zset.Set("m4", 4, limits);
  EXPECT_EQ(zset.EncodingName(), "skiplist");
  EXPECT_EQ(zset.Rank("m0"), 4u);
  zset.Remove("m1");
  zset.Remove("m2");
  EXPECT_EQ(zset.EncodingName(), "skiplist");

  ZSetValue long_member;
  long_member.Set("12345678", 1, limits);
  EXPECT_EQ(long_member.EncodingName(), "listpack");
  long_member.Set("123456789", 1, limits);
  EXPECT_EQ(long_member.EncodingName(), "skiplist");
  EXPECT_EQ(long_member.Size(), 2u);
  EXPECT_TRUE(ZSetValue::StartsBig(5, 1, limits));
  EXPECT_TRUE(ZSetValue::StartsBig(1, 9, limits));
  EXPECT_FALSE(ZSetValue::StartsBig(4, 8, limits));
  EXPECT_TRUE(ZSetValue::StartsBig(1, 1, Limits(0, 8)));
}

// Long random sequences against the model, in both encodings, with scores drawn from a small
// set so that equal scores (ordered by member) are common, and with removals heavy enough to
// empty and merge tree nodes.
void RandomSequence(EncodingLimits limits, int steps, int members, uint64_t seed) {
  std::mt19937_64 random(seed);
  ZSetValue zset;
  Model model;
  const double kScores[] = {-INFINITY, -2.5, 0, 1, 1, 3, 1e20, INFINITY};
  for (int step = 0; step < steps; ++step) {
    std::string member = NumberedName("member:", random() % members);
    int op = static_cast<int>(random() % 10);
    if (op < 6) {
      double score = random() % 2 ? kScores[random() % 8] : static_cast<double>(random() % 1000);
      ASSERT_EQ(zset.Set(member, score, limits), model.Set(member, score)) << step;
    } else if (op < 9) {
      ASSERT_EQ(zset.Remove(member), model.Remove(member)) << step;
    } else if (!model.order.empty()) {
      size_t start = random() % model.order.size();
      size_t count = std::min<size_t>(random() % 200, model.order.size() - start);
      zset.RemoveRange(start, count);
      auto first = std::next(model.order.begin(), static_cast<long>(start));
      auto last = std::next(first, static_cast<long>(count));
      for (auto it = first; it != last; ++it) model.scores.erase(it->second);
      model.order.erase(first, last);
    }
    if (step % 97 == 0) ExpectSame(zset, model, random);
  }
  ExpectSame(zset, model, random);
  auto copy = zset.Clone();
  EXPECT_EQ(Contents(static_cast<ZSetValue&>(*copy)), Contents(zset));
  std::set<Element> scanned;
  uint64_t cursor = 0;
  do {
    cursor = zset.Scan(cursor, [&](std::string_view member, double score) {
      scanned.insert({score, std::string(member)});
      return true;
    });
  } while (cursor != 0);
  EXPECT_EQ(scanned, model.order);
}

TEST(ZSetValueTest, RandomSequenceListpack) { RandomSequence(EncodingLimits(), 20000, 100, 1); }

TEST(ZSetValueTest, RandomSequenceTree) { RandomSequence(Limits(0, 0), 60000, 5000, 2); }

TEST(ZSetValueTest, RandomSequenceManyMembersGrowAndShrink) {
  RandomSequence(Limits(16, 64), 200000, 40000, 3);
}

TEST(ZSetValueTest, AscendingLoadAndDrain) {
  ZSetValue zset;
  EncodingLimits limits = Limits(0, 0);
  constexpr int kCount = 100000;
  for (int i = 0; i < kCount; ++i) zset.Set(NumberedName("p", i), i, limits);
  EXPECT_EQ(zset.Rank("p77777"), 77777u);
  size_t big = zset.MemoryBytes();
  zset.RemoveRange(10, kCount - 20);
  EXPECT_EQ(zset.Size(), 20u);
  EXPECT_LT(zset.MemoryBytes(), big / 100);
  EXPECT_EQ(zset.Rank(NumberedName("p", kCount - 1)), 19u);
}

}  // namespace
}  // namespace magnetar::engine
