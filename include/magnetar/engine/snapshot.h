// A point-in-time snapshot of a keyspace, taken on the event loop without fork().
//
// Redis forks to snapshot: the child sees the dataset frozen by copy-on-write. On a 600 MB dataset
// under writes that costs a fork stall of 16 ms and up to a full copy of memory. Here the event
// loop walks the databases' tables in short slices between client requests (Step), and a write
// that is about to change or remove a key the walk has not reached first hands the key, as it
// stands, to the sink (Preserve, called by Database). Each key therefore reaches the sink exactly
// once, with the value it had when the snapshot began; the only extra memory is what the sink holds
// of keys written ahead of the walk (Dragonfly's versioned-bucket idea, kept per entry).
//
// Which keys are done is one bit in each entry (Entry::snapshot_mark), read against a parity that
// flips when a snapshot begins: at that instant every entry has the old parity, so none is done;
// the walk and Preserve set the new parity; entries created while the snapshot runs get it too
// (Database stamps every entry it stores), so they are not written. Nothing needs clearing when a
// snapshot ends, and the walk can use the table's SCAN cursor, which may return a key twice across
// a resize: the mark makes the second visit a no-op.
//
// The walk visits databases in the order of their numbers when the snapshot began; SWAPDB
// meanwhile does not matter, since the snapshot follows the Database objects. Entries of a database
// the walk has not reached arrive at the sink early (a write to db 5 while the walk is in db 0):
// the sink keeps them for that database's turn.
//
// One snapshot serves every consumer: BGSAVE's file, the AOF rewrite's base and a replica's full
// sync differ only in their sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "magnetar/engine/entry.h"

namespace magnetar::engine {

class Database;
class Keyspace;

class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // The walk enters database `index` (its number when the snapshot began), which then held `keys`
  // keys, `keys_with_deadline` of them with a deadline. Databases that were empty are skipped;
  // the others come in increasing order.
  virtual void BeginDatabase(size_t index, size_t keys, size_t keys_with_deadline) = 0;
  // `entry` of database `index` as it stood when the snapshot began. Valid during the call only.
  virtual void Write(size_t index, const Entry& entry) = 0;
};

class Snapshot {
 public:
  // Begins the snapshot: from now on the keyspace reports changes to keys not yet written. One
  // snapshot walks at a time: one still walking (a BGSAVE when BGREWRITEAOF or SAVE begins) is
  // first walked to its end, at once, so that its sink still gets its instant's dataset.
  Snapshot(Keyspace& keyspace, SnapshotSink& sink);
  // Stops reporting. An unfinished snapshot first finishes its walk without writing (Abandon),
  // since the next one relies on every entry carrying this one's mark: a caller that minds the
  // time abandons and steps it to the end first.
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // Walks until MonotonicUs() reaches `stop_at_us` (at least one bucket). True when every key
  // has reached the sink.
  bool Step(int64_t stop_at_us);
  bool done() const { return next_part_ == parts_.size(); }
  // Keys handed to the sink so far, by the walk or ahead of it.
  uint64_t written() const { return written_; }

  // Called by Database before `entry` changes or leaves: writes it if it is not written yet.
  void Preserve(const Database& db, Entry& entry) {
    if (entry.snapshot_mark() != parity_) WriteAhead(db, entry);
  }
  // Writes every entry of `db` not written yet, before the database changes wholesale (FLUSHDB).
  void PreserveAll(Database& db);
  // The mark entries created now must carry.
  bool parity() const { return parity_; }
  // The sink hears nothing more; steps only mark entries (a failed or cancelled save). A database
  // cleared now needs no preserving either.
  void Abandon() { abandoned_ = true; }
  bool abandoned() const { return abandoned_; }

 private:
  struct Part {
    Database* db;
    size_t index;  // the database's number when the snapshot began
    size_t keys;
    size_t keys_with_deadline;
  };

  void WriteAhead(const Database& db, Entry& entry);
  void Emit(size_t index, Entry& entry);
  // Advances the walk by a batch of table cursor steps of the current database.
  void WalkBatch();

  Keyspace& keyspace_;
  SnapshotSink& sink_;
  bool parity_;
  std::vector<Part> parts_;  // databases that held keys, by number
  size_t next_part_ = 0;     // the database being walked
  bool entered_ = false;     // whether BeginDatabase was called for it
  uint64_t cursor_ = 0;
  uint64_t written_ = 0;
  std::vector<Entry*> batch_;  // entries of the current batch, reused
  bool abandoned_ = false;
};

}  // namespace magnetar::engine
