#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {

Keyspace::Keyspace(size_t database_count) : databases_(database_count, Database(stats_)) {}

void Keyspace::FlushAll() {
  for (auto& db : databases_) db.Clear();
}

}  // namespace magnetar::engine
