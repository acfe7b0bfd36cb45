// Eviction on the engine alone: each policy picks its victims as documented (docs/eviction.md),
// with a manual clock and a gauge that counts the keyspace's own entry bytes, so the figures are
// exact and nothing depends on the allocator.
#include "magnetar/engine/eviction.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/engine/access_metadata.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;

class EntryBytesGauge final : public MemoryGauge {
 public:
  explicit EntryBytesGauge(const Keyspace& keyspace) : keyspace_(keyspace) {}
  uint64_t Used() const override { return keyspace_.Memory().entry_bytes; }

 private:
  const Keyspace& keyspace_;
};

class EvictionLog final : public NullKeyspaceObserver {
 public:
  void OnKeyEvicted(size_t db, std::string_view key) override {
    evicted.push_back(std::to_string(db) + " " + std::string(key));
  }
  std::vector<std::string> evicted;
};

class EvictionTest : public ::testing::Test {
 protected:
  void SetUp() override { keyspace_.SetObserver(&log_); }
  // Eviction runs in time slices; a slow machine (a sanitizer build) may need more than one.
  EvictionResult PerformToTheEnd() {
    EvictionResult result;
    while ((result = keyspace_.evictor().Perform()) == EvictionResult::kRunning) {
    }
    return result;
  }
  void TearDown() override {
    keyspace_.evictor().Configure({}, nullptr);
    keyspace_.SetObserver(nullptr);
  }

  // Applies `policy` with a limit of `keep` of the current entry bytes (a fraction).
  void Limit(EvictionPolicy policy, double keep, int64_t tenacity = 10) {
    keyspace_.SetAccessMode(IsLfu(policy) ? AccessMode::kLfu : AccessMode::kLru, {},
                            UsesFrequency(policy));
    auto limit = static_cast<uint64_t>(static_cast<double>(gauge_.Used()) * keep);
    keyspace_.evictor().Configure(
        {.maxmemory = limit, .policy = policy, .samples = 5, .tenacity = tenacity}, &gauge_);
  }
  static std::string Key(int i) { return "key:" + std::to_string(i); }
  void Fill(int count, Database& db) {
    for (int i = 0; i < count; ++i) db.SetString(Key(i), "value");
  }
  int Surviving(int from, int to, Database& db) {
    int present = 0;
    for (int i = from; i < to; ++i) present += db.Peek(Key(i)) != nullptr;
    return present;
  }

  ManualClock clock_;
  Keyspace keyspace_{2, clock_};
  Database& db_ = keyspace_.db(0);
  EntryBytesGauge gauge_{keyspace_};
  EvictionLog log_;
};

TEST_F(EvictionTest, UnderTheLimitNothingHappens) {
  Fill(10, db_);
  Limit(EvictionPolicy::kAllKeysLru, 2.0);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kOk);
  EXPECT_EQ(db_.Size(), 10u);
}

TEST_F(EvictionTest, NoEvictionFailsAndKeepsEverything) {
  Fill(10, db_);
  Limit(EvictionPolicy::kNoEviction, 0.5);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kFail);
  EXPECT_EQ(db_.Size(), 10u);
  EXPECT_TRUE(log_.evicted.empty());
}

TEST_F(EvictionTest, AllKeysLruEvictsTheKeysIdleLongest) {
  Fill(200, db_);
  clock_.AdvanceMs(10 * kSecond);
  for (int i = 0; i < 100; ++i) db_.Lookup(Key(i));  // the first half is used again
  Limit(EvictionPolicy::kAllKeysLru, 0.6);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kOk);
  EXPECT_LE(gauge_.Used(), keyspace_.evictor().settings().maxmemory);
  // Sampling approximates LRU: near the end a sample may hold only recently used keys.
  EXPECT_GE(Surviving(0, 100, db_), 95);
  EXPECT_EQ(keyspace_.stats().evicted, log_.evicted.size());
  EXPECT_EQ(log_.evicted.size(), 200 - db_.Size());
}

TEST_F(EvictionTest, LruStampsHaveSixteenthOfASecondResolution) {
  db_.SetString("old", "v");
  clock_.AdvanceMs(125);
  db_.SetString("new", "v");
  clock_.AdvanceMs(2 * kSecond);
  uint32_t now = keyspace_.lru_clock();
  EXPECT_EQ(LruIdleTicks(now, db_.Peek("old")->access()),
            LruIdleTicks(now, db_.Peek("new")->access()) + 2);
  EXPECT_EQ(LruIdleSeconds(now, db_.Peek("old")->access()), 2);
}

TEST_F(EvictionTest, AllKeysLfuKeepsTheKeysUsedMost) {
  keyspace_.SetAccessMode(AccessMode::kLfu, {}, true);
  Fill(200, db_);
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 100; ++i) db_.Lookup(Key(i));
  }
  Limit(EvictionPolicy::kAllKeysLfu, 0.6);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kOk);
  EXPECT_GE(Surviving(0, 100, db_), 90);  // approximated, as LRU
  EXPECT_GE(keyspace_.LfuFrequency(db_.Peek(Key(0))->access()), kLfuInitValue + 1u);
}

TEST_F(EvictionTest, LfuCounterStartsAtFiveAndDecaysWithTime) {
  keyspace_.SetAccessMode(AccessMode::kLfu, {.log_factor = 10, .decay_minutes = 1}, true);
  db_.SetString("k", "v");
  EXPECT_EQ(keyspace_.LfuFrequency(db_.Peek("k")->access()), kLfuInitValue);
  // At the initial value every access counts (probability 1).
  db_.Lookup("k");
  EXPECT_EQ(keyspace_.LfuFrequency(db_.Peek("k")->access()), kLfuInitValue + 1u);
  clock_.AdvanceMs(3 * kMinute);
  EXPECT_EQ(keyspace_.LfuFrequency(db_.Peek("k")->access()), kLfuInitValue - 2u);
  clock_.AdvanceMs(10 * kMinute);
  EXPECT_EQ(keyspace_.LfuFrequency(db_.Peek("k")->access()), 0u);
}

TEST_F(EvictionTest, LfuArithmeticIsRedis) {
  LfuParams params{.log_factor = 10, .decay_minutes = 2};
  EXPECT_EQ(LfuIncremented(5, params, 0.99), 6u);   // p = 1 at or below the initial value
  EXPECT_EQ(LfuIncremented(15, params, 0.5), 15u);  // p = 1 / (10 * 10 + 1)
  EXPECT_EQ(LfuIncremented(15, params, 0.009), 16u);
  EXPECT_EQ(LfuIncremented(255, params, 0.0), 255u);
  EXPECT_EQ(LfuDecayed(LfuPack(100, 20), 107, params), 17u);   // 3 whole periods of 2 minutes
  EXPECT_EQ(LfuDecayed(LfuPack(0xfffe, 20), 2, params), 19u);  // wrapped: 3 minutes, 1 period
  EXPECT_EQ(LfuDecayed(LfuPack(100, 20), 107, {.log_factor = 10, .decay_minutes = 0}), 20u);
}

TEST_F(EvictionTest, AnEvictedPopularKeyComesBackWithItsHistory) {
  keyspace_.SetAccessMode(AccessMode::kLfu, {}, true);
  for (int i = 0; i < 8; ++i) db_.Lookup("popular");  // misses, remembered by the sketch
  db_.SetString("popular", "v");
  db_.SetString("stranger", "v");
  EXPECT_GT(keyspace_.LfuFrequency(db_.Peek("popular")->access()),
            keyspace_.LfuFrequency(db_.Peek("stranger")->access()));
}

TEST_F(EvictionTest, VolatileTtlEvictsTheNearestDeadlinesAndSparesKeysWithout) {
  for (int i = 0; i < 100; ++i) {
    db_.SetString(Key(i), "value", TtlUpdate::At(clock_.NowMs() + (i + 1) * kMinute));
  }
  for (int i = 100; i < 150; ++i) db_.SetString(Key(i), "value");
  Limit(EvictionPolicy::kVolatileTtl, 0.8);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kOk);
  EXPECT_EQ(Surviving(100, 150, db_), 50);
  EXPECT_GE(Surviving(60, 100, db_), 37);  // the far deadlines stay (approximated)
  EXPECT_LT(Surviving(0, 30, db_), 30);
}

TEST_F(EvictionTest, VolatilePoliciesFailWhenNoKeyHasADeadline) {
  Fill(50, db_);
  for (EvictionPolicy policy : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                                EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl}) {
    Limit(policy, 0.5);
    EXPECT_EQ(PerformToTheEnd(), EvictionResult::kFail);
    EXPECT_EQ(db_.Size(), 50u);
  }
}

TEST_F(EvictionTest, VolatileLruEvictsOnlyKeysWithADeadline) {
  for (int i = 0; i < 100; ++i) {
    db_.SetString(Key(i), "value",
                  i % 2 ? TtlUpdate::At(clock_.NowMs() + kMinute) : TtlUpdate::Clear());
  }
  Limit(EvictionPolicy::kVolatileLru, 0.75);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kOk);
  for (int i = 0; i < 100; i += 2) EXPECT_NE(db_.Peek(Key(i)), nullptr) << i;
}

TEST_F(EvictionTest, RandomPoliciesEvictFromEveryDatabase) {
  Fill(100, db_);
  Fill(100, keyspace_.db(1));
  Limit(EvictionPolicy::kAllKeysRandom, 0.5);
  EXPECT_EQ(PerformToTheEnd(), EvictionResult::kOk);
  EXPECT_LT(db_.Size(), 100u);
  EXPECT_LT(keyspace_.db(1).Size(), 100u);
  EXPECT_LE(gauge_.Used(), keyspace_.evictor().settings().maxmemory);
}

TEST_F(EvictionTest, ASliceStopsWhenItsTimeIsUpAndTheNextOneContinues) {
  Fill(1000, db_);
  // Tenacity 0 grants no time: a slice evicts the 16 keys between two readings of the clock.
  Limit(EvictionPolicy::kAllKeysRandom, 0.1, /*tenacity=*/0);
  EXPECT_EQ(keyspace_.evictor().Perform(), EvictionResult::kRunning);
  EXPECT_EQ(db_.Size(), 1000u - 16);
  while (keyspace_.evictor().Perform() == EvictionResult::kRunning) {
  }
  EXPECT_LE(gauge_.Used(), keyspace_.evictor().settings().maxmemory);
}

TEST_F(EvictionTest, TenacityBudgetsAreRedis) {
  EXPECT_EQ(Evictor::TenacityBudgetUs(0), 0);
  EXPECT_EQ(Evictor::TenacityBudgetUs(10), 500);
  EXPECT_EQ(Evictor::TenacityBudgetUs(11), 575);
  EXPECT_EQ(Evictor::TenacityBudgetUs(100), INT64_MAX);
}

TEST_F(EvictionTest, TheKeyTableDoesNotGrowPastTheLimit) {
  Fill(1000, db_);
  size_t table_bytes = keyspace_.Memory().table_bytes;
  // The gauge counts entries only; a limit just above them leaves no room for a larger table.
  Limit(EvictionPolicy::kNoEviction, 1.01);
  for (int i = 1000; i < 1400; ++i) db_.SetString(Key(i), "value");
  // Chains took the extra keys (a few 64-byte child buckets); a doubled array would have added
  // as much as the whole table.
  EXPECT_LT(keyspace_.Memory().table_bytes, table_bytes * 3 / 2);
  // Without a limit the same inserts grow it.
  keyspace_.evictor().Configure({}, nullptr);
  for (int i = 1400; i < 1500; ++i) db_.SetString(Key(i), "value");
  EXPECT_GT(keyspace_.Memory().table_bytes, table_bytes * 2);
}

}  // namespace
}  // namespace magnetar::engine
