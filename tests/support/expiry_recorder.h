// A keyspace observer for engine and command tests that records the keys removed by expiry, in
// order, with their database.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "magnetar/engine/keyspace_observer.h"

namespace magnetar::test_support {

class ExpiryRecorder final : public engine::NullKeyspaceObserver {
 public:
  void OnKeyExpired(size_t db, std::string_view key) override {
    expired.emplace_back(db, std::string(key));
  }

  std::vector<std::pair<size_t, std::string>> expired;
};

}  // namespace magnetar::test_support
