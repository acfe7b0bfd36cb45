// Name -> command lookup (case-insensitive, without copying the name) and the per-command
// counters INFO commandstats reports. Families are added once at startup from one list.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "magnetar/commands/command_spec.h"

namespace magnetar::commands {

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
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
  struct FoldedHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const;
  };
  struct FoldedEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };

  RegisteredCommand* Register(const CommandSpec& spec);

  std::deque<RegisteredCommand> storage_;  // stable addresses
  std::vector<RegisteredCommand*> top_level_;
  std::unordered_map<std::string_view, RegisteredCommand*, FoldedHash, FoldedEqual> by_name_;
};

}  // namespace magnetar::commands
