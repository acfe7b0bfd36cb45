// The engine's side of the write hook: what Database::Changed counts and tells the observer, the
// "new" event of keys that are created (also when RENAME, MOVE or COPY replace one, as Redis
// deletes the old key first), and whether StringForUpdate created or lengthened its string.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

class EventLog final : public NullKeyspaceObserver {
 public:
  void OnKeyModified(size_t db, std::string_view key) override {
    log.push_back("modified " + std::to_string(db) + " " + std::string(key));
  }
  void OnKeyEvent(uint32_t, std::string_view event, size_t db, std::string_view key) override {
    log.push_back(std::string(event) + " " + std::to_string(db) + " " + std::string(key));
  }
  std::vector<std::string> log;
};

using Log = std::vector<std::string>;

class WriteHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keyspace_.SetObserver(&events_);
    keyspace_.SetNotifyMask(~0u);
  }
  void TearDown() override { keyspace_.SetObserver(nullptr); }
  Log Take() { return std::exchange(events_.log, {}); }

  ManualClock clock_;
  Keyspace keyspace_{2, clock_};
  Database& db0_ = keyspace_.db(0);
  Database& db1_ = keyspace_.db(1);
  EventLog events_;
};

TEST_F(WriteHookTest, ChangedCountsItsChangesAndTellsTheObserverBeforeTheEvent) {
  db0_.SetString("k", "v");
  db0_.Changed("k", kNotifyString, "set");
  db0_.Notify(kNotifyGeneric, "expire", "k");
  EXPECT_EQ(Take(), (Log{"new 0 k", "modified 0 k", "set 0 k", "expire 0 k"}));
  EXPECT_EQ(keyspace_.dirty(), 1u);
  db0_.Changed("k", kNotifyString, "setbit", 3);
  db0_.Changed("k", kNotifyGeneric, "rename_to", 0);
  EXPECT_EQ(keyspace_.dirty(), 4u);
  EXPECT_EQ(Take(), (Log{"modified 0 k", "setbit 0 k", "modified 0 k", "rename_to 0 k"}));
}

TEST_F(WriteHookTest, EventsOfDisabledClassesAreNotRaised) {
  keyspace_.SetNotifyMask(kNotifyKeyspace | kNotifyGeneric);
  db0_.SetString("k", "v");
  db0_.Changed("k", kNotifyString, "set");
  db0_.Changed("k", kNotifyGeneric, "del");
  EXPECT_EQ(Take(), (Log{"modified 0 k", "modified 0 k", "del 0 k"}));
}

TEST_F(WriteHookTest, OnlyCreatedKeysAreNew) {
  db0_.SetString("k", "v");
  db0_.SetString("k", "w");
  ASSERT_TRUE(db0_.IncrementInteger("n", 1).ok());
  ASSERT_TRUE(db0_.IncrementInteger("n", 1).ok());
  EXPECT_EQ(Take(), (Log{"new 0 k", "new 0 n"}));
}

TEST_F(WriteHookTest, MovedAndCopiedKeysAreNewEvenWhenTheyReplaceOne) {
  db0_.SetString("a", "1");
  db0_.SetString("b", "2");
  db1_.SetString("b", "3");
  Take();
  ASSERT_TRUE(db0_.MoveEntry("a", db0_, "b"));  // RENAME a b over an existing b
  ASSERT_TRUE(db0_.CopyEntry("b", db1_, "b"));  // COPY b b DB 1 REPLACE
  ASSERT_TRUE(db0_.MoveEntry("b", db1_, "c"));  // MOVE to a missing key
  EXPECT_EQ(Take(), (Log{"new 0 b", "new 1 b", "new 1 c"}));
}

TEST_F(WriteHookTest, ReadMissesRaiseKeymissUnlessInspectingQuietly) {
  db0_.SetString("k", "v");
  Take();
  db0_.LookupForRead("k");
  db0_.LookupForRead("a");
  ASSERT_TRUE(db0_.GetString("b").ok());
  db0_.InspectForRead("c");
  db0_.InspectForRead("d", /*notify_miss=*/false);
  db0_.Lookup("e");  // a write's lookup
  EXPECT_EQ(Take(), (Log{"keymiss 0 a", "keymiss 0 b", "keymiss 0 c"}));
  EXPECT_EQ(keyspace_.stats().misses, 4u);
}

TEST_F(WriteHookTest, DeleteStoredRemovesAnExpiredKeyWithoutExpiringIt) {
  db0_.SetString("k", "v", TtlUpdate::At(clock_.NowMs() + 10));
  clock_.AdvanceMs(20);
  Take();
  EXPECT_TRUE(db0_.DeleteStored("k"));
  EXPECT_FALSE(db0_.DeleteStored("k"));
  EXPECT_EQ(db0_.Size(), 0u);
  EXPECT_EQ(db0_.ExpiresCount(), 0u);
  EXPECT_EQ(keyspace_.stats().expired, 0u);
  EXPECT_EQ(Take(), Log{});
}

TEST_F(WriteHookTest, StringForUpdateReportsCreationAndGrowth) {
  bool grown = false;
  ASSERT_TRUE(db0_.StringForUpdate("k", 4, &grown).ok());
  EXPECT_TRUE(grown);
  ASSERT_TRUE(db0_.StringForUpdate("k", 4, &grown).ok());
  EXPECT_FALSE(grown);
  ASSERT_TRUE(db0_.StringForUpdate("k", 2, &grown).ok());
  EXPECT_FALSE(grown);
  ASSERT_TRUE(db0_.StringForUpdate("k", 5, &grown).ok());
  EXPECT_TRUE(grown);
  db0_.SetString("int", "12");  // stored as an integer, turned into bytes in place
  ASSERT_TRUE(db0_.StringForUpdate("int", 2, &grown).ok());
  EXPECT_FALSE(grown);
}

}  // namespace
}  // namespace magnetar::engine
