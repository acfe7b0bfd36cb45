// COMMAND and its subcommands: the command table as clients see it. Everything here is a printout
// of the registry's CommandSpec rows (see command_printers.h for the formats).
#include <string>
#include <vector>

#include "command_keys.h"
#include "command_printers.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/glob.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

CommandRegistry& Registry(CommandContext& ctx) { return AsServer(ctx).server.registry(); }

// A command by its full name: "get", or "config|get" for a subcommand.
const CommandSpec* LookupFullName(CommandRegistry& registry, std::string_view name) {
  size_t bar = name.find('|');
  RegisteredCommand* command = registry.Find(name.substr(0, bar));
  if (!command) return nullptr;
  if (bar == std::string_view::npos) return command->spec;
  RegisteredCommand* sub = registry.FindSubcommand(*command, name.substr(bar + 1));
  return sub ? sub->spec : nullptr;
}

void ReplyAllInfo(CommandContext& ctx) {
  auto all = Registry(ctx).commands();
  ctx.reply.Array(all.size());
  for (const RegisteredCommand* command : all) ReplyCommandInfo(ctx.reply, *command->spec);
}

void Command(CommandContext& ctx) { ReplyAllInfo(ctx); }

void Count(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(Registry(ctx).commands().size()));
}

void Info(CommandContext& ctx) {
  if (ctx.args.size() == 2) return ReplyAllInfo(ctx);
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (const CommandSpec* spec = LookupFullName(Registry(ctx), ctx.args[i])) {
      ReplyCommandInfo(ctx.reply, *spec);
    } else {
      ctx.reply.Null();
    }
  }
}

// Unknown names are left out of the map; a name asked twice appears twice.
void Docs(CommandContext& ctx) {
  std::vector<const CommandSpec*> found;
  if (ctx.args.size() == 2) {
    for (const RegisteredCommand* command : Registry(ctx).commands()) {
      found.push_back(command->spec);
    }
  }
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (const CommandSpec* spec = LookupFullName(Registry(ctx), ctx.args[i])) found.push_back(spec);
  }
  ctx.reply.Map(found.size());
  for (const CommandSpec* spec : found) {
    ctx.reply.Bulk(spec->name);
    ReplyCommandDocs(ctx.reply, *spec);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: every command and
// subcommand name that passes the filter. No module is ever loaded, so MODULE matches nothing.
void List(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCategory, kPattern } filter = Filter::kNone;
  std::string_view value;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "filterby")) {
    value = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(ctx.args[3], "aclcat")) {
      filter = Filter::kAclCategory;
    } else if (EqualsIgnoreCase(ctx.args[3], "pattern")) {
      filter = Filter::kPattern;
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
  } else if (ctx.args.size() != 2) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  const uint32_t category = filter == Filter::kAclCategory ? AclCategoryByName(value) : 0;
  auto passes = [&](const CommandSpec& spec) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;
      case Filter::kAclCategory:
        return (spec.acl & category) != 0;
      case Filter::kPattern:
        return GlobMatch(value, spec.name, /*nocase=*/true);
    }
    return false;
  };
  std::vector<std::string_view> names;
  for (const RegisteredCommand* command : Registry(ctx).commands()) {
    if (passes(*command->spec)) names.push_back(command->spec->name);
    for (const CommandSpec& sub : command->spec->subcommands) {
      if (passes(sub)) names.push_back(sub.name);
    }
  }
  ctx.reply.Array(names.size());
  for (std::string_view name : names) ctx.reply.Bulk(name);
}

// COMMAND GETKEYS / GETKEYSANDFLAGS <command> [arg ...].
void ReplyKeys(CommandContext& ctx, bool with_flags) {
  std::span<const std::string_view> command_args = ctx.args.subspan(2);
  RegisteredCommand* command = Registry(ctx).Find(command_args[0]);
  if (command && !command->spec->subcommands.empty() && command_args.size() >= 2) {
    command = Registry(ctx).FindSubcommand(*command, command_args[1]);
  }
  if (!command) return ctx.reply.Error("ERR Invalid command specified");
  const CommandSpec& spec = *command->spec;
  if (!CommandHasKeys(spec)) return ctx.reply.Error("ERR The command has no key arguments");
  const auto argc = static_cast<int>(command_args.size());
  if ((spec.arity > 0 && spec.arity != argc) || argc < -spec.arity) {
    return ctx.reply.Error("ERR Invalid number of arguments specified for command");
  }
  std::vector<KeyRef> keys;
  if (!FindCommandKeys(spec, command_args, keys) || keys.empty()) {
    if (spec.flags & kNoMandatoryKeys) return ctx.reply.Array(0);
    return ctx.reply.Error("ERR Invalid arguments specified for command");
  }
  ctx.reply.Array(keys.size());
  for (const KeyRef& key : keys) {
    if (!with_flags) {
      ctx.reply.Bulk(command_args[key.index]);
      continue;
    }
    ctx.reply.Array(2);
    ctx.reply.Bulk(command_args[key.index]);
    ReplyKeySpecFlags(ctx.reply, key.flags);
  }
}

void GetKeys(CommandContext& ctx) { ReplyKeys(ctx, /*with_flags=*/false); }

void GetKeysAndFlags(CommandContext& ctx) { ReplyKeys(ctx, /*with_flags=*/true); }

void Help(CommandContext& ctx) {
  constexpr std::string_view kHelp[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
}

constexpr std::string_view kOutputOrderTips[] = {"nondeterministic_output_order"};
constexpr uint32_t kCommandFlags = kLoading | kStale;
constexpr uint32_t kCommandAcl = kAclSlow | kAclConnection;

constexpr ArgDoc kCommandNameArgs[] = {
    {.name = "command-name", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};
constexpr HistoryEntry kInfoHistory[] = {
    {"7.0.0", "Allowed to be called with no argument to get info on all commands."},
};
constexpr ArgDoc kListFilterbyArgs[] = {
    {.name = "module-name", .type = ArgType::kString, .token = "MODULE"},
    {.name = "category", .type = ArgType::kString, .token = "ACLCAT"},
    {.name = "pattern", .type = ArgType::kPattern, .token = "PATTERN"},
};
constexpr ArgDoc kListArgs[] = {
    {.name = "filterby",
     .type = ArgType::kOneOf,
     .token = "FILTERBY",
     .flags = kArgOptional,
     .arguments = kListFilterbyArgs},
};

constexpr CommandSpec kCommandSubcommands[] = {
    {.name = "command|count",
     .arity = 2,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &Count,
     .doc = {.summary = "Get total number of Redis commands",
             .since = "2.8.13",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "command|docs",
     .arity = -2,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &Docs,
     .doc = {.summary = "Get array of specific Redis command documentation",
             .since = "7.0.0",
             .group = "server",
             .complexity = "O(N) where N is the number of commands to look up",
             .arguments = kCommandNameArgs},
     .tips = kOutputOrderTips},
    {.name = "command|getkeys",
     .arity = -4,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &GetKeys,
     .doc = {.summary = "Extract keys given a full Redis command",
             .since = "2.8.13",
             .group = "server",
             .complexity = "O(N) where N is the number of arguments to the command"}},
    {.name = "command|getkeysandflags",
     .arity = -4,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &GetKeysAndFlags,
     .doc = {.summary = "Extract keys and access flags given a full Redis command",
             .since = "7.0.0",
             .group = "server",
             .complexity = "O(N) where N is the number of arguments to the command"}},
    {.name = "command|help",
     .arity = 2,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &Help,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "5.0.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "command|info",
     .arity = -2,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &Info,
     .doc = {.summary =
                 "Get array of specific Redis command details, or all when no argument is given.",
             .since = "2.8.13",
             .group = "server",
             .complexity = "O(N) where N is the number of commands to look up",
             .history = kInfoHistory,
             .arguments = kCommandNameArgs},
     .tips = kOutputOrderTips},
    {.name = "command|list",
     .arity = -2,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &List,
     .doc = {.summary = "Get an array of Redis command names",
             .since = "7.0.0",
             .group = "server",
             .complexity = "O(N) where N is the total number of Redis commands",
             .arguments = kListArgs},
     .tips = kOutputOrderTips},
};

constexpr CommandSpec kCommandCommands[] = {
    {.name = "command",
     .arity = -1,
     .flags = kCommandFlags,
     .acl = kCommandAcl,
     .handler = &Command,
     .doc = {.summary = "Get array of Redis command details",
             .since = "2.8.13",
             .group = "server",
             .complexity = "O(N) where N is the total number of Redis commands"},
     .tips = kOutputOrderTips,
     .subcommands = kCommandSubcommands},
};

}  // namespace

std::span<const CommandSpec> CommandCommands() { return kCommandCommands; }

}  // namespace magnetar::server
