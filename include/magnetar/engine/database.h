// One numbered database: the only way commands touch keys.
//
// This first cut keeps string values in a standard hash map; the keyspace engine (its own issue)
// replaces the storage with a compact, incrementally growing table behind this same interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace magnetar::engine {

// Counters INFO stats reports, shared by all databases of a keyspace.
struct KeyspaceStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t expired = 0;
};

class Database {
 public:
  explicit Database(KeyspaceStats& stats) : stats_(&stats) {}

  // The string stored at `key`, viewing the database's copy (valid until the key changes).
  std::optional<std::string_view> GetString(std::string_view key);
  void SetString(std::string_view key, std::string_view value);
  // Removes `key`; true when it existed.
  bool Delete(std::string_view key);

  size_t Size() const { return entries_.size(); }
  size_t ExpiresCount() const { return 0; }
  void Clear() { entries_.clear(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> entries_;
  KeyspaceStats* stats_;
};

}  // namespace magnetar::engine
