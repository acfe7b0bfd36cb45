// The one propagation point: every executed write leaves the server through here, as the
// deterministic form of its effect, towards the AOF and the replicas (the sinks).
//
// A command's writes are collected while it runs (an "execution unit": one command, or a whole
// MULTI/EXEC) and sent when the unit ends; a unit that made more than one write is wrapped in
// MULTI ... EXEC so that replaying it stays atomic. A deletion by lazy expiry belongs to the unit
// whose command found the key expired (Redis 7.0 wraps it with the command's writes), while active
// expiry's are sent at once. A SELECT goes out before a write whenever its database differs from
// the previous write's.
//
// With no sink attached nothing is recorded or copied: a write costs one branch.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::server {

// Receives the propagated stream, one command at a time (SELECT, MULTI and EXEC included).
class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  virtual void Append(std::span<const std::string_view> argv) = 0;
  // Called once a unit's writes (or a write sent at once) have all been appended: a sink that
  // batches its output (the AOF) arranges here for it to be written before the unit's replies
  // leave.
  virtual void EndOfWrites() {}
};

// A sink that keeps every command it receives, for tests.
class RecordingSink final : public PropagationSink {
 public:
  void Append(std::span<const std::string_view> argv) override {
    commands.emplace_back(argv.begin(), argv.end());
  }
  std::vector<std::vector<std::string>> commands;
};

class Propagator {
 public:
  // Sinks are not owned; a sink must be removed before it is destroyed.
  void AddSink(PropagationSink& sink);
  void RemoveSink(PropagationSink& sink);
  // True when any sink listens: callers skip building what would be propagated otherwise.
  bool active() const { return !sinks_.empty(); }

  // Execution units nest (EXEC runs commands); writes are sent when the outermost one ends.
  void BeginUnit() { ++depth_; }
  // True when the unit's writes were sent to the sinks (the outermost unit made writes).
  bool EndUnit();
  // True while a unit runs (a command, or EXEC with its commands).
  bool in_unit() const { return depth_ > 0; }
  // Adds a write of the current unit.
  void Record(size_t db, std::span<const std::string_view> argv);
  void Record(size_t db, std::span<const std::string> argv);
  // Sends one write now, outside any unit (active expiry's DEL).
  void SendNow(size_t db, std::span<const std::string_view> argv);

  // The next write is preceded by a SELECT whatever its database (a sink that starts a new
  // stream, such as a replica after a full sync, needs one).
  void ForgetSelectedDb() { selected_db_ = kNoDb; }

 private:
  static constexpr size_t kNoDb = ~size_t{0};

  template <typename Arg>
  void RecordArgs(size_t db, std::span<const Arg> argv);
  void ClearPending();
  void Emit(size_t db, std::span<const std::string_view> argv);
  void EmitToSinks(std::span<const std::string_view> argv);

  std::vector<PropagationSink*> sinks_;
  size_t depth_ = 0;
  size_t selected_db_ = kNoDb;
  // The unit's writes, kept without an allocation per write: their arguments are copied back to
  // back into one buffer, which keeps its room from unit to unit.
  struct PendingWrite {
    size_t db;
    size_t first_arg;  // index into pending_args_
    size_t argc;
  };
  std::vector<PendingWrite> pending_;
  std::vector<std::pair<size_t, size_t>> pending_args_;  // offset and size in pending_bytes_
  std::string pending_bytes_;
  std::vector<std::string_view> views_;  // one write's arguments as it is emitted
};

}  // namespace magnetar::server
