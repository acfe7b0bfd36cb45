// Database::StringForUpdate, the in-place string edits behind SETBIT and BITFIELD: keys created,
// values of every string encoding converted with their text and deadline, zero padding, growth
// without a copy per step, wrong types, expiry and memory accounting.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "magnetar/common/clock.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

class SomeObject final : public Object {
 public:
  size_t MemoryBytes() const override { return 0; }
};

class BitmapOpsTest : public ::testing::Test {
 protected:
  std::optional<std::string> Get(std::string_view key) {
    auto value = db_.GetString(key);
    if (!value.ok() || !*value) return std::nullopt;
    return std::string((*value)->view());
  }
  std::span<char> Update(std::string_view key, size_t min_size) {
    auto bytes = db_.StringForUpdate(key, min_size);
    EXPECT_TRUE(bytes.ok());
    return bytes.ok() ? *bytes : std::span<char>();
  }

  ManualClock clock_;
  Keyspace keyspace_{1, clock_};
  Database& db_ = keyspace_.db(0);
};

TEST_F(BitmapOpsTest, CreatesAMissingKeyZeroPadded) {
  std::span<char> bytes = Update("k", 3);
  ASSERT_EQ(bytes.size(), 3u);
  bytes[1] = 'x';
  EXPECT_EQ(Get("k"), std::string("\0x\0", 3));
  EXPECT_FALSE(db_.Lookup("k")->has_deadline());
}

TEST_F(BitmapOpsTest, KeepsTheTextAndDeadlineOfEveryStringEncoding) {
  const int64_t deadline = clock_.NowMs() + 5000;
  db_.SetString("inline", "abc", TtlUpdate::At(deadline));
  db_.SetString("integer", "-123", TtlUpdate::At(deadline));
  db_.SetString("heap", std::string(100, 'h'), TtlUpdate::At(deadline));
  ASSERT_EQ(db_.Lookup("integer")->encoding(), Encoding::kInteger);

  EXPECT_EQ(Update("inline", 1).size(), 3u);
  EXPECT_EQ(Update("integer", 6).size(), 6u);
  EXPECT_EQ(Update("heap", 10).size(), 100u);

  EXPECT_EQ(Get("inline"), "abc");
  EXPECT_EQ(Get("integer"), std::string("-123\0\0", 6));
  EXPECT_EQ(Get("heap"), std::string(100, 'h'));
  for (std::string_view key : {"inline", "integer", "heap"}) {
    ASSERT_TRUE(db_.Lookup(key)->has_deadline()) << key;
    EXPECT_EQ(db_.Lookup(key)->deadline(), deadline) << key;
  }
}

TEST_F(BitmapOpsTest, EditsAreSeenByReaders) {
  db_.SetString("n", "123");
  Update("n", 1)[0] = '9';
  EXPECT_EQ(Get("n"), "923");
}

TEST_F(BitmapOpsTest, GrowingInSmallStepsKeepsTheBytesInPlace) {
  std::span<char> first = Update("k", 1000);
  first[999] = 'z';
  std::span<char> later = Update("k", 1500);
  EXPECT_EQ(later.data(), first.data());
  EXPECT_EQ(later[999], 'z');
  EXPECT_EQ(later[1499], '\0');
  EXPECT_EQ(Get("k")->size(), 1500u);
}

TEST_F(BitmapOpsTest, NeverShrinks) {
  db_.SetString("k", "abcdef");
  EXPECT_EQ(Update("k", 2).size(), 6u);
  EXPECT_EQ(Get("k"), "abcdef");
}

TEST_F(BitmapOpsTest, RefusesOtherTypes) {
  db_.SetObject("o", ValueType::kSet, std::make_unique<SomeObject>());
  EXPECT_EQ(db_.StringForUpdate("o", 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(db_.Lookup("o")->type(), ValueType::kSet);
}

TEST_F(BitmapOpsTest, AnExpiredKeyStartsOverEmpty) {
  db_.SetString("k", "old", TtlUpdate::At(clock_.NowMs() + 10));
  clock_.AdvanceMs(11);
  EXPECT_EQ(Update("k", 2).size(), 2u);
  EXPECT_EQ(Get("k"), std::string(2, '\0'));
  EXPECT_FALSE(db_.Lookup("k")->has_deadline());
}

TEST_F(BitmapOpsTest, MemoryAccountingFollowsGrowthAndDeletion) {
  const size_t before = db_.Memory().entry_bytes;
  Update("k", 10);
  const size_t small = db_.Memory().entry_bytes;
  EXPECT_GT(small, before);
  Update("k", 100'000);
  EXPECT_GE(db_.Memory().entry_bytes, small + 100'000);
  db_.Delete("k");
  EXPECT_EQ(db_.Memory().entry_bytes, before);
}

}  // namespace
}  // namespace magnetar::engine
