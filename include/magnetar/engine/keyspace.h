// The server's databases (`databases` of them, numbered from 0) and their shared counters.
#pragma once

#include <cstddef>
#include <vector>

#include "magnetar/engine/database.h"

namespace magnetar::engine {

class Keyspace {
 public:
  explicit Keyspace(size_t database_count);
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  size_t database_count() const { return databases_.size(); }
  Database& db(size_t index) { return databases_[index]; }
  const Database& db(size_t index) const { return databases_[index]; }
  void FlushAll();
  KeyspaceStats& stats() { return stats_; }
  const KeyspaceStats& stats() const { return stats_; }

 private:
  KeyspaceStats stats_;
  std::vector<Database> databases_;
};

}  // namespace magnetar::engine
