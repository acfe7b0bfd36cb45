#include "magnetar/commands/blocking.h"

#include <cmath>

#include "magnetar/common/numbers.h"

namespace magnetar::commands {

BlockTimeout ParseBlockTimeout(std::string_view text, int64_t now_ms) {
  std::optional<long double> seconds = ParseLongDouble(text);
  if (!seconds) return {0, "ERR timeout is not a float or out of range"};
  // Redis converts the milliseconds to a long long; out of that range (infinities included) the
  // conversion yields LLONG_MIN on the platforms it runs on, which it then reports as negative.
  long double ms = *seconds * 1000;
  if (!(ms >= 0) || ms >= 9223372036854775807.0L) return {0, "ERR timeout is negative"};
  auto whole = static_cast<int64_t>(ms);
  if (whole == 0) return {0, {}};
  return {whole + now_ms, {}};
}

}  // namespace magnetar::commands
