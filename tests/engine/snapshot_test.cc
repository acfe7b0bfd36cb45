// The point-in-time snapshot: whatever writes run between its steps, the sink receives each key
// that existed when it began exactly once, with the value it had then, grouped by database in the
// order of their numbers at the start.
#include "magnetar/engine/snapshot.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>

#include "magnetar/common/clock.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

using Dataset = std::map<std::pair<size_t, std::string>, std::string>;

// Records what a snapshot writes; entries that arrive for a database the walk has not entered
// are held as a file sink holds them, and checked to come before nothing of an earlier database.
class RecordingSink final : public SnapshotSink {
 public:
  void BeginDatabase(size_t index, size_t keys, size_t /*keys_with_deadline*/) override {
    EXPECT_TRUE(order_.empty() || order_.back() < index) << "databases out of order";
    order_.push_back(index);
    announced_keys_[index] = keys;
  }
  void Write(size_t index, const Entry& entry) override {
    EXPECT_TRUE(order_.empty() || index >= order_.back()) << "key of a finished database";
    auto [it, inserted] = written_.emplace(std::pair(index, std::string(entry.key())), Text(entry));
    EXPECT_TRUE(inserted) << "written twice: " << entry.key();
  }

  const Dataset& written() const { return written_; }
  const std::map<size_t, size_t>& announced_keys() const { return announced_keys_; }

  static std::string Text(const Entry& entry) {
    std::string text(entry.string().view());
    if (entry.has_deadline()) text += fmt::format("@{}", entry.deadline());
    return text;
  }

 private:
  std::vector<size_t> order_;
  std::map<size_t, size_t> announced_keys_;
  Dataset written_;
};

class SnapshotTest : public ::testing::Test {
 protected:
  static constexpr size_t kDatabases = 4;

  Dataset Contents() {
    Dataset all;
    for (size_t i = 0; i < kDatabases; ++i) {
      uint64_t cursor = 0;
      do {
        cursor = keyspace_.db(i).Scan(cursor, [&](const Entry& entry) {
          all.emplace(std::pair(i, std::string(entry.key())), RecordingSink::Text(entry));
        });
      } while (cursor != 0);
    }
    return all;
  }

  ManualClock clock_{1'000'000};
  Keyspace keyspace_{kDatabases, clock_};
};

TEST_F(SnapshotTest, WritesEveryKeyOnceWhenNothingChanges) {
  for (int i = 0; i < 5000; ++i) keyspace_.db(i % 3).SetString(fmt::format("k{}", i), "v");
  Dataset before = Contents();
  RecordingSink sink;
  Snapshot snapshot(keyspace_, sink);
  while (!snapshot.Step(0)) {
  }
  EXPECT_EQ(sink.written(), before);
  EXPECT_EQ(sink.announced_keys(), (std::map<size_t, size_t>{{0, 1667}, {1, 1667}, {2, 1666}}));
}

// A table caught in the middle of growing (two bucket arrays, some buckets moved) is walked with
// SCAN, which may return a key twice across the arrays: each key is still written once.
TEST_F(SnapshotTest, WritesEachKeyOnceWhileTheTableIsResizing) {
  Database& db = keyspace_.db(0);
  // Totals just past a growth (the table grows past 5 keys per bucket and moves a bucket per
  // insert), so that each snapshot starts with a resize under way.
  int keys = 0;
  for (int total : {85'000, 170'000, 330'000}) {
    for (; keys < total; ++keys) db.SetString(fmt::format("key:{}", keys), "v");
    ASSERT_TRUE(db.resizing()) << total;
    RecordingSink sink;
    Snapshot snapshot(keyspace_, sink);
    while (!snapshot.Step(INT64_MAX)) {
    }
    EXPECT_EQ(sink.written().size(), db.Size()) << total;
  }
}

// A BGREWRITEAOF while a BGSAVE walks: the second snapshot first walks the first to its end, so
// both get the dataset of their own instant.
TEST_F(SnapshotTest, ASecondSnapshotFinishesTheFirstOneFirst) {
  for (int i = 0; i < 20'000; ++i) keyspace_.db(i % 2).SetString(fmt::format("k{}", i), "old");
  Dataset at_first = Contents();
  RecordingSink first_sink;
  Snapshot first(keyspace_, first_sink);
  first.Step(0);
  keyspace_.db(0).SetString("k0", "between");
  keyspace_.db(1).SetString("k1", "between");
  Dataset at_second = Contents();
  RecordingSink second_sink;
  Snapshot second(keyspace_, second_sink);
  EXPECT_TRUE(first.done());
  keyspace_.db(0).SetString("k2", "after");
  while (!second.Step(0)) {
  }
  EXPECT_EQ(first_sink.written(), at_first);
  EXPECT_EQ(second_sink.written(), at_second);
}

TEST_F(SnapshotTest, KeepsTheStateOfItsStartWhateverWritesInterleave) {
  std::mt19937_64 random(7);
  auto key = [&] { return fmt::format("key:{}", random() % 3000); };
  auto db = [&]() -> Database& { return keyspace_.db(random() % kDatabases); };
  for (int i = 0; i < 6000; ++i) db().SetString(key(), fmt::format("v{}", i));
  for (int i = 0; i < 200; ++i) db().SetDeadline(key(), 5'000'000 + i);

  // Three snapshots in a row, so the mark's parity flips back and forth.
  for (int round = 0; round < 3; ++round) {
    Dataset before = Contents();
    RecordingSink sink;
    Snapshot snapshot(keyspace_, sink);
    int writes = 0;
    while (!snapshot.Step(0)) {  // a few buckets per step, then a burst of writes
      for (int w = 0; w < 64; ++w, ++writes) {
        std::string k = key();
        switch (random() % 9) {
          case 0:
          case 1:
            db().SetString(k, fmt::format("new{}-{}", round, writes));
            break;
          case 2:
            db().Delete(k);
            break;
          case 3:
            db().SetDeadline(k, 9'000'000 + writes);
            break;
          case 4:
            db().Persist(k);
            break;
          case 5:
            db().MoveEntry(k, db(), key());
            break;
          case 6:
            db().IncrementInteger(fmt::format("n{}", random() % 50), 1);
            break;
          case 7:
            if (random() % 40 == 0) keyspace_.SwapDatabases(random() % kDatabases, 0);
            break;
          case 8:
            if (random() % 200 == 0) db().Clear();
            break;
        }
      }
    }
    EXPECT_EQ(sink.written(), before) << "round " << round;
    EXPECT_GT(writes, 200);
  }
}

TEST_F(SnapshotTest, KeysCreatedAfterTheStartStayOutAndGoIntoTheNext) {
  keyspace_.db(0).SetString("old", "1");
  {
    RecordingSink sink;
    Snapshot snapshot(keyspace_, sink);
    keyspace_.db(0).SetString("new", "2");
    keyspace_.db(1).SetString("other", "3");
    while (!snapshot.Step(0)) {
    }
    EXPECT_EQ(sink.written(), (Dataset{{{0, "old"}, "1"}}));
  }
  RecordingSink next;
  Snapshot snapshot(keyspace_, next);
  while (!snapshot.Step(0)) {
  }
  EXPECT_EQ(next.written(), Contents());
  EXPECT_EQ(next.written().size(), 3u);
}

}  // namespace
}  // namespace magnetar::engine
