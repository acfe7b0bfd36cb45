#include "magnetar/commands/command_registry.h"

#include <stdexcept>
#include <string>

#include "magnetar/commands/arg_parser.h"

namespace magnetar::commands {

size_t CommandRegistry::FoldedHash::operator()(std::string_view name) const {
  // FNV-1a over lower-cased bytes: command names are short, so this beats copying the name.
  uint64_t hash = 1469598103934665603ull;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return static_cast<size_t>(hash);
}

bool CommandRegistry::FoldedEqual::operator()(std::string_view a, std::string_view b) const {
  return EqualsIgnoreCase(a, b);
}

RegisteredCommand* CommandRegistry::Register(const CommandSpec& spec) {
  RegisteredCommand& entry = storage_.emplace_back(RegisteredCommand{&spec, {}, {}});
  for (const CommandSpec& sub : spec.subcommands) entry.subcommands.push_back(Register(sub));
  return &entry;
}

void CommandRegistry::Add(std::span<const CommandSpec> family) {
  for (const CommandSpec& spec : family) {
    if (by_name_.contains(spec.name)) {
      throw std::logic_error("command registered twice: " + std::string(spec.name));
    }
    RegisteredCommand* entry = Register(spec);
    top_level_.push_back(entry);
    by_name_.emplace(spec.name, entry);
  }
}

RegisteredCommand* CommandRegistry::Find(std::string_view name) {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

RegisteredCommand* CommandRegistry::FindSubcommand(const RegisteredCommand& parent,
                                                   std::string_view name) {
  for (RegisteredCommand* sub : parent.subcommands) {
    std::string_view full = sub->spec->name;
    if (EqualsIgnoreCase(full.substr(full.find('|') + 1), name)) return sub;
  }
  return nullptr;
}

void CommandRegistry::ResetStats() {
  for (RegisteredCommand& entry : storage_) entry.stats = {};
}

}  // namespace magnetar::commands
