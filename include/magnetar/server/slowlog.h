// SLOWLOG: the newest commands that ran for at least slowlog-log-slower-than microseconds, with
// their arguments as Redis 7.0 keeps them (at most 32, each at most 128 bytes, secrets redacted),
// the client's address and name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::commands {
struct CommandSpec;
}  // namespace magnetar::commands

namespace magnetar::server {

class Client;
class Server;

struct SlowlogEntry {
  uint64_t id;
  int64_t unix_seconds;  // when the command ended
  int64_t duration_us;
  std::vector<std::string> args;
  std::string client_address;
  std::string client_name;
};

class Slowlog {
 public:
  // Logs a command of `spec` with the arguments `args` (its name first), then drops the oldest
  // entries beyond `max_len`. Ids keep counting across RESET and dropped entries, as in Redis.
  void Add(const commands::CommandSpec& spec, std::span<const std::string_view> args,
           int64_t duration_us, int64_t unix_seconds, std::string client_address,
           std::string client_name, size_t max_len);
  void Reset() { entries_.clear(); }
  // Newest first.
  const std::deque<SlowlogEntry>& entries() const { return entries_; }

 private:
  std::deque<SlowlogEntry> entries_;
  uint64_t next_id_ = 0;
};

// Whether argument `i` of a command of `command` (a table name, "config|set") holds a secret that
// Redis 7.0 shows as "(redacted)" in SLOWLOG and MONITOR: every argument of AUTH, the user name
// and password of HELLO's AUTH option, the value of CONFIG SET for a password directive.
bool IsRedactedArgument(std::string_view command, std::span<const std::string_view> args, size_t i);

// The dispatcher's cold path for a command that ran at least slowlog-log-slower-than: logs it
// unless its command is never logged (EXEC: its commands are logged one by one) or it blocked
// (it is logged when it runs again to serve the client). `end_us` is the monotonic time at its
// end.
void LogSlowCommand(Server& server, const Client& client, const commands::CommandSpec& spec,
                    std::span<const std::string_view> args, int64_t duration_us, int64_t end_us);

}  // namespace magnetar::server
