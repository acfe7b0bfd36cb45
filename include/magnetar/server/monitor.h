// MONITOR: clients that receive a line for every command the server runs, in Redis 7.0's format
//   +<unix seconds>.<microseconds> [<db> <ip:port> | <db> unix:<socket path>] "arg" "arg"...
// after the command ran (so SELECT shows its new database), with secrets redacted as SLOWLOG
// redacts them. Admin commands (CONFIG, DEBUG, SLOWLOG...) and those flagged skip-monitor are not
// shown, nor are commands refused before they ran, except EXEC, which Redis shows when a
// transaction aborts. The server's one check when no client monitors is Monitors::empty().
#pragma once

#include <cstdint>
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

class Monitors {
 public:
  bool empty() const { return clients_.empty(); }
  void Add(Client& client);
  void Remove(Client& client);

  // Sends the line for `args`, which `client` ran in database `db`, to every monitor, unless
  // `spec`'s flags hide it. `end_us` is the monotonic time the command ended.
  void Feed(Server& server, const Client& client, const commands::CommandSpec& spec,
            std::span<const std::string_view> args, size_t db, int64_t end_us);

 private:
  std::vector<Client*> clients_;  // in the order they started monitoring
  std::string line_;              // reused from one line to the next
};

}  // namespace magnetar::server
