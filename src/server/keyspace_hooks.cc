#include "keyspace_hooks.h"

#include <fmt/format.h>

#include <array>

#include "magnetar/server/blocking.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

void KeyspaceHooks::OnKeyModified(size_t db, std::string_view key) {
  server_.watched_keys().Touch(server_.keyspace(), db, key, /*removed=*/false);
  server_.blocking().SignalKey(db, key);
}

void KeyspaceHooks::OnKeyEvent(uint32_t /*klass*/, std::string_view event, size_t db,
                               std::string_view key) {
  // Both channels are built in one reused buffer: a notification costs no allocation once the
  // buffer has grown to the longest key seen.
  std::string& channel = notification_channel_;
  if (server_.keyspace().Notifies(engine::kNotifyKeyspace)) {
    channel.clear();
    fmt::format_to(std::back_inserter(channel), "__keyspace@{}__:{}", db, key);
    server_.pubsub().Publish(channel, event);
  }
  if (server_.keyspace().Notifies(engine::kNotifyKeyevent)) {
    channel.clear();
    fmt::format_to(std::back_inserter(channel), "__keyevent@{}__:{}", db, event);
    server_.pubsub().Publish(channel, key);
  }
}

void KeyspaceHooks::PropagateDeletion(size_t db, std::string_view key, bool lazy) {
  Propagator& propagator = server_.propagator();
  if (!propagator.active()) return;
  std::array<std::string_view, 2> deletion{lazy ? "UNLINK" : "DEL", key};
  // Found by a command (lazy expiry): Redis 7.0 propagates it with the command's own writes,
  // ahead of them, in one MULTI/EXEC when there are several. Active expiry's and eviction's
  // (which runs before the command) go alone.
  if (propagator.in_unit()) {
    propagator.Record(db, deletion);
  } else {
    propagator.SendNow(db, deletion);
  }
}

void KeyspaceHooks::OnKeyExpired(size_t db, std::string_view key) {
  PropagateDeletion(db, key, server_.config().lazyfree_lazy_expire);
  server_.keyspace().Notify(engine::kNotifyExpired, "expired", db, key);
  server_.watched_keys().Touch(server_.keyspace(), db, key, /*removed=*/true);
}

void KeyspaceHooks::OnKeyEvicted(size_t db, std::string_view key) {
  PropagateDeletion(db, key, server_.config().lazyfree_lazy_eviction);
  server_.keyspace().Notify(engine::kNotifyEvicted, "evicted", db, key);
  server_.watched_keys().Touch(server_.keyspace(), db, key, /*removed=*/true);
}

void KeyspaceHooks::OnDatabaseEmptying(size_t db) {
  server_.watched_keys().TouchDatabase(server_.keyspace().db(db), nullptr);
}

void KeyspaceHooks::OnDatabasesSwapping(size_t a, size_t b) {
  engine::Keyspace& keyspace = server_.keyspace();
  server_.watched_keys().TouchDatabase(keyspace.db(a), &keyspace.db(b));
  server_.watched_keys().TouchDatabase(keyspace.db(b), &keyspace.db(a));
}

void KeyspaceHooks::OnFlushAllCommand(bool done) {
  RdbSaver& saver = server_.rdb_saver();
  if (!done) {
    // Redis kills a saving child. Here the walk stops writing, so emptying the databases does not
    // serialise them first, and the save is dropped once they are empty (nothing left to mark).
    saver.StopWriting();
    return;
  }
  saver.AbortBackgroundSave();
  if (!server_.config().save.empty()) saver.SaveNow(/*refuse_if_busy=*/false);
}

}  // namespace magnetar::server
