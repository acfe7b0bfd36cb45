// Clients blocked on keys (BLPOP and the other blocking list and sorted-set commands), or on
// replicas' acknowledgements (WAIT): a server mechanism that knows nothing of lists.
//
// A blocking command that finds nothing to serve calls the context's commands::Blocker, which
// lands here: the client's command (its arguments copied) is parked on its keys, its connection
// stops running requests, and the deadline, if any, goes into an ordered set whose earliest entry
// arms one event-loop timer. Each key has a FIFO of the clients waiting on it.
//
// Any change to a key someone waits on (the keyspace observer's OnKeyModified) marks it ready.
// At the end of each execution unit (a command, or a whole EXEC) the dispatcher calls
// HandleReadyKeys(), which, for each ready key in the order it became ready, re-runs the command
// of each client waiting on it, first come first served, while the key exists: as Redis 7.2 does,
// the command runs again as if just sent, so it replies and propagates as its non-blocking form.
// A command that finds nothing again stays blocked in its place. A served client's connection
// then resumes its pipelined requests. Clients served may make further keys ready (BLMOVE pushes),
// which are handled in the same call, so all of it happens before any other client's next command.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "magnetar/commands/blocking.h"

namespace magnetar::commands {
struct RegisteredCommand;
}

namespace magnetar::server {

class Server;
class Client;

class Blocking {
 public:
  explicit Blocking(Server& server) : server_(server) {}

  // The Blocker a command run by `client` sees: it parks `command` with `args` on the keys.
  class ClientBlocker final : public commands::Blocker {
   public:
    ClientBlocker(Blocking& blocking, Client& client, commands::RegisteredCommand& command,
                  std::span<const std::string_view> args, size_t db)
        : blocking_(blocking), client_(client), command_(command), args_(args), db_(db) {}
    bool CanBlock() const override;
    void Block(std::span<const std::string_view> keys, int64_t deadline_ms) override;

   private:
    Blocking& blocking_;
    Client& client_;
    commands::RegisteredCommand& command_;
    std::span<const std::string_view> args_;
    size_t db_;
  };

  // Called by the keyspace hooks for every change: marks the key ready if anyone waits on it.
  void SignalKey(size_t db, std::string_view key);
  // A replica acknowledged its offset: commands that block on no key (WAIT) run again. At their
  // deadline they run once more with blocking refused, and reply what they have then.
  void RecheckReplicaWaits();
  // Serves the clients blocked on ready keys (see above).
  void HandleReadyKeys();
  // Replies the timeout reply to clients whose deadline passed by `now_ms` and unblocks them.
  void ExpireTimeouts(int64_t now_ms);
  // The client disconnects: forgets it.
  void Remove(Client& client);
  // CLIENT UNBLOCK: false when the client is not blocked. With `error`, the reply is
  // -UNBLOCKED...; otherwise the timeout reply.
  bool Unblock(Client& client, bool error);

  bool IsBlocked(const Client& client) const { return blocked_.contains(&client); }
  // Whether the client's command is being run again to serve it (MONITOR showed it already).
  bool IsRerunning(const Client& client) const { return rerunning_ == &client; }
  size_t blocked_clients() const { return blocked_.size(); }
  // How the timer is armed: `arm(delay_ms)`; set by the server when its loop runs.
  void set_arm_timer(std::function<void(int64_t)> arm) { arm_timer_ = std::move(arm); }
  // The event-loop timer fired.
  void OnTimer();

 private:
  struct Waiter {
    Client* client;
    commands::RegisteredCommand* command;
    size_t db;
    std::vector<std::string> args;  // the command as sent
    std::vector<std::string> keys;
    int64_t deadline_ms;
  };
  using KeyId = std::pair<size_t, std::string>;

  void Park(Client& client, commands::RegisteredCommand& command,
            std::span<const std::string_view> args, size_t db,
            std::span<const std::string_view> keys, int64_t deadline_ms);
  // Drops the client's registrations; its connection runs requests again.
  void Release(Client& client);
  // Runs the waiter's command again as if just sent; false when it blocked again.
  bool Rerun(Client& client, Waiter& waiter);
  // Its deadline passed, or CLIENT UNBLOCK TIMEOUT: the reply a timeout gets (WAIT's count, a
  // list command's null array).
  void TimeOut(Client& client, Waiter& waiter);
  void ArmTimer();

  Server& server_;
  std::unordered_map<const Client*, std::unique_ptr<Waiter>> blocked_;
  std::map<KeyId, std::deque<Client*>> waiting_;
  std::set<std::pair<int64_t, Client*>> deadlines_;
  std::vector<KeyId> ready_;
  std::set<KeyId> ready_set_;
  Client* rerunning_ = nullptr;   // the client whose command is running again
  Client* timing_out_ = nullptr;  // the client whose keyless command runs at its deadline
  bool reblocked_ = false;        // that command asked to block again
  std::function<void(int64_t)> arm_timer_;
};

}  // namespace magnetar::server
