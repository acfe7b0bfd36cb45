#include "magnetar/engine/database.h"

namespace magnetar::engine {

std::optional<std::string_view> Database::GetString(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++stats_->misses;
    return std::nullopt;
  }
  ++stats_->hits;
  return std::string_view(it->second);
}

void Database::SetString(std::string_view key, std::string_view value) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::string(key), std::string(value));
  } else {
    it->second.assign(value);
  }
}

bool Database::Delete(std::string_view key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

}  // namespace magnetar::engine
