// The server's side of the engine's write hook (engine/keyspace_observer.h): what happens when a
// key changes. WATCHes of the key fail; keyspace notifications are published; a key removed by
// expiry is propagated as DEL (UNLINK with lazyfree-lazy-expire) and raises "expired", one
// removed by eviction likewise (lazyfree-lazy-eviction) with "evicted".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "magnetar/engine/keyspace_observer.h"

namespace magnetar::server {

class Server;

class KeyspaceHooks final : public engine::KeyspaceObserver {
 public:
  explicit KeyspaceHooks(Server& server) : server_(server) {}

  void OnKeyModified(size_t db, std::string_view key) override;
  void OnKeyEvent(uint32_t klass, std::string_view event, size_t db, std::string_view key) override;
  void OnKeyExpired(size_t db, std::string_view key) override;
  void OnKeyEvicted(size_t db, std::string_view key) override;
  void OnDatabaseEmptying(size_t db) override;
  void OnDatabasesSwapping(size_t a, size_t b) override;
  void OnFlushAllCommand(bool done) override;

 private:
  // Propagates the server's own deletion of `key`: DEL, or UNLINK when `lazy`.
  void PropagateDeletion(size_t db, std::string_view key, bool lazy);

  Server& server_;
  std::string notification_channel_;  // reused for every notification
};

}  // namespace magnetar::server
