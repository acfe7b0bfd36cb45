// A database as commands see it: strings and objects, overwrites and TTLs, lazy expiry, the expire
// hook, sampling and flushing.
#include "magnetar/engine/database.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/engine/keyspace.h"
#include "support/expiry_recorder.h"

namespace magnetar::engine {
namespace {

// Counts live instances, so tests can see that flushing frees objects.
class CountedObject final : public Object {
 public:
  explicit CountedObject(int& live) : live_(live) { ++live_; }
  ~CountedObject() override { --live_; }
  size_t MemoryBytes() const override { return sizeof(*this); }

 private:
  int& live_;
};

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest() { keyspace_.SetObserver(&recorder_); }

  std::optional<std::string> Get(std::string_view key) {
    auto value = db_.GetString(key);
    EXPECT_TRUE(value.ok());
    if (!value.ok() || !*value) return std::nullopt;
    return std::string((*value)->view());
  }
  std::optional<int64_t> DeadlineOf(std::string_view key) {
    const Entry* entry = db_.Lookup(key);
    if (entry == nullptr || !entry->has_deadline()) return std::nullopt;
    return entry->deadline();
  }
  size_t Step() { return db_.ActiveExpireStep(MonotonicUs() + 10'000'000).expired; }
  int64_t Now() const { return clock_.NowMs(); }

  ManualClock clock_;
  Keyspace keyspace_{2, clock_};
  Database& db_ = keyspace_.db(0);
  test_support::ExpiryRecorder recorder_;
  std::vector<std::pair<size_t, std::string>>& expired_ = recorder_.expired;
};

TEST_F(DatabaseTest, SetGetOverwriteAndDelete) {
  EXPECT_EQ(Get("k"), std::nullopt);
  db_.SetString("k", "hello");
  EXPECT_EQ(Get("k"), "hello");
  db_.SetString("k", std::string(1000, 'x'));
  EXPECT_EQ(Get("k"), std::string(1000, 'x'));
  db_.SetString("k", "42");
  EXPECT_EQ(Get("k"), "42");
  EXPECT_EQ(db_.Size(), 1u);
  EXPECT_TRUE(db_.Delete("k"));
  EXPECT_FALSE(db_.Delete("k"));
  EXPECT_EQ(db_.Size(), 0u);
  EXPECT_EQ(keyspace_.stats().hits, 3u);
  EXPECT_EQ(keyspace_.stats().misses, 1u);
}

TEST_F(DatabaseTest, IntegerTextsRoundTripExactly) {
  for (std::string_view text : {"123", "-5", "0", "007", "-0", "9223372036854775808", "1e3"}) {
    db_.SetString("k", text);
    EXPECT_EQ(Get("k"), text);
    EXPECT_EQ(db_.Lookup("k")->string().is_integer(), text == "123" || text == "-5" || text == "0");
  }
  db_.SetInteger("n", -9223372036854775807 - 1);
  EXPECT_EQ(Get("n"), "-9223372036854775808");
}

TEST_F(DatabaseTest, ObjectsAreOwnedAndReplacedAndOtherTypesAreWrongType) {
  int live = 0;
  db_.SetObject("list", ValueType::kList, std::make_unique<CountedObject>(live));
  EXPECT_EQ(live, 1);
  EXPECT_EQ(db_.GetString("list").status(), OpStatus::kWrongType);
  EXPECT_EQ(db_.Lookup("list")->type(), ValueType::kList);
  db_.SetString("list", "now a string");
  EXPECT_EQ(live, 0);
  db_.SetObject("set", ValueType::kSet, std::make_unique<CountedObject>(live));
  EXPECT_TRUE(db_.Delete("set"));
  EXPECT_EQ(live, 0);
}

TEST_F(DatabaseTest, ManyKeysAcrossGrowthAndShrink) {
  for (int i = 0; i < 200'000; ++i) db_.SetString(fmt::format("key:{}", i), std::to_string(i));
  EXPECT_EQ(db_.Size(), 200'000u);
  for (int i = 0; i < 200'000; i += 1'000)
    EXPECT_EQ(Get(fmt::format("key:{}", i)), std::to_string(i));
  for (int i = 0; i < 199'000; ++i) ASSERT_TRUE(db_.Delete(fmt::format("key:{}", i)));
  EXPECT_EQ(db_.Size(), 1'000u);
  EXPECT_EQ(Get("key:199500"), "199500");
}

// The cron's rehash slice would add to the wait of every request queued behind it, and a table
// with traffic moves a bucket per lookup anyway: the cron leaves a resize that its traffic drives
// faster than the cron would, and finishes the others, however little traffic they have.
TEST_F(DatabaseTest, CronRehashesOnlyTablesTheirTrafficDoesNotKeepMoving) {
  Database& other = keyspace_.db(1);
  // 163,841 keys start a resize of 32,768 buckets in db 0; 10,000 keys a smaller one in db 1.
  int keys = 0;
  while (keys < 150'000 || !db_.resizing()) db_.SetString(fmt::format("key:{}", keys++), "v");
  for (int i = 0; i < 10'000 || !other.resizing(); ++i) {
    other.SetString(fmt::format("key:{}", i), "v");
  }
  keyspace_.RehashStep(0);  // forgets the steps the inserts made
  // Busy traffic on db 0 (each lookup moves a bucket), one lookup on db 1.
  for (int i = 0; i < 2'000; ++i) ASSERT_EQ(Get(fmt::format("key:{}", i * 7)), "v");
  EXPECT_NE(other.Lookup("key:1"), nullptr);
  keyspace_.RehashStep(10'000'000);
  EXPECT_TRUE(db_.resizing());
  EXPECT_FALSE(other.resizing());
  // Traffic on db 0 drops to a trickle: the next tick finishes it.
  EXPECT_EQ(Get("key:0"), "v");
  keyspace_.RehashStep(10'000'000);
  EXPECT_FALSE(db_.resizing());
  for (int i = 0; i < keys; i += 997) ASSERT_EQ(Get(fmt::format("key:{}", i)), "v") << i;
}

TEST_F(DatabaseTest, LazyExpiryRemovesTheKeyOnceTheClockPassesItsDeadline) {
  db_.SetString("k", "v", TtlUpdate::At(Now() + 100));
  EXPECT_EQ(db_.ExpiresCount(), 1u);
  clock_.AdvanceMs(100);
  EXPECT_EQ(Get("k"), "v");  // at the deadline itself the key still lives (Redis: now > deadline)
  clock_.AdvanceMs(1);
  EXPECT_EQ(Get("k"), std::nullopt);
  EXPECT_EQ(db_.Size(), 0u);
  EXPECT_EQ(db_.ExpiresCount(), 0u);
  EXPECT_EQ(keyspace_.stats().expired, 1u);
  ASSERT_EQ(expired_.size(), 1u);
  EXPECT_EQ(expired_[0], (std::pair<size_t, std::string>{0, "k"}));
}

TEST_F(DatabaseTest, EveryKindOfAccessExpiresLazily) {
  for (const char* key : {"a", "b", "c", "d", "e"}) db_.SetString(key, "v", TtlUpdate::At(Now()));
  clock_.AdvanceMs(1);
  EXPECT_FALSE(db_.Exists("a"));
  EXPECT_FALSE(db_.Delete("b"));
  EXPECT_FALSE(db_.SetDeadline("c", Now() + 1000));
  EXPECT_FALSE(db_.Persist("d"));
  db_.SetString("e", "new");  // replaces an expired key: it counts as expired first
  EXPECT_EQ(keyspace_.stats().expired, 5u);
  EXPECT_EQ(expired_.size(), 5u);
  EXPECT_EQ(db_.Size(), 1u);
  EXPECT_EQ(DeadlineOf("e"), std::nullopt);
}

TEST_F(DatabaseTest, OverwriteClearsKeepsOrSetsTheDeadlineAsAsked) {
  int64_t deadline = Now() + 5'000;
  db_.SetString("k", "1", TtlUpdate::At(deadline));
  db_.SetString("k", "2", TtlUpdate::Keep());
  EXPECT_EQ(DeadlineOf("k"), deadline);
  db_.SetString("k", "3", TtlUpdate::At(deadline + 1));
  EXPECT_EQ(DeadlineOf("k"), deadline + 1);
  db_.SetString("k", "4");
  EXPECT_EQ(DeadlineOf("k"), std::nullopt);
  EXPECT_EQ(db_.ExpiresCount(), 0u);
  db_.SetString("k", "5", TtlUpdate::Keep());
  EXPECT_EQ(DeadlineOf("k"), std::nullopt);
  EXPECT_EQ(Get("k"), "5");
  // The cleared deadline is not acted on later.
  clock_.AdvanceMs(10'000);
  EXPECT_EQ(Step(), 0u);
  EXPECT_EQ(Get("k"), "5");
}

TEST_F(DatabaseTest, SetDeadlineAndPersist) {
  EXPECT_FALSE(db_.SetDeadline("missing", Now() + 1));
  db_.SetString("k", "v");
  EXPECT_TRUE(db_.SetDeadline("k", Now() + 1'000));
  EXPECT_EQ(DeadlineOf("k"), Now() + 1'000);
  EXPECT_TRUE(db_.SetDeadline("k", int64_t{1} << 55));  // wide: the entry is rebuilt
  EXPECT_EQ(DeadlineOf("k"), int64_t{1} << 55);
  EXPECT_EQ(db_.ExpiresCount(), 1u);
  EXPECT_TRUE(db_.Persist("k"));
  EXPECT_FALSE(db_.Persist("k"));
  EXPECT_EQ(DeadlineOf("k"), std::nullopt);
  EXPECT_EQ(db_.ExpiresCount(), 0u);
  EXPECT_EQ(Get("k"), "v");
}

TEST_F(DatabaseTest, ActiveExpiryRemovesOnlyDueKeysAndReportsEach) {
  for (int i = 0; i < 100; ++i) {
    db_.SetString(fmt::format("soon:{}", i), "v", TtlUpdate::At(Now() + 1'000));
    db_.SetString(fmt::format("later:{}", i), "v", TtlUpdate::At(Now() + 3'600'000));
    db_.SetString(fmt::format("never:{}", i), "v");
  }
  EXPECT_EQ(Step(), 0u);
  clock_.AdvanceMs(1'000);
  EXPECT_EQ(Step(), 0u);
  clock_.AdvanceMs(1);
  EXPECT_EQ(Step(), 100u);
  EXPECT_EQ(db_.Size(), 200u);
  EXPECT_EQ(db_.ExpiresCount(), 100u);
  EXPECT_EQ(expired_.size(), 100u);
  EXPECT_EQ(keyspace_.stats().expired, 100u);
  clock_.AdvanceMs(3'600'000);
  EXPECT_EQ(Step(), 100u);
  EXPECT_EQ(db_.Size(), 100u);
  EXPECT_EQ(db_.ExpiresCount(), 0u);
}

// The case Redis's sampling handles badly: a few due keys among many far-off ones.
TEST_F(DatabaseTest, ActiveExpiryFindsAFewDueKeysAmongManyFarOnes) {
  int64_t deadline = Now() + 10'000;
  for (int i = 0; i < 200'000; ++i) {
    db_.SetString(fmt::format("far:{}", i), "v", TtlUpdate::At(Now() + 86'400'000 + i));
  }
  for (int i = 0; i < 1'000; ++i)
    db_.SetString(fmt::format("due:{}", i), "v", TtlUpdate::At(deadline));
  // The server ticks every 100 ms until just past the deadline.
  size_t expired = 0;
  while (Now() <= deadline) {
    clock_.AdvanceMs(100);
    expired += Step();
  }
  EXPECT_EQ(expired, 1'000u);
  EXPECT_EQ(db_.Size(), 200'000u);
  EXPECT_EQ(db_.Lookup("due:7"), nullptr);
  EXPECT_NE(db_.Lookup("far:7"), nullptr);
}

TEST_F(DatabaseTest, ChangedDeadlinesAreHonouredInBothDirections) {
  db_.SetString("sooner", "v", TtlUpdate::At(Now() + 1'000'000));
  db_.SetString("later", "v", TtlUpdate::At(Now() + 1'000));
  db_.SetString("persisted", "v", TtlUpdate::At(Now() + 1'000));
  ASSERT_TRUE(db_.SetDeadline("sooner", Now() + 500));
  ASSERT_TRUE(db_.SetDeadline("later", Now() + 2'000'000));
  ASSERT_TRUE(db_.Persist("persisted"));
  clock_.AdvanceMs(1'001);
  EXPECT_EQ(Step(), 1u);
  EXPECT_EQ(db_.Size(), 2u);
  EXPECT_EQ(expired_.at(0).second, "sooner");
  clock_.AdvanceMs(2'000'000);
  EXPECT_EQ(Step(), 1u);
  EXPECT_EQ(expired_.at(1).second, "later");
  EXPECT_TRUE(db_.Exists("persisted"));
}

TEST_F(DatabaseTest, DeadlinesFarInTheFutureAndInThePastWork) {
  db_.SetString("past", "v", TtlUpdate::At(-5));
  db_.SetString("year3000", "v", TtlUpdate::At(32'503'680'000'000));
  db_.SetString("max", "v", TtlUpdate::At(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(Step(), 1u);
  EXPECT_FALSE(db_.Exists("past"));
  clock_.SetUs(32'503'680'000'001'000);
  EXPECT_EQ(Step(), 1u);
  EXPECT_FALSE(db_.Exists("year3000"));
  EXPECT_TRUE(db_.Exists("max"));
}

TEST_F(DatabaseTest, StaleIndexRecordsStayBounded) {
  // Every round moves each key's deadline to another far slot, leaving a stale record behind.
  for (int i = 0; i < 2'000; ++i)
    db_.SetString(fmt::format("k{}", i), "v", TtlUpdate::At(Now() + 1));
  size_t initial = db_.Memory().expiry_index_bytes;
  for (int round = 1; round <= 300; ++round) {
    for (int i = 0; i < 2'000; ++i) {
      db_.SetDeadline(fmt::format("k{}", i), Now() + int64_t{round} * 300'000);
    }
  }
  EXPECT_LT(db_.Memory().expiry_index_bytes, 8 * initial + 64 * 1024);
  clock_.AdvanceMs(int64_t{300} * 300'000 + 1);
  EXPECT_EQ(Step(), 2'000u);
}

TEST_F(DatabaseTest, StaleRecordsOfTheSlotBeingSweptStayBounded) {
  // A cache: every key is set with the same TTL (so all records go to one far slot, the one being
  // swept) and deleted soon after, while as many stay. The sweep must finish that slot even though
  // records keep arriving in it.
  constexpr int kLive = 2'000;
  const int64_t deadline = Now() + 3'600'000;
  for (int i = 0; i < kLive; ++i) {
    db_.SetString(fmt::format("k{}", i), "v", TtlUpdate::At(deadline));
  }
  size_t initial = db_.Memory().expiry_index_bytes;
  for (int i = kLive; i < 200 * kLive; ++i) {
    db_.Delete(fmt::format("k{}", i - kLive));
    db_.SetString(fmt::format("k{}", i), "v", TtlUpdate::At(deadline));
  }
  EXPECT_LT(db_.Memory().expiry_index_bytes, 8 * initial + 64 * 1024);
}

TEST_F(DatabaseTest, ACacheRefillingItsEvictedKeysKeepsTheIndexSmall) {
  // A cache under its memory limit: a key leaves (evicted) and another comes back (a miss
  // refilled), every one with the same TTL, so each refill files its hash once more into the one
  // far slot, stale copies of it included. The index must stay within 14 bytes per live key (20
  // before its sweep dropped records in place and its slots grew by a quarter).
  constexpr int kLive = 20'000;
  constexpr int kNames = 2 * kLive;
  const int64_t deadline = Now() + 3'600'000;
  std::mt19937 random(5);
  std::vector<int> live(kLive), absent(kNames - kLive);
  std::iota(live.begin(), live.end(), 0);
  std::iota(absent.begin(), absent.end(), kLive);
  for (int name : live) db_.SetString(fmt::format("k{}", name), "v", TtlUpdate::At(deadline));
  size_t most = 0;
  for (int i = 0; i < 40 * kLive; ++i) {
    size_t out = random() % live.size();
    size_t in = random() % absent.size();
    ASSERT_TRUE(db_.Delete(fmt::format("k{}", live[out])));
    db_.SetString(fmt::format("k{}", absent[in]), "v", TtlUpdate::At(deadline));
    std::swap(live[out], absent[in]);
    if (i % 64 == 0) most = std::max(most, db_.Memory().expiry_index_bytes);
  }
  EXPECT_LE(most, size_t{14 * kLive}) << most / kLive << " bytes per live key at most";
  // Every live key kept a record: all of them expire at the deadline, none lingers.
  clock_.AdvanceMs(3'600'001);
  EXPECT_EQ(Step(), size_t{kLive});
  EXPECT_EQ(db_.Size(), 0u);
}

TEST_F(DatabaseTest, RandomKeyReturnsLiveKeysAndDropsExpiredOnes) {
  EXPECT_EQ(db_.RandomKey(), std::nullopt);
  for (int i = 0; i < 50; ++i) db_.SetString(fmt::format("live:{}", i), "v");
  for (int i = 0; i < 50; ++i) db_.SetString(fmt::format("dead:{}", i), "v", TtlUpdate::At(Now()));
  clock_.AdvanceMs(1);
  std::set<std::string> seen;
  for (int i = 0; i < 2'000; ++i) {
    std::optional<std::string> key = db_.RandomKey();
    ASSERT_TRUE(key.has_value());
    ASSERT_TRUE(key->starts_with("live:")) << *key;
    seen.insert(*key);
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(db_.RandomEntry() != nullptr, true);
}

TEST_F(DatabaseTest, RandomKeyOfAnAllExpiredDatabaseEmptiesIt) {
  for (int i = 0; i < 100; ++i) db_.SetString(std::to_string(i), "v", TtlUpdate::At(Now()));
  clock_.AdvanceMs(1);
  EXPECT_EQ(db_.RandomKey(), std::nullopt);
  EXPECT_EQ(db_.Size(), 0u);
  EXPECT_EQ(expired_.size(), 100u);
}

TEST_F(DatabaseTest, ScanSeesEveryKeyOnce) {
  for (int i = 0; i < 5'000; ++i) db_.SetString(fmt::format("key:{}", i), "v");
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = db_.Scan(cursor, [&](const Entry& entry) { seen.emplace(entry.key()); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5'000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5'000u);
}

TEST_F(DatabaseTest, AsyncFlushEmptiesAtOnceAndFreesEverythingInTheBackground) {
  int live = 0;
  for (int i = 0; i < 20'000; ++i) {
    db_.SetString(fmt::format("s:{}", i), std::string(100, 'x'), TtlUpdate::At(Now() + 1'000));
    db_.SetObject(fmt::format("o:{}", i), ValueType::kHash, std::make_unique<CountedObject>(live));
  }
  keyspace_.db(1).SetString("other", "v");
  EXPECT_EQ(live, 20'000);
  keyspace_.FlushAllAsync();
  EXPECT_EQ(db_.Size(), 0u);
  EXPECT_EQ(db_.ExpiresCount(), 0u);
  EXPECT_EQ(keyspace_.db(1).Size(), 0u);
  EXPECT_EQ(db_.Memory().entry_bytes, 0u);
  keyspace_.lazy_freer().Drain();
  EXPECT_EQ(live, 0);
  EXPECT_EQ(keyspace_.lazy_freer().pending_objects(), 0u);
  EXPECT_EQ(keyspace_.lazy_freer().freed_objects(), 40'000u);
  // The database is usable at once, and the old deadlines are forgotten.
  db_.SetString("s:1", "fresh");
  clock_.AdvanceMs(2'000);
  EXPECT_EQ(Step(), 0u);
  EXPECT_EQ(Get("s:1"), "fresh");
}

TEST_F(DatabaseTest, SyncFlushFreesObjects) {
  int live = 0;
  for (int i = 0; i < 100; ++i) {
    db_.SetObject(fmt::format("o:{}", i), ValueType::kZSet, std::make_unique<CountedObject>(live));
  }
  db_.Clear();
  EXPECT_EQ(live, 0);
  EXPECT_EQ(db_.Size(), 0u);
}

TEST_F(DatabaseTest, MemoryReportTracksEntries) {
  EXPECT_EQ(db_.Memory().entry_bytes, 0u);
  db_.SetString("k", std::string(1000, 'x'));
  EXPECT_GE(db_.Memory().entry_bytes, 1000u);
  EXPECT_GE(db_.Memory().table_bytes, 64u);
  db_.Delete("k");
  EXPECT_EQ(db_.Memory().entry_bytes, 0u);
}

}  // namespace
}  // namespace magnetar::engine

namespace magnetar::engine {
namespace {

// A command sees one instant: a key live at its first lookup stays live for the whole command,
// even when the clock passes the deadline in between (APPEND reads then writes the same key).
TEST_F(DatabaseTest, FrozenTimeKeepsAKeyLiveForTheWholeCommand) {
  db_.SetString("k", "hello", TtlUpdate::At(Now() + 10));
  EXPECT_TRUE(keyspace_.FreezeTime(MonotonicUs()));
  clock_.AdvanceMs(20);
  EXPECT_EQ(Get("k"), "hello");
  keyspace_.UnfreezeTime();
  EXPECT_EQ(Get("k"), std::nullopt);
}

// A command run by another (a queued command run by EXEC) keeps the outer command's time.
TEST_F(DatabaseTest, NestedFreezeKeepsTheOuterTime) {
  db_.SetString("k", "hello", TtlUpdate::At(Now() + 10));
  ASSERT_TRUE(keyspace_.FreezeTime(MonotonicUs()));
  clock_.AdvanceMs(20);
  EXPECT_FALSE(keyspace_.FreezeTime(MonotonicUs()));
  EXPECT_EQ(Get("k"), "hello");
  keyspace_.UnfreezeTime();
  EXPECT_EQ(Get("k"), std::nullopt);
}

// The wall clock derived from a monotonic reading is the wall clock, to within the two reads.
TEST(SystemClockTest, NowUsAtMatchesNowUs) {
  SystemClock clock;
  int64_t derived = clock.NowUsAt(MonotonicUs());
  int64_t read = clock.NowUs();
  EXPECT_LE(std::abs(read - derived), 5'000);
}

}  // namespace
}  // namespace magnetar::engine
