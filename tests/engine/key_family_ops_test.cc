// The engine operations behind RENAME, MOVE, COPY, UNLINK and SWAPDB: values keep their storage
// and deadline, expiry bookkeeping and memory accounting follow the key, copies are deep.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "magnetar/common/clock.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

// An object with a value, so a test can tell a copy from the original.
class Box final : public Object {
 public:
  Box(int& live, int value) : live_(live), value_(value) { ++live_; }
  ~Box() override { --live_; }
  size_t MemoryBytes() const override { return sizeof(*this); }
  std::unique_ptr<Object> Clone() const override { return std::make_unique<Box>(live_, value_); }

  int value() const { return value_; }
  void set_value(int value) { value_ = value; }

 private:
  int& live_;
  int value_;
};

class KeyFamilyOpsTest : public ::testing::Test {
 protected:
  std::string Get(Database& db, std::string_view key) {
    auto value = db.GetString(key);
    if (!value.ok() || !*value) return "<none>";
    return std::string((*value)->view());
  }
  Box* BoxAt(Database& db, std::string_view key) {
    const Entry* entry = db.Lookup(key);
    return entry == nullptr ? nullptr : static_cast<Box*>(entry->object());
  }

  ManualClock clock_;
  Keyspace keyspace_{3, clock_};
  Database& db0_ = keyspace_.db(0);
  Database& db1_ = keyspace_.db(1);
  int live_ = 0;
};

TEST_F(KeyFamilyOpsTest, MoveEntryRenamesAcrossKeyLengthsWithTheDeadline) {
  std::string long_name(300, 'k');
  int64_t deadline = clock_.NowMs() + 5000;
  db0_.SetString("short", std::string(200, 'v'), TtlUpdate::At(deadline));
  ASSERT_TRUE(db0_.MoveEntry("short", db0_, long_name));
  EXPECT_EQ(Get(db0_, long_name), std::string(200, 'v'));
  EXPECT_EQ(db0_.Lookup(long_name)->deadline(), deadline);
  ASSERT_TRUE(db0_.MoveEntry(long_name, db0_, "s"));
  EXPECT_EQ(Get(db0_, "s"), std::string(200, 'v'));
  EXPECT_EQ(db0_.Size(), 1u);
  EXPECT_EQ(db0_.ExpiresCount(), 1u);
  EXPECT_FALSE(db0_.MoveEntry("missing", db0_, "x"));
}

TEST_F(KeyFamilyOpsTest, MoveEntryReplacesTheTargetAndMovesBookkeeping) {
  db0_.SetInteger("k", 42, TtlUpdate::At(clock_.NowMs() + 100));
  db1_.SetString("k", "old", TtlUpdate::At(clock_.NowMs() + 50));
  size_t empty_bytes = db0_.Memory().entry_bytes;
  db0_.SetObject("obj", ValueType::kHash, std::make_unique<Box>(live_, 7));
  ASSERT_TRUE(db0_.MoveEntry("obj", db1_, "obj"));
  ASSERT_TRUE(db0_.MoveEntry("k", db1_, "k"));
  EXPECT_EQ(db0_.Size(), 0u);
  EXPECT_EQ(db0_.ExpiresCount(), 0u);
  EXPECT_LE(db0_.Memory().entry_bytes, empty_bytes);
  EXPECT_EQ(Get(db1_, "k"), "42");
  EXPECT_EQ(db1_.ExpiresCount(), 1u);
  EXPECT_EQ(BoxAt(db1_, "obj")->value(), 7);
  EXPECT_EQ(live_, 1);  // the object moved, it was not copied
  clock_.AdvanceMs(101);
  EXPECT_EQ(db1_.ActiveExpireStep(MonotonicUs() + 10'000'000).expired, 1u);
  EXPECT_EQ(db1_.Size(), 1u);
}

TEST_F(KeyFamilyOpsTest, CopyEntryIsDeep) {
  db0_.SetObject("obj", ValueType::kSet, std::make_unique<Box>(live_, 1),
                 TtlUpdate::At(clock_.NowMs() + 100));
  ASSERT_TRUE(db0_.CopyEntry("obj", db1_, "copy"));
  EXPECT_EQ(live_, 2);
  BoxAt(db0_, "obj")->set_value(2);
  EXPECT_EQ(BoxAt(db1_, "copy")->value(), 1);
  EXPECT_EQ(db1_.Lookup("copy")->type(), ValueType::kSet);
  EXPECT_EQ(db1_.Lookup("copy")->deadline(), clock_.NowMs() + 100);
  db0_.SetString("str", "text");
  ASSERT_TRUE(db0_.CopyEntry("str", db0_, "str2"));
  EXPECT_EQ(Get(db0_, "str2"), "text");
  EXPECT_FALSE(db0_.CopyEntry("missing", db0_, "x"));
}

TEST_F(KeyFamilyOpsTest, UnlinkRemovesAtOnce) {
  db0_.SetObject("obj", ValueType::kList, std::make_unique<Box>(live_, 1));
  EXPECT_TRUE(db0_.Unlink("obj"));
  EXPECT_FALSE(db0_.Unlink("obj"));
  EXPECT_EQ(db0_.Size(), 0u);
  keyspace_.lazy_freer().Drain();
  EXPECT_EQ(live_, 0);
}

TEST_F(KeyFamilyOpsTest, SwapDatabasesRenumbers) {
  db0_.SetString("a", "0");
  keyspace_.SwapDatabases(0, 2);
  EXPECT_EQ(keyspace_.db(0).Size(), 0u);
  EXPECT_EQ(Get(keyspace_.db(2), "a"), "0");
  EXPECT_EQ(keyspace_.db(2).index(), 2u);
  EXPECT_EQ(keyspace_.db(0).index(), 0u);
}

TEST_F(KeyFamilyOpsTest, AverageTtlFollowsEveryDeadlineChange) {
  EXPECT_EQ(db0_.AverageTtlMs(), 0);
  int64_t now = clock_.NowMs();
  db0_.SetString("a", "v", TtlUpdate::At(now + 1000));
  db0_.SetString("b", "v", TtlUpdate::At(now + 3000));
  db0_.SetString("c", "v");
  EXPECT_EQ(db0_.AverageTtlMs(), 2000);
  db0_.SetDeadline("c", now + 5000);
  EXPECT_EQ(db0_.AverageTtlMs(), 3000);
  db0_.Persist("b");
  EXPECT_EQ(db0_.AverageTtlMs(), 3000);
  ASSERT_TRUE(db0_.MoveEntry("c", db1_, "c"));
  EXPECT_EQ(db0_.AverageTtlMs(), 1000);
  EXPECT_EQ(db1_.AverageTtlMs(), 5000);
  db0_.SetString("a", "overwritten", TtlUpdate::Keep());
  clock_.AdvanceMs(500);
  EXPECT_EQ(db0_.AverageTtlMs(), 500);
  clock_.AdvanceMs(501);
  EXPECT_EQ(db0_.Lookup("a"), nullptr);
  EXPECT_EQ(db0_.AverageTtlMs(), 0);
  db1_.SetString("huge", "v", TtlUpdate::At(INT64_MAX));
  db1_.SetString("huge2", "v", TtlUpdate::At(INT64_MAX));
  db1_.Delete("huge");
  db1_.Delete("huge2");
  EXPECT_EQ(db1_.AverageTtlMs(), 5000 - 1001);
}

}  // namespace
}  // namespace magnetar::engine
