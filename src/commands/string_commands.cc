// String commands. This first cut holds GET and plain SET; the keyspace issue adds the rest of the
// family and SET's options.
#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"

namespace magnetar::commands {
namespace {

void Get(CommandContext& ctx) {
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Null();
  ctx.reply.Bulk(*value);
}

void Set(CommandContext& ctx) {
  if (ctx.args.size() != 3) return ctx.reply.Error(OpStatus::kSyntaxError);
  ctx.db().SetString(ctx.args[1], ctx.args[2]);
  ctx.reply.Ok();
}

constexpr CommandSpec kStringCommands[] = {
    {.name = "get",
     .arity = 2,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclString | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Get},
    {.name = "set",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclString | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Set},
};

}  // namespace

std::span<const CommandSpec> StringCommands() { return kStringCommands; }

}  // namespace magnetar::commands
