// One client's MULTI/EXEC state: the commands queued since MULTI and the keys it WATCHes.
//
// Queued commands keep their arguments in one arena string that is reused from one transaction
// to the next, so queueing allocates nothing once the client has run a transaction of that size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::commands {
struct RegisteredCommand;
}

namespace magnetar::server {

struct WatchedKey {
  size_t db;
  std::string key;
  // The key existed but was past its deadline when WATCHed: its removal by expiry is then no
  // change (Redis 7.0's rule), and EXEC does not fail because it stays expired.
  bool expired;
};

class Transaction {
 public:
  bool active() const { return active_; }
  // A command was refused while queueing: EXEC replies EXECABORT.
  bool aborted() const { return aborted_; }
  // A WATCHed key changed: EXEC replies a null array.
  bool watch_failed() const { return watch_failed_; }
  size_t queued_count() const { return commands_.size(); }
  // Bytes the queued commands hold (CLIENT LIST multi-mem).
  size_t queued_bytes() const { return arena_.capacity() + args_.capacity() * sizeof(Arg); }

  void Begin() { active_ = true; }
  void Abort() { aborted_ = true; }
  void FailWatch() { watch_failed_ = true; }
  void Queue(commands::RegisteredCommand* command, std::span<const std::string_view> args);
  // Calls `fn(command, args)` for each queued command in order. The views are valid until the
  // next Queue() or Reset().
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (const Queued& queued : commands_) {
      views_.clear();
      for (size_t i = queued.first_arg; i < queued.first_arg + queued.arg_count; ++i) {
        views_.emplace_back(arena_.data() + args_[i].offset, args_[i].size);
      }
      fn(queued.command, std::span<const std::string_view>(views_));
    }
  }
  // Leaves MULTI (EXEC done, DISCARD, RESET): queued commands and flags go, WATCHes stay (the
  // server unwatches separately).
  void Reset();

  std::vector<WatchedKey>& watched() { return watched_; }
  const std::vector<WatchedKey>& watched() const { return watched_; }

 private:
  struct Arg {
    size_t offset;
    size_t size;
  };
  struct Queued {
    commands::RegisteredCommand* command;
    size_t first_arg;
    size_t arg_count;
  };

  bool active_ = false;
  bool aborted_ = false;
  bool watch_failed_ = false;
  std::string arena_;
  std::vector<Arg> args_;
  std::vector<Queued> commands_;
  std::vector<std::string_view> views_;  // ForEach's arguments of one command, reused
  std::vector<WatchedKey> watched_;
};

}  // namespace magnetar::server
