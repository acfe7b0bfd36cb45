// The table on its own: lookups at scale, SCAN's guarantee while the table grows and shrinks,
// and sampling.
#include "magnetar/engine/key_table.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace magnetar::engine {
namespace {

std::string Key(std::string_view prefix, size_t i) {
  return std::string(prefix) + std::to_string(i);
}

class KeyTableTest : public ::testing::Test {
 protected:
  void Add(const std::string& key) {
    table_.Insert(Entry::Create(key, EntryValue::String("v"), std::nullopt, 0), table_.Hash(key));
  }
  bool Contains(const std::string& key) {
    KeyTable::Position position;
    return table_.Find(key, table_.Hash(key), &position) != nullptr;
  }
  bool Remove(const std::string& key) {
    KeyTable::Position position;
    Entry* entry = table_.Find(key, table_.Hash(key), &position);
    if (entry == nullptr) return false;
    table_.Erase(position);
    Entry::Destroy(entry);
    return true;
  }
  // One SCAN call; collects what it returns.
  uint64_t ScanOnce(uint64_t cursor, std::unordered_set<std::string>& seen) {
    return table_.Scan(cursor, [&](const Entry& entry) { seen.emplace(entry.key()); });
  }

  KeyTable table_;
};

TEST_F(KeyTableTest, InsertFindAndEraseAtScale) {
  constexpr size_t kKeys = 200'000;
  for (size_t i = 0; i < kKeys; ++i) Add(Key("key:", i));
  EXPECT_EQ(table_.size(), kKeys);
  for (size_t i = 0; i < kKeys; ++i) ASSERT_TRUE(Contains(Key("key:", i))) << i;
  for (size_t i = 0; i < kKeys; ++i) ASSERT_FALSE(Contains(Key("missing:", i))) << i;
  for (size_t i = 0; i < kKeys; i += 2) ASSERT_TRUE(Remove(Key("key:", i)));
  EXPECT_EQ(table_.size(), kKeys / 2);
  for (size_t i = 0; i < kKeys; ++i) ASSERT_EQ(Contains(Key("key:", i)), i % 2 == 1) << i;
  for (size_t i = 1; i < kKeys; i += 2) ASSERT_TRUE(Remove(Key("key:", i)));
  EXPECT_EQ(table_.size(), 0u);
  EXPECT_FALSE(Contains("key:1"));
}

TEST_F(KeyTableTest, ReserveSizesTheTableOnceForTheKeysAnnounced) {
  table_.Reserve(100000);
  // 100,000 keys at up to 5 per bucket: 20,000 buckets, rounded up to a power of two.
  size_t reserved = table_.BucketBytes();
  EXPECT_EQ(reserved, 32768u * 64);
  for (size_t i = 0; i < 100000; ++i) Add(Key("k", i));
  // No resize started: the array is the same, plus a few chained children.
  EXPECT_FALSE(table_.resizing());
  EXPECT_LT(table_.BucketBytes() - reserved, reserved / 20);
  for (size_t i = 0; i < 100000; i += 997) EXPECT_TRUE(Contains(Key("k", i)));
  // A table already larger keeps its array; a smaller one starts a single resize.
  size_t before = table_.BucketBytes();
  table_.Reserve(10);
  EXPECT_EQ(table_.BucketBytes(), before);
  table_.Reserve(1000000);
  EXPECT_TRUE(table_.resizing());
  while (table_.RehashStep(1000)) {
  }
  for (size_t i = 0; i < 100000; i += 997) EXPECT_TRUE(Contains(Key("k", i)));
}

TEST_F(KeyTableTest, InsertUniqueRefusesAKeyAlreadyThere) {
  for (size_t i = 0; i < 1000; ++i) {
    std::string key = Key("k", i);
    Entry* entry = Entry::Create(key, EntryValue::String("v"), std::nullopt, 0);
    ASSERT_EQ(table_.InsertUnique(entry, table_.Hash(key)), nullptr);
  }
  Entry* twin = Entry::Create("k500", EntryValue::String("w"), std::nullopt, 0);
  Entry* present = table_.InsertUnique(twin, table_.Hash("k500"));
  ASSERT_NE(present, nullptr);
  EXPECT_EQ(present->string().view(), "v");
  EXPECT_EQ(table_.size(), 1000u);
  Entry::Destroy(twin);
}

TEST_F(KeyTableTest, ShrinksAfterMassDeletion) {
  for (size_t i = 0; i < 100'000; ++i) Add(Key("key:", i));
  size_t full = table_.BucketBytes();
  for (size_t i = 0; i < 99'990; ++i) Remove(Key("key:", i));
  while (table_.RehashStep(1000)) {
  }
  EXPECT_LT(table_.BucketBytes() * 100, full);
  for (size_t i = 99'990; i < 100'000; ++i) EXPECT_TRUE(Contains(Key("key:", i)));
}

TEST_F(KeyTableTest, FullScanReturnsEveryKey) {
  for (size_t i = 0; i < 10'000; ++i) Add(Key("key:", i));
  std::unordered_set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = ScanOnce(cursor, seen);
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST_F(KeyTableTest, ScanOfAnEmptyTableEndsAtOnce) {
  std::unordered_set<std::string> seen;
  EXPECT_EQ(ScanOnce(0, seen), 0u);
  EXPECT_TRUE(seen.empty());
}

// Keys present from the first SCAN call to the last must all be returned, whatever the table
// does in between.
TEST_F(KeyTableTest, ScanReturnsEveryStableKeyWhileTheTableGrowsThenShrinks) {
  constexpr size_t kStable = 2'000;
  for (size_t i = 0; i < kStable; ++i) Add(Key("stable:", i));
  std::unordered_set<std::string> seen;
  size_t extra = 0;
  size_t removed = 0;
  bool saw_resize = false;
  uint64_t cursor = 0;
  do {
    cursor = ScanOnce(cursor, seen);
    // First half of the iteration: grow to ~40x; then delete everything extra.
    if (extra < 80'000) {
      for (int j = 0; j < 400; ++j) Add(Key("extra:", extra++));
    } else {
      for (int j = 0; j < 2'000 && removed < extra; ++j) Remove(Key("extra:", removed++));
    }
    saw_resize = saw_resize || table_.resizing();
  } while (cursor != 0);
  EXPECT_TRUE(saw_resize);
  for (size_t i = 0; i < kStable; ++i) EXPECT_TRUE(seen.contains(Key("stable:", i))) << i;
}

TEST_F(KeyTableTest, ScanReturnsEveryStableKeyWhileTheTableShrinks) {
  constexpr size_t kStable = 500;
  for (size_t i = 0; i < kStable; ++i) Add(Key("stable:", i));
  for (size_t i = 0; i < 100'000; ++i) Add(Key("extra:", i));
  while (table_.RehashStep(1000)) {
  }
  std::unordered_set<std::string> seen;
  size_t removed = 0;
  bool saw_resize = false;
  uint64_t cursor = 0;
  do {
    cursor = ScanOnce(cursor, seen);
    for (int j = 0; j < 5'000 && removed < 100'000; ++j) Remove(Key("extra:", removed++));
    saw_resize = saw_resize || table_.resizing();
  } while (cursor != 0);
  EXPECT_TRUE(saw_resize);
  for (size_t i = 0; i < kStable; ++i) EXPECT_TRUE(seen.contains(Key("stable:", i))) << i;
}

TEST_F(KeyTableTest, ScanWithRandomChurnNeverMissesAStableKey) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 3; ++round) {
    table_.Clear();
    for (size_t i = 0; i < 300; ++i) Add(Key("stable:", i));
    std::vector<std::string> churn;
    std::unordered_set<std::string> seen;
    uint64_t cursor = 0;
    size_t next = 0;
    do {
      cursor = ScanOnce(cursor, seen);
      // Bursts of inserts or deletes of random size, so resizes start at arbitrary cursors. The
      // cap keeps the table (and so the iteration) from growing without bound.
      size_t burst = random() % 1000;
      if (churn.empty() || (churn.size() < 8'000 && random() % 2 == 0)) {
        for (size_t j = 0; j < burst; ++j) {
          churn.push_back(Key("churn:", next++));
          Add(churn.back());
        }
      } else {
        for (size_t j = 0; j < burst && !churn.empty(); ++j) {
          Remove(churn.back());
          churn.pop_back();
        }
      }
    } while (cursor != 0);
    for (size_t i = 0; i < 300; ++i) ASSERT_TRUE(seen.contains(Key("stable:", i))) << i;
  }
}

TEST_F(KeyTableTest, SamplingReturnsExistingKeysAndCoversTheTable) {
  for (size_t i = 0; i < 200; ++i) Add(Key("key:", i));
  std::mt19937_64 random(1);
  auto draw = [&random] { return random(); };
  std::set<std::string> drawn;
  for (int i = 0; i < 20'000; ++i) {
    Entry* entry = table_.Random(draw);
    ASSERT_NE(entry, nullptr);
    ASSERT_TRUE(Contains(std::string(entry->key())));
    drawn.emplace(entry->key());
  }
  EXPECT_EQ(drawn.size(), 200u);
}

TEST_F(KeyTableTest, SamplingWorksMidResizeAndOnAnEmptyTable) {
  std::mt19937_64 random(2);
  auto draw = [&random] { return random(); };
  EXPECT_EQ(table_.Random(draw), nullptr);
  for (size_t i = 0; i < 5'000; ++i) Add(Key("key:", i));
  ASSERT_TRUE(table_.resizing() || table_.size() == 5'000);
  for (size_t i = 0; i < 4'990; ++i) Remove(Key("key:", i));
  std::set<std::string> drawn;
  for (int i = 0; i < 2'000; ++i) {
    Entry* entry = table_.Random(draw);
    ASSERT_NE(entry, nullptr);
    drawn.emplace(entry->key());
  }
  EXPECT_EQ(drawn.size(), 10u);
}

TEST_F(KeyTableTest, MovedTableKeepsItsKeysAndTheSourceStaysUsable) {
  for (size_t i = 0; i < 1'000; ++i) Add(Key("key:", i));
  KeyTable moved(std::move(table_));
  EXPECT_EQ(moved.size(), 1'000u);
  EXPECT_EQ(table_.size(), 0u);
  Add("again");
  EXPECT_TRUE(Contains("again"));
}

}  // namespace
}  // namespace magnetar::engine
