// OBJECT: how a key's value is stored and when it was last used. ENCODING uses Redis's names
// where the representation matches Redis's: a string that is an int64 is "int"; others are
// "embstr" up to 44 bytes (what Redis allocates with its object header) and "raw" beyond.
// REFCOUNT reports what Redis would: its shared integers 0..9999 have the "shared" count INT_MAX,
// every other value 1. IDLETIME reads the LRU stamp that every creating or touching lookup
// leaves on the key.
#include <cstdint>
#include <iterator>
#include <limits>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"

namespace magnetar::commands {
namespace {

constexpr size_t kEmbstrMaxBytes = 44;
constexpr int64_t kSharedIntegers = 10000;

// The value at args[2] for the subcommand; replies null (and returns null) when it is missing.
// A miss counts, but raises no "keymiss" (Redis looks up with LOOKUP_NONOTIFY).
const engine::Entry* LookupOrReplyNull(CommandContext& ctx) {
  const engine::Entry* entry = ctx.db().InspectForRead(ctx.args[2], /*notify_miss=*/false);
  if (entry == nullptr) ctx.reply.Null();
  return entry;
}

void ObjectEncoding(CommandContext& ctx) {
  const engine::Entry* entry = LookupOrReplyNull(ctx);
  if (entry == nullptr) return;
  switch (entry->encoding()) {
    case engine::Encoding::kInteger:
      return ctx.reply.Bulk("int");
    case engine::Encoding::kInline:
    case engine::Encoding::kHeapString:
      return ctx.reply.Bulk(entry->string().view().size() <= kEmbstrMaxBytes ? "embstr" : "raw");
    case engine::Encoding::kObject:
      return ctx.reply.Bulk(entry->object()->EncodingName());
  }
}

void ObjectRefcount(CommandContext& ctx) {
  const engine::Entry* entry = LookupOrReplyNull(ctx);
  if (entry == nullptr) return;
  bool shared = entry->encoding() == engine::Encoding::kInteger && entry->integer() >= 0 &&
                entry->integer() < kSharedIntegers;
  ctx.reply.Integer(shared ? std::numeric_limits<int32_t>::max() : 1);
}

// Seconds since the key was last accessed, from the LRU clocks of the keyspace and the key
// (engine/access_metadata.h). Under an LFU policy the key holds a counter instead.
void ObjectIdleTime(CommandContext& ctx) {
  const engine::Entry* entry = LookupOrReplyNull(ctx);
  if (entry == nullptr) return;
  if (ctx.keyspace.access_mode() == engine::AccessMode::kLfu) {
    return ctx.reply.Error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  }
  ctx.reply.Integer(engine::LruIdleSeconds(ctx.keyspace.lru_clock(), entry->access()));
}

// The key's logarithmic access counter, after the decay due by now; only LFU policies keep one.
void ObjectFreq(CommandContext& ctx) {
  const engine::Entry* entry = LookupOrReplyNull(ctx);
  if (entry == nullptr) return;
  if (ctx.keyspace.access_mode() != engine::AccessMode::kLfu) {
    return ctx.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  ctx.reply.Integer(ctx.keyspace.LfuFrequency(entry->access()));
}

void ObjectHelp(CommandContext& ctx) {
  constexpr std::string_view kHelp[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
}

constexpr ArgDoc kKeyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr std::string_view kTips[] = {"nondeterministic_output"};

// In the order Redis 7.0 lists them, so COMMAND INFO and COMMAND DOCS print the same.
constexpr CommandSpec kObjectSubcommands[] = {
    {.name = "object|refcount",
     .arity = 3,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = &ObjectRefcount,
     .doc = {.summary = "Get the number of references to the value of the key",
             .since = "2.2.3",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kKeySpecs,
     .tips = kTips},
    {.name = "object|freq",
     .arity = 3,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = &ObjectFreq,
     .doc = {.summary = "Get the logarithmic access frequency counter of a Redis object",
             .since = "4.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kKeySpecs,
     .tips = kTips},
    {.name = "object|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kAclKeyspace | kAclSlow,
     .handler = &ObjectHelp,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "6.2.0",
             .group = "generic",
             .complexity = "O(1)"}},
    {.name = "object|idletime",
     .arity = 3,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = &ObjectIdleTime,
     .doc = {.summary = "Get the time since a Redis object was last accessed",
             .since = "2.2.3",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kKeySpecs,
     .tips = kTips},
    {.name = "object|encoding",
     .arity = 3,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = &ObjectEncoding,
     .doc = {.summary = "Inspect the internal encoding of a Redis object",
             .since = "2.2.3",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kKeySpecs,
     .tips = kTips},
};

constexpr CommandSpec kObjectCommands[] = {
    {.name = "object",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for object introspection commands",
             .since = "2.2.3",
             .group = "generic",
             .complexity = "Depends on subcommand."},
     .subcommands = kObjectSubcommands},
};

}  // namespace

std::span<const CommandSpec> ObjectCommands() { return kObjectCommands; }

}  // namespace magnetar::commands
