// The WATCH registry: which clients watch which keys, so a write to a key fails the transactions
// of the clients watching it.
//
// Only watched keys are in it: a key nobody watches costs nothing, and a write checks one empty
// hash map. Each watched (db, key) maps to the clients watching it; each client keeps its own list
// (Transaction::watched) to unwatch in one pass.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "magnetar/engine/keyspace.h"

namespace magnetar::server {

class Client;

class WatchedKeys {
 public:
  bool empty() const { return watchers_.empty(); }

  // WATCH: `client` watches `key` of database `db` (once, however often it asks).
  void Watch(Client& client, size_t db, std::string_view key, engine::Keyspace& keyspace);
  // UNWATCH, EXEC, DISCARD, RESET and disconnect.
  void UnwatchAll(Client& client);
  // A command changed `key` (or expiry is removing it: `removed`), failing its watchers.
  void Touch(engine::Keyspace& keyspace, size_t db, std::string_view key, bool removed);
  // FLUSHDB / FLUSHALL (`replacement` null) or SWAPDB: `db`'s contents are about to be dropped or
  // replaced by `replacement`'s. Fails the watchers of keys whose logical existence changes.
  void TouchDatabase(engine::Database& emptied, engine::Database* replacement);
  // EXEC: true when a key the client watched while it was live has since passed its deadline.
  bool AnyExpiredSinceWatch(Client& client, engine::Keyspace& keyspace) const;

 private:
  struct Key {
    size_t db;
    std::string key;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      return std::hash<std::string_view>()(key.key) ^ (key.db * 0x9e3779b97f4a7c15ULL);
    }
  };

  std::unordered_map<Key, std::vector<Client*>, KeyHash> watchers_;
};

}  // namespace magnetar::server
