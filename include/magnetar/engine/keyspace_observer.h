// The write hook: how the engine tells the layers above that keys changed, without knowing about
// clients. Every change a command makes to a key is reported through Database::Changed(), every
// removal by expiry through OnKeyExpired(), and whole-database changes (FLUSHDB, FLUSHALL, SWAPDB)
// before they happen. The server implements the observer: it counts nothing itself (the keyspace
// keeps the dirty counter) but invalidates WATCHes, wakes clients blocked on the key, raises
// keyspace notifications and propagates expiry deletions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace magnetar::engine {

// Keyspace notification classes: one bit per letter of notify-keyspace-events.
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K: publish on __keyspace@<db>__:<key>
  kNotifyKeyevent = 1u << 1,  // E: publish on __keyevent@<db>__:<event>
  kNotifyGeneric = 1u << 2,   // g: DEL, EXPIRE, RENAME...
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m (not part of A)
  kNotifyModule = 1u << 12,   // d
  kNotifyNew = 1u << 13,      // n (not part of A)
};

class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;

  // A command changed `key` of database `db` (wrote, deleted or renamed it). Called after the
  // change, once per key and command step.
  virtual void OnKeyModified(size_t db, std::string_view key) = 0;
  // A keyspace event of class `klass` (one NotifyClass bit) for `key`. Called only for classes
  // the keyspace's notify mask enables.
  virtual void OnKeyEvent(uint32_t klass, std::string_view event, size_t db,
                          std::string_view key) = 0;
  // `key` is being removed because its deadline passed, lazily or by active expiry; it is still
  // in the database. This stands for OnKeyModified as well (the key is about to be gone). Must
  // not change the keyspace.
  virtual void OnKeyExpired(size_t db, std::string_view key) = 0;
  // `key` is being evicted to free memory (maxmemory); it is still in the database. Stands for
  // OnKeyModified as well. Must not change the keyspace. Observers that never run with a limit
  // may ignore it.
  virtual void OnKeyEvicted(size_t /*db*/, std::string_view /*key*/) {}
  // Database `db` is about to be emptied (FLUSHDB, or each database of FLUSHALL).
  virtual void OnDatabaseEmptying(size_t db) = 0;
  // Databases `a` and `b` are about to exchange their contents (SWAPDB).
  virtual void OnDatabasesSwapping(size_t a, size_t b) = 0;
  // The FLUSHALL command, before (`done` false) and after it empties the keyspace: the server
  // cancels a running save first and, with save points set, saves the empty dataset after, as
  // Redis does.
  virtual void OnFlushAllCommand(bool /*done*/) {}
};

// An observer that ignores everything: the keyspace's default, and a base for tests that
// record only some calls.
class NullKeyspaceObserver : public KeyspaceObserver {
 public:
  void OnKeyModified(size_t, std::string_view) override {}
  void OnKeyEvent(uint32_t, std::string_view, size_t, std::string_view) override {}
  void OnKeyExpired(size_t, std::string_view) override {}
  void OnDatabaseEmptying(size_t) override {}
  void OnDatabasesSwapping(size_t, size_t) override {}
};

}  // namespace magnetar::engine
