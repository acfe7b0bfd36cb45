// Test keys and members named prefix + number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace magnetar::test_support {

// prefix + i, built without operator+ (GCC 12 warns falsely about "k" + std::to_string(i) under
// -Wrestrict).
inline std::string NumberedName(std::string_view prefix, int64_t i) {
  std::string name(prefix);
  return name.append(std::to_string(i));
}

}  // namespace magnetar::test_support
