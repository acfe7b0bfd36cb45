// The names TYPE prints and SCAN's TYPE option matches.
#pragma once

#include <string_view>

#include "magnetar/engine/entry.h"

namespace magnetar::commands {

inline std::string_view TypeName(engine::ValueType type) {
  switch (type) {
    case engine::ValueType::kString:
      return "string";
    case engine::ValueType::kList:
      return "list";
    case engine::ValueType::kSet:
      return "set";
    case engine::ValueType::kZSet:
      return "zset";
    case engine::ValueType::kHash:
      return "hash";
    case engine::ValueType::kStream:
      return "stream";
  }
  return "none";
}

}  // namespace magnetar::commands
