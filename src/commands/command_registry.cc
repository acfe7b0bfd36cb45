#include "magnetar/commands/command_registry.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "magnetar/commands/arg_parser.h"

namespace magnetar::commands {

size_t CommandRegistry::FoldedHash(std::string_view name) {
  // FNV-1a over the bytes with bit 5 set: letters that differ only in case hash alike, and command
  // names are short enough that this beats copying the name to fold it.
  uint64_t hash = 1469598103934665603ull;
  for (char c : name) hash = (hash ^ (static_cast<unsigned char>(c) | 0x20u)) * 1099511628211ull;
  return static_cast<size_t>(hash ^ (hash >> 29));
}

CommandRegistry::Slot* CommandRegistry::SlotFor(std::string_view name) {
  size_t mask = by_name_.size() - 1;
  for (size_t i = FoldedHash(name) & mask;; i = (i + 1) & mask) {
    Slot& slot = by_name_[i];
    if (slot.command == nullptr || name == slot.name || name == slot.upper ||
        EqualsIgnoreCase(slot.name, name)) {
      return &slot;
    }
  }
}

void CommandRegistry::Grow() {
  std::vector<Slot> old(std::max<size_t>(64, by_name_.size() * 2));
  old.swap(by_name_);
  for (Slot& slot : old) {
    if (slot.command != nullptr) *SlotFor(slot.name) = std::move(slot);
  }
}

RegisteredCommand* CommandRegistry::Register(const CommandSpec& spec) {
  RegisteredCommand& entry = storage_.emplace_back(RegisteredCommand{&spec, {}, {}});
  for (const CommandSpec& sub : spec.subcommands) entry.subcommands.push_back(Register(sub));
  return &entry;
}

void CommandRegistry::Add(std::span<const CommandSpec> family) {
  last_found_ = nullptr;
  for (const CommandSpec& spec : family) {
    if ((named_ + 1) * 2 > by_name_.size()) Grow();
    Slot* slot = SlotFor(spec.name);
    if (slot->command != nullptr) {
      throw std::logic_error("command registered twice: " + std::string(spec.name));
    }
    RegisteredCommand* entry = Register(spec);
    top_level_.push_back(entry);
    std::string upper(spec.name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    *slot = {spec.name, std::move(upper), entry};
    ++named_;
  }
}

RegisteredCommand* CommandRegistry::Find(std::string_view name) {
  if (last_found_ != nullptr && name.size() == last_size_ &&
      std::memcmp(name.data(), last_name_.data(), last_size_) == 0) {
    return last_found_;
  }
  if (by_name_.empty()) return nullptr;
  RegisteredCommand* found = SlotFor(name)->command;
  if (found != nullptr && name.size() <= last_name_.size()) {
    std::memcpy(last_name_.data(), name.data(), name.size());
    last_size_ = name.size();
    last_found_ = found;
  }
  return found;
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
