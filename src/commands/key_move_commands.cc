// Commands that give a value another name or another database: RENAME, RENAMENX, COPY, MOVE and
// SWAPDB. A moved value keeps its deadline; COPY gives the copy the same deadline.
#include <cstdint>
#include <limits>
#include <optional>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"

namespace magnetar::commands {
namespace {

constexpr std::string_view kIntRangeError =
    "ERR value is out of range, value must between -2147483648 and 2147483647";

// A database number argument as MOVE and COPY read it: an integer that fits an int, then a valid
// database. Replies with the error and returns nullopt otherwise.
std::optional<size_t> ParseDbIndex(CommandContext& ctx, std::string_view arg) {
  std::optional<int64_t> value = ParseInt64(arg);
  if (!value) {
    ctx.reply.Error(OpStatus::kNotInteger);
  } else if (*value < std::numeric_limits<int32_t>::min() ||
             *value > std::numeric_limits<int32_t>::max()) {
    ctx.reply.Error(kIntRangeError);
  } else if (*value < 0 || static_cast<uint64_t>(*value) >= ctx.keyspace.database_count()) {
    ctx.reply.Error(OpStatus::kDbIndexOutOfRange);
  } else {
    return static_cast<size_t>(*value);
  }
  return std::nullopt;
}

// RENAME and RENAMENX. Renaming a key to itself succeeds (RENAMENX answers 0) once the key is
// known to exist.
void RenameGeneric(CommandContext& ctx, bool only_if_new) {
  std::string_view from = ctx.args[1];
  std::string_view to = ctx.args[2];
  engine::Database& db = ctx.db();
  if (db.Lookup(from) == nullptr) return ctx.reply.Error(OpStatus::kNoSuchKey);
  if (from == to || (only_if_new && db.Lookup(to) != nullptr)) {
    return only_if_new ? ctx.reply.Integer(0) : ctx.reply.Ok();
  }
  db.MoveEntry(from, db, to);
  // One change of two keys: counted once.
  db.Changed(from, engine::kNotifyGeneric, "rename_from");
  db.Changed(to, engine::kNotifyGeneric, "rename_to", 0);
  only_if_new ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }

void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

void Copy(CommandContext& ctx) {
  size_t target_index = ctx.db_index;
  bool replace = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.args[i], "db") && i + 1 < ctx.args.size()) {
      std::optional<size_t> index = ParseDbIndex(ctx, ctx.args[++i]);
      if (!index) return;
      target_index = *index;
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
  }
  std::string_view from = ctx.args[1];
  std::string_view to = ctx.args[2];
  if (target_index == ctx.db_index && from == to) return ctx.reply.Error(OpStatus::kSameObject);
  engine::Database& source = ctx.db();
  engine::Database& target = ctx.keyspace.db(target_index);
  if (source.LookupForRead(from) == nullptr) return ctx.reply.Integer(0);
  if (!replace && target.Lookup(to) != nullptr) return ctx.reply.Integer(0);
  if (!source.CopyEntry(from, target, to)) return ctx.reply.Integer(0);
  target.Changed(to, engine::kNotifyGeneric, "copy_to");
  ctx.reply.Integer(1);
}

void Move(CommandContext& ctx) {
  std::optional<size_t> target_index = ParseDbIndex(ctx, ctx.args[2]);
  if (!target_index) return;
  if (*target_index == ctx.db_index) return ctx.reply.Error(OpStatus::kSameObject);
  std::string_view key = ctx.args[1];
  engine::Database& target = ctx.keyspace.db(*target_index);
  if (ctx.db().Lookup(key) == nullptr || target.Lookup(key) != nullptr) {
    return ctx.reply.Integer(0);
  }
  ctx.db().MoveEntry(key, target, key);
  ctx.db().Changed(key, engine::kNotifyGeneric, "move_from");
  target.Changed(key, engine::kNotifyGeneric, "move_to", 0);
  ctx.reply.Integer(1);
}

// SWAPDB reads each index as an int, with its own error for a malformed one.
std::optional<int64_t> ParseSwapIndex(CommandContext& ctx, std::string_view arg,
                                      std::string_view error) {
  std::optional<int64_t> value = ParseInt64(arg);
  if (!value || *value < std::numeric_limits<int32_t>::min() ||
      *value > std::numeric_limits<int32_t>::max()) {
    ctx.reply.Error(error);
    return std::nullopt;
  }
  return value;
}

void SwapDb(CommandContext& ctx) {
  std::optional<int64_t> first = ParseSwapIndex(ctx, ctx.args[1], "ERR invalid first DB index");
  if (!first) return;
  std::optional<int64_t> second = ParseSwapIndex(ctx, ctx.args[2], "ERR invalid second DB index");
  if (!second) return;
  auto count = static_cast<int64_t>(ctx.keyspace.database_count());
  if (*first < 0 || *first >= count || *second < 0 || *second >= count) {
    return ctx.reply.Error(OpStatus::kDbIndexOutOfRange);
  }
  if (*first != *second) {
    ctx.keyspace.SwapDatabases(static_cast<size_t>(*first), static_cast<size_t>(*second));
  }
  // Counted (and so propagated) even when a database is swapped with itself, as in Redis. No key
  // event: SWAPDB raises none.
  ctx.keyspace.AddDirty(1);
  ctx.reply.Ok();
}

constexpr ArgDoc kRenameArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "newkey", .type = ArgType::kKey, .key_spec_index = 1},
};
constexpr KeySpec kRenameKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr HistoryEntry kRenameNxHistory[] = {
    {"3.2.0",
     "The command no longer returns an error when source and destination names are the same."},
};
constexpr KeySpec kRenameNxKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsInsert, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kCopyArgs[] = {
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "destination-db", .type = ArgType::kInteger, .token = "DB", .flags = kArgOptional},
    {.name = "replace", .type = ArgType::kPureToken, .token = "REPLACE", .flags = kArgOptional},
};
constexpr KeySpec kCopyKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kMoveArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "db", .type = ArgType::kInteger},
};
constexpr KeySpec kMoveKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsUpdate,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kSwapDbArgs[] = {
    {.name = "index1", .type = ArgType::kInteger},
    {.name = "index2", .type = ArgType::kInteger},
};

constexpr CommandSpec kKeyMoveCommands[] = {
    {.name = "rename",
     .arity = 3,
     .flags = kWrite,
     .acl = kAclKeyspace | kAclWrite | kAclSlow,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &Rename,
     .doc = {.summary = "Rename a key",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kRenameArgs},
     .key_specs = kRenameKeySpecs},
    {.name = "renamenx",
     .arity = 3,
     .flags = kWrite | kFast,
     .acl = kAclKeyspace | kAclWrite | kAclFast,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &RenameNx,
     .doc = {.summary = "Rename a key, only if the new key does not exist",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kRenameNxHistory,
             .arguments = kRenameArgs},
     .key_specs = kRenameNxKeySpecs},
    {.name = "copy",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .acl = kAclKeyspace | kAclWrite | kAclSlow,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &Copy,
     .doc = {.summary = "Copy a key",
             .since = "6.2.0",
             .group = "generic",
             .complexity = "O(N) worst case for collections, where N is the number of nested "
                           "items. O(1) for string values.",
             .arguments = kCopyArgs},
     .key_specs = kCopyKeySpecs},
    {.name = "move",
     .arity = 3,
     .flags = kWrite | kFast,
     .acl = kAclKeyspace | kAclWrite | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Move,
     .doc = {.summary = "Move a key to another database",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kMoveArgs},
     .key_specs = kMoveKeySpecs},
    {.name = "swapdb",
     .arity = 3,
     .flags = kWrite | kFast,
     .acl = kAclKeyspace | kAclWrite | kAclFast | kAclDangerous,
     .handler = &SwapDb,
     .doc = {.summary = "Swaps two Redis databases",
             .since = "4.0.0",
             .group = "server",
             .complexity = "O(N) where N is the count of clients watching or blocking on keys "
                           "from both databases.",
             .arguments = kSwapDbArgs}},
};

}  // namespace

std::span<const CommandSpec> KeyMoveCommands() { return kKeyMoveCommands; }

}  // namespace magnetar::commands
