// String commands. This first cut holds GET and plain SET; the keyspace issue adds the rest of the
// family and SET's options.
#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"

namespace magnetar::commands {
namespace {

void Get(CommandContext& ctx) {
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  if (!*value) return ctx.reply.Null();
  ctx.reply.Bulk((*value)->view());
}

void Set(CommandContext& ctx) {
  if (ctx.args.size() != 3) return ctx.reply.Error(OpStatus::kSyntaxError);
  ctx.db().SetString(ctx.args[1], ctx.args[2]);
  ctx.reply.Ok();
}

// SET reads the old value only when GET asks for it, so its key's flags depend on the arguments.
bool SetKeys(std::span<const std::string_view> args, std::vector<KeyRef>& keys) {
  bool get = false;
  for (size_t i = 3; i < args.size(); ++i) get = get || EqualsIgnoreCase(args[i], "get");
  keys.push_back({1, get ? kKsRW | kKsAccess | kKsUpdate : kKsOW | kKsUpdate});
  return true;
}

constexpr ArgDoc kKeyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kGetKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};

constexpr HistoryEntry kSetHistory[] = {
    {"2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."},
    {"6.0.0", "Added the `KEEPTTL` option."},
    {"6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."},
    {"7.0.0", "Allowed the `NX` and `GET` options to be used together."},
};
constexpr ArgDoc kSetConditionArgs[] = {
    {.name = "nx", .type = ArgType::kPureToken, .token = "NX"},
    {.name = "xx", .type = ArgType::kPureToken, .token = "XX"},
};
constexpr ArgDoc kSetExpirationArgs[] = {
    {.name = "seconds", .type = ArgType::kInteger, .token = "EX", .since = "2.6.12"},
    {.name = "milliseconds", .type = ArgType::kInteger, .token = "PX", .since = "2.6.12"},
    {.name = "unix-time-seconds", .type = ArgType::kUnixTime, .token = "EXAT", .since = "6.2.0"},
    {.name = "unix-time-milliseconds",
     .type = ArgType::kUnixTime,
     .token = "PXAT",
     .since = "6.2.0"},
    {.name = "keepttl", .type = ArgType::kPureToken, .token = "KEEPTTL", .since = "6.0.0"},
};
constexpr ArgDoc kSetArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "value", .type = ArgType::kString},
    {.name = "condition",
     .type = ArgType::kOneOf,
     .since = "2.6.12",
     .flags = kArgOptional,
     .arguments = kSetConditionArgs},
    {.name = "get",
     .type = ArgType::kPureToken,
     .token = "GET",
     .since = "6.2.0",
     .flags = kArgOptional},
    {.name = "expiration",
     .type = ArgType::kOneOf,
     .flags = kArgOptional,
     .arguments = kSetExpirationArgs},
};
constexpr KeySpec kSetKeySpecs[] = {
    {.notes = "RW and ACCESS due to the optional `GET` argument",
     .flags = kKsRW | kKsAccess | kKsUpdate | kKsVariableFlags,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};

constexpr CommandSpec kStringCommands[] = {
    {.name = "get",
     .arity = 2,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclString | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Get,
     .doc = {.summary = "Get the value of a key",
             .since = "1.0.0",
             .group = "string",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kGetKeySpecs},
    {.name = "set",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclString | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Set,
     .doc = {.summary = "Set the string value of a key",
             .since = "1.0.0",
             .group = "string",
             .complexity = "O(1)",
             .history = kSetHistory,
             .arguments = kSetArgs},
     .key_specs = kSetKeySpecs,
     .keys_fn = &SetKeys},
};

}  // namespace

std::span<const CommandSpec> StringCommands() { return kStringCommands; }

}  // namespace magnetar::commands
