// Name -> command lookup (case-insensitive, without copying the name) and the per-command
// counters INFO commandstats reports. Families are added once at startup from one list.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/commands/command_spec.h"
#include "magnetar/common/latency_histogram.h"

namespace magnetar::commands {

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
  // With latency-tracking: the distribution of the calls' durations (LATENCY HISTOGRAM, INFO
  // latencystats), allocated at the command's first recorded call as Redis does, since most
  // commands are never called.
  std::unique_ptr<LatencyHistogram> latency;

  void RecordLatency(int64_t duration_us) {
    if (!latency) [[unlikely]]
      latency = std::make_unique<LatencyHistogram>();
    latency->Record(duration_us * 1000);
  }
};

// One command or subcommand as the server knows it: its row and its counters.
struct RegisteredCommand {
  const CommandSpec* spec;
  CommandStats stats;
  std::vector<RegisteredCommand*> subcommands;
};

class CommandRegistry {
 public:
  void Add(std::span<const CommandSpec> family);

  RegisteredCommand* Find(std::string_view name);
  RegisteredCommand* FindSubcommand(const RegisteredCommand& parent, std::string_view name);
  // Every top-level command, in registration order.
  std::span<RegisteredCommand* const> commands() const { return top_level_; }
  void ResetStats();

 private:
  RegisteredCommand* Register(const CommandSpec& spec);

  std::deque<RegisteredCommand> storage_;  // stable addresses
  std::vector<RegisteredCommand*> top_level_;
  // Lookup by name ignoring case: open addressing with linear probing, at most half full, so a
  // lookup is one hash of a short name and usually one comparison. Every request does one.
  // Clients send names in upper or lower case: comparing those exactly first spares the
  // case-folding comparison on almost every request.
  struct Slot {
    std::string_view name;  // as the spec spells it (lower case)
    std::string upper;
    RegisteredCommand* command = nullptr;
  };
  static size_t FoldedHash(std::string_view name);
  Slot* SlotFor(std::string_view name);
  void Grow();
  std::vector<Slot> by_name_;
  size_t named_ = 0;
  // The last name found, spelled as the client sent it. A pipeline repeats one command, and every
  // request is looked up twice (by the look-ahead's prefetch, then to run it): comparing a few
  // bytes spares hashing and comparing the name against its slot.
  std::array<char, 24> last_name_{};
  size_t last_size_ = 0;
  RegisteredCommand* last_found_ = nullptr;
};

}  // namespace magnetar::commands
