// How a blocking command (BLPOP, BLMOVE, BLMPOP..., later BZPOPMIN and WAIT) asks to wait. The
// data layer knows nothing of clients: a handler that finds nothing to serve calls Block() on
// the context's Blocker, which the server implements (server/blocking.h). When one of the keys is
// later made ready by another command, the server runs the same command again for the client,
// as if the client had just sent it; until then the client's reply is pending and its connection
// runs no further request.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "magnetar/common/status.h"

namespace magnetar::commands {

class Blocker {
 public:
  virtual ~Blocker() = default;
  // Whether the command may block now. Inside MULTI/EXEC (and scripts) it may not: it replies
  // what a timeout would at once.
  virtual bool CanBlock() const = 0;
  // Blocks the client on `keys` (of the context's database) until `deadline_ms`, an absolute
  // Unix time in ms, or forever when 0. The handler then replies nothing.
  virtual void Block(std::span<const std::string_view> keys, int64_t deadline_ms) = 0;
};

// Reads a blocking command's timeout in seconds (decimals allowed, 0 = forever) as Redis 7.0
// does, and returns the absolute deadline in ms (0 = forever). A time under 1 ms rounds to 0 and
// so waits forever, as in Redis. Errors: the text to reply.
struct BlockTimeout {
  int64_t deadline_ms = 0;
  std::string_view error;  // empty when the timeout is valid
};
BlockTimeout ParseBlockTimeout(std::string_view text, int64_t now_ms);

}  // namespace magnetar::commands
