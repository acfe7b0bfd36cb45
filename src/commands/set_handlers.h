// What the set family's two files share: finding a set as Redis's read or write lookups do,
// adding members under the configured limits, replying a set's members, and the randomness SPOP
// and SRANDMEMBER draw from. Private to src/commands.
#pragma once

#include <cstdint>
#include <string_view>

#include "magnetar/commands/command_context.h"
#include "magnetar/engine/set_value.h"

namespace magnetar::commands::sets {

// How a command looks its keys up, as Redis's lookupKeyRead / lookupKeyWrite: a read counts a
// keyspace hit or miss and a miss raises "keymiss"; a write does neither.
enum class Lookup : uint8_t { kRead, kWrite };

// The set at `key`, or null when the key does not exist; kWrongType when it holds another type.
Result<engine::SetValue*> FindSet(CommandContext& ctx, std::string_view key, Lookup lookup);

// Adds `member` to `set` under set-max-intset-entries as configured now; true when it was new.
bool AddMember(CommandContext& ctx, engine::SetValue& set, std::string_view member);

// Replies every member of `set` (null: the empty set) as a set: RESP3's `~`, an array in RESP2.
void ReplyMembers(CommandContext& ctx, const engine::SetValue* set);

// Uniform 64-bit numbers for sampling. Not seeded from anything a client controls.
uint64_t RandomNumber();
inline const engine::SetValue::Random& Randomness() {
  static const engine::SetValue::Random random = &RandomNumber;
  return random;
}

}  // namespace magnetar::commands::sets
