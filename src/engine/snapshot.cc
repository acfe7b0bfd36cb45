#include "magnetar/engine/snapshot.h"

#include <cstdint>

#include "magnetar/common/clock.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

// The walk takes entries in batches of at least this many (whole buckets): their headers, then
// their out-of-entry values, are prefetched together before any is written, so the cache misses
// of a batch overlap instead of coming one after another. The clock is read once per batch.
constexpr size_t kBatchEntries = 32;

// Walks the keyspace's running snapshot, if any, to its end (every entry then carries its mark)
// and returns the mark entries carry.
bool FinishRunning(Keyspace& keyspace) {
  if (Snapshot* running = keyspace.snapshot()) {
    while (!running->Step(INT64_MAX)) {
    }
  }
  return keyspace.entry_mark();
}

}  // namespace

Snapshot::Snapshot(Keyspace& keyspace, SnapshotSink& sink)
    : keyspace_(keyspace), sink_(sink), parity_(!FinishRunning(keyspace)) {
  for (size_t i = 0; i < keyspace.database_count(); ++i) {
    Database& db = keyspace.db(i);
    if (db.Size() > 0) parts_.push_back({&db, i, db.Size(), db.ExpiresCount()});
  }
  keyspace.AttachSnapshot(this);
}

Snapshot::~Snapshot() {
  Abandon();
  while (!Step(INT64_MAX)) {
  }
  keyspace_.DetachSnapshot(this);
}

bool Snapshot::Step(int64_t stop_at_us) {
  for (int batches = 0; !done(); ++batches) {
    if (batches > 0 && MonotonicUs() >= stop_at_us) break;
    WalkBatch();
  }
  return done();
}

void Snapshot::WalkBatch() {
  const Part& part = parts_[next_part_];
  if (!entered_) {
    if (!abandoned_) sink_.BeginDatabase(part.index, part.keys, part.keys_with_deadline);
    entered_ = true;
  }
  // Nothing changes the table until the batch is written: the loop runs nothing else meanwhile.
  batch_.clear();
  do {
    cursor_ = part.db->ScanForSnapshot(cursor_, [&](Entry& entry) {
      __builtin_prefetch(&entry);
      batch_.push_back(&entry);
    });
  } while (cursor_ != 0 && batch_.size() < kBatchEntries);
  for (Entry* entry : batch_) entry->PrefetchValue();
  for (Entry* entry : batch_) {
    if (entry->snapshot_mark() != parity_) Emit(part.index, *entry);
  }
  if (cursor_ == 0) {
    ++next_part_;
    entered_ = false;
  }
}

void Snapshot::WriteAhead(const Database& db, Entry& entry) {
  for (size_t i = next_part_; i < parts_.size(); ++i) {
    if (parts_[i].db != &db) continue;
    // The database being walked may not have been announced yet (its first bucket is still to
    // come): announce it before its first key.
    if (i == next_part_ && !entered_ && !abandoned_) {
      sink_.BeginDatabase(parts_[i].index, parts_[i].keys, parts_[i].keys_with_deadline);
      entered_ = true;
    }
    return Emit(parts_[i].index, entry);
  }
  // A database the walk has finished holds no unwritten key, and one that was empty at the start
  // holds only new ones: mark the entry so it is not looked at again.
  entry.set_snapshot_mark(parity_);
}

void Snapshot::Emit(size_t index, Entry& entry) {
  entry.set_snapshot_mark(parity_);
  if (abandoned_) return;
  sink_.Write(index, entry);
  ++written_;
}

void Snapshot::PreserveAll(Database& db) {
  uint64_t cursor = 0;
  do {
    cursor = db.ScanForSnapshot(cursor, [&](Entry& entry) { Preserve(db, entry); });
  } while (cursor != 0);
}

}  // namespace magnetar::engine
