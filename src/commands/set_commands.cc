// The set family's commands on one set: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SPOP,
// SRANDMEMBER, SMOVE and SSCAN, and the helpers the whole family shares (set_handlers.h). The
// commands across several sets (SINTER, SUNION, SDIFF and their relatives) are in
// set_algebra_commands.cc; the value type is engine/set_value.h.
//
// Every write reports its change with Redis 7.0's events ("sadd", "srem", "spop", "del" when a
// set empties) and propagates as Redis writes it to its AOF: SPOP becomes SREM of the member it
// drew, SPOP with a count becomes one SREM per member (a MULTI/EXEC when there are several), or DEL
// when it takes the whole set.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/glob.h"
#include "magnetar/common/numbers.h"
#include "scan_options.h"
#include "set_handlers.h"

namespace magnetar::commands {
namespace sets {

using engine::SetValue;
using engine::ValueType;

Result<SetValue*> FindSet(CommandContext& ctx, std::string_view key, Lookup lookup) {
  const engine::Entry* entry =
      lookup == Lookup::kRead ? ctx.db().LookupForRead(key) : ctx.db().Lookup(key);
  if (entry == nullptr) return static_cast<SetValue*>(nullptr);
  if (entry->type() != ValueType::kSet) return OpStatus::kWrongType;
  return static_cast<SetValue*>(entry->object());
}

bool AddMember(CommandContext& ctx, SetValue& set, std::string_view member) {
  return set.Add(member, ctx.keyspace.encoding_limits().set_max_intset_entries,
                 &ctx.keyspace.lazy_freer());
}

void ReplyMembers(CommandContext& ctx, const SetValue* set) {
  if (set == nullptr) return ctx.reply.Set(0);
  ctx.reply.Set(set->size());
  set->ForEach([&ctx](std::string_view member) { ctx.reply.Bulk(member); });
}

uint64_t RandomNumber() {
  static std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

}  // namespace sets

namespace {

using engine::kNotifyGeneric;
using engine::kNotifySet;
using engine::SetValue;
using sets::FindSet;
using sets::Lookup;

void SAdd(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto found = FindSet(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  SetValue* set = *found;
  std::unique_ptr<SetValue> created;
  if (set == nullptr) {
    created = std::make_unique<SetValue>();
    set = created.get();
  }
  int64_t added = 0;
  for (std::string_view member : ctx.args.subspan(2)) added += sets::AddMember(ctx, *set, member);
  if (created) ctx.db().SetObject(key, engine::ValueType::kSet, std::move(created));
  if (added > 0) ctx.db().Changed(key, kNotifySet, "sadd", added);
  ctx.reply.Integer(added);
}

void SRem(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto found = FindSet(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  SetValue* set = *found;
  int64_t removed = 0;
  if (set != nullptr) {
    for (std::string_view member : ctx.args.subspan(2)) removed += set->Remove(member);
  }
  if (removed > 0) {
    bool emptied = set->empty();
    if (emptied) ctx.db().Delete(key);
    ctx.db().Changed(key, kNotifySet, "srem", removed);
    if (emptied) ctx.db().Notify(kNotifyGeneric, "del", key);
  }
  ctx.reply.Integer(removed);
}

void SCard(CommandContext& ctx) {
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->size()));
}

void SIsMember(CommandContext& ctx) {
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Integer(*found != nullptr && (*found)->Contains(ctx.args[2]));
}

void SMIsMember(CommandContext& ctx) {
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (std::string_view member : ctx.args.subspan(2)) {
    ctx.reply.Integer(*found != nullptr && (*found)->Contains(member));
  }
}

void SMembers(CommandContext& ctx) {
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  sets::ReplyMembers(ctx, *found);
}

// SPOP with a count: the members go out as a set. Taking the whole set deletes the key and
// propagates as DEL; otherwise each member propagates as its own SREM.
void SPopCount(CommandContext& ctx) {
  std::optional<int64_t> count = ParseInt64(ctx.args[2]);
  if (!count || *count < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
  std::string_view key = ctx.args[1];
  auto found = FindSet(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  SetValue* set = *found;
  if (set == nullptr || *count == 0) return ctx.reply.Set(0);
  if (static_cast<uint64_t>(*count) >= set->size()) {
    sets::ReplyMembers(ctx, set);
    ctx.db().Delete(key);
    ctx.db().Changed(key, kNotifySet, "spop");
    ctx.db().Notify(kNotifyGeneric, "del", key);
    ctx.propagate().Rewrite({"DEL", key});
    return;
  }
  std::vector<std::string> popped =
      set->RandomDistinct(static_cast<size_t>(*count), sets::Randomness());
  ctx.reply.Set(popped.size());
  for (const std::string& member : popped) {
    set->Remove(member);
    ctx.reply.Bulk(member);
    ctx.propagate().Also(ctx.db_index, {"SREM", key, member});
  }
  ctx.propagate().Prevent();
  // When the members that stay are at most a fifth of those popped, Redis 7.0 copies them into a
  // new set rather than removing the others one by one, so a hashtable whose remaining members
  // all fit an intset becomes an intset again (OBJECT ENCODING shows it). Only that case needs
  // the copy here; every other outcome keeps the encoding it has.
  constexpr size_t kRebuildFactor = 5;
  if (!set->is_intset() && set->size() * kRebuildFactor <= popped.size()) {
    auto rebuilt = std::make_unique<SetValue>();
    set->ForEach([&](std::string_view member) { sets::AddMember(ctx, *rebuilt, member); });
    if (rebuilt->is_intset()) {
      ctx.db().SetObject(key, engine::ValueType::kSet, std::move(rebuilt),
                         engine::TtlUpdate::Keep());
    }
  }
  ctx.db().Changed(key, kNotifySet, "spop", popped.size());
}

void SPop(CommandContext& ctx) {
  if (ctx.args.size() == 3) return SPopCount(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(OpStatus::kSyntaxError);
  std::string_view key = ctx.args[1];
  auto found = FindSet(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  SetValue* set = *found;
  if (set == nullptr) return ctx.reply.Null();
  std::string member = set->RandomMember(sets::Randomness());
  set->Remove(member);
  ctx.reply.Bulk(member);
  ctx.propagate().Rewrite({"SREM", key, member});
  bool emptied = set->empty();
  if (emptied) ctx.db().Delete(key);
  ctx.db().Changed(key, kNotifySet, "spop");
  if (emptied) ctx.db().Notify(kNotifyGeneric, "del", key);
}

// SRANDMEMBER with a count: distinct members for a positive count (the whole set, in its order,
// when the count reaches its size), |count| independent draws for a negative one. Always an
// array, even in RESP3, since draws may repeat.
void SRandMemberCount(CommandContext& ctx) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> count = ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(OpStatus::kNotInteger);
  if (*count < -kMax) {
    return ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  const SetValue* set = *found;
  if (set == nullptr || *count == 0) return ctx.reply.Array(0);
  if (*count < 0) {
    auto draws = static_cast<uint64_t>(-*count);
    ctx.reply.Array(draws);
    for (uint64_t i = 0; i < draws; ++i) ctx.reply.Bulk(set->RandomMember(sets::Randomness()));
    return;
  }
  if (static_cast<uint64_t>(*count) >= set->size()) {
    ctx.reply.Array(set->size());
    set->ForEach([&ctx](std::string_view member) { ctx.reply.Bulk(member); });
    return;
  }
  std::vector<std::string> chosen =
      set->RandomDistinct(static_cast<size_t>(*count), sets::Randomness());
  ctx.reply.Array(chosen.size());
  for (const std::string& member : chosen) ctx.reply.Bulk(member);
}

void SRandMember(CommandContext& ctx) {
  if (ctx.args.size() == 3) return SRandMemberCount(ctx);
  if (ctx.args.size() > 3) return ctx.reply.Error(OpStatus::kSyntaxError);
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk((*found)->RandomMember(sets::Randomness()));
}

// As Redis: a missing source answers 0 before either type is checked; moving within one set
// changes nothing; the destination is created, and reports "sadd", only when the member was new
// to it.
void SMove(CommandContext& ctx) {
  std::string_view source = ctx.args[1];
  std::string_view destination = ctx.args[2];
  std::string_view member = ctx.args[3];
  auto from = FindSet(ctx, source, Lookup::kWrite);
  auto to = FindSet(ctx, destination, Lookup::kWrite);
  if (from && *from == nullptr) return ctx.reply.Integer(0);
  if (!from) return ctx.reply.Error(from.status());
  if (!to) return ctx.reply.Error(to.status());
  if (*from == *to) return ctx.reply.Integer((*from)->Contains(member));
  if (!(*from)->Remove(member)) return ctx.reply.Integer(0);
  bool emptied = (*from)->empty();
  if (emptied) ctx.db().Delete(source);
  ctx.db().Changed(source, kNotifySet, "srem");
  if (emptied) ctx.db().Notify(kNotifyGeneric, "del", source);

  // Deleting the source may have moved table buckets: find the destination again.
  SetValue* target = *FindSet(ctx, destination, Lookup::kWrite);
  std::unique_ptr<SetValue> created;
  if (target == nullptr) {
    created = std::make_unique<SetValue>();
    target = created.get();
  }
  bool added = sets::AddMember(ctx, *target, member);
  if (created) ctx.db().SetObject(destination, engine::ValueType::kSet, std::move(created));
  if (added) ctx.db().Changed(destination, kNotifySet, "sadd");
  ctx.reply.Integer(1);
}

// As Redis, the key is looked up before the options are read: a missing key answers an empty
// scan whatever follows.
void SScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseCursor(ctx.args[2]);
  if (!cursor) return ctx.reply.Error("ERR invalid cursor");
  auto found = FindSet(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  const SetValue* set = *found;
  std::optional<ScanOptions> options;
  if (set != nullptr) {
    options = ParseScanOptions(ctx, 3, false);
    if (!options) return;
  }
  std::vector<std::string> members;
  if (set != nullptr) {
    // Like SCAN: steps until COUNT members are collected, at most 10 * COUNT of them; MATCH
    // filters afterwards, so it does not lengthen the call.
    auto count = static_cast<size_t>(options->count);
    int64_t steps_left = options->count > std::numeric_limits<int64_t>::max() / 10
                             ? std::numeric_limits<int64_t>::max()
                             : options->count * 10;
    do {
      *cursor = set->Scan(*cursor, [&](std::string_view member) { members.emplace_back(member); });
    } while (*cursor != 0 && steps_left-- > 0 && members.size() < count);
    if (options->pattern) {
      std::erase_if(members, [&](const std::string& member) {
        return !GlobMatch(*options->pattern, member);
      });
    }
  } else {
    *cursor = 0;
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(*cursor));
  ctx.reply.Array(members.size());
  for (const std::string& member : members) ctx.reply.Bulk(member);
}

// SADD, SREM and SMISMEMBER take a key and members; SCARD and SMEMBERS a key alone.
constexpr ArgDoc kKeyMembersArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr HistoryEntry kMembersHistory[] = {
    {"2.4.0", "Accepts multiple `member` arguments."},
};
constexpr KeySpec kSaddKeySpecs[] = {
    {.flags = kKsRW | kKsInsert, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr KeySpec kSremKeySpecs[] = {
    {.flags = kKsRW | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kKeyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kReadKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kSismemberArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member", .type = ArgType::kString},
};
// The reads that return members (ACCESS) rather than a count or a flag.
constexpr KeySpec kAccessKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr std::string_view kSmembersTips[] = {"nondeterministic_output_order"};
constexpr std::string_view kRandomTips[] = {"nondeterministic_output"};
constexpr ArgDoc kSpopArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "count", .type = ArgType::kInteger, .since = "3.2.0", .flags = kArgOptional},
};
constexpr HistoryEntry kSpopHistory[] = {
    {"3.2.0", "Added the `count` argument."},
};
constexpr KeySpec kSpopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kSrandmemberArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "count", .type = ArgType::kInteger, .since = "2.6.0", .flags = kArgOptional},
};
constexpr HistoryEntry kSrandmemberHistory[] = {
    {"2.6.0", "Added the optional `count` argument."},
};
constexpr ArgDoc kSmoveArgs[] = {
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "member", .type = ArgType::kString},
};
constexpr KeySpec kSmoveKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRW | kKsInsert, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kSscanArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "cursor", .type = ArgType::kInteger},
    {.name = "pattern", .type = ArgType::kPattern, .token = "MATCH", .flags = kArgOptional},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};

constexpr CommandSpec kSetCommands[] = {
    {.name = "sadd",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SAdd,
     .doc = {.summary = "Add one or more members to a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                           "command is called with multiple arguments.",
             .history = kMembersHistory,
             .arguments = kKeyMembersArgs},
     .key_specs = kSaddKeySpecs},
    {.name = "srem",
     .arity = -3,
     .flags = kWrite | kFast,
     .acl = kAclWrite | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SRem,
     .doc = {.summary = "Remove one or more members from a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "O(N) where N is the number of members to be removed.",
             .history = kMembersHistory,
             .arguments = kKeyMembersArgs},
     .key_specs = kSremKeySpecs},
    {.name = "scard",
     .arity = 2,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SCard,
     .doc = {.summary = "Get the number of members in a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kReadKeySpecs},
    {.name = "sismember",
     .arity = 3,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SIsMember,
     .doc = {.summary = "Determine if a given value is a member of a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "O(1)",
             .arguments = kSismemberArgs},
     .key_specs = kReadKeySpecs},
    {.name = "smismember",
     .arity = -3,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SMIsMember,
     .doc = {.summary = "Returns the membership associated with the given elements for a set",
             .since = "6.2.0",
             .group = "set",
             .complexity = "O(N) where N is the number of elements being checked for membership",
             .arguments = kKeyMembersArgs},
     .key_specs = kAccessKeySpecs},
    {.name = "smembers",
     .arity = 2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SMembers,
     .doc = {.summary = "Get all the members in a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "O(N) where N is the set cardinality.",
             .arguments = kKeyArgs},
     .key_specs = kAccessKeySpecs,
     .tips = kSmembersTips},
    {.name = "spop",
     .arity = -2,
     .flags = kWrite | kFast,
     .acl = kAclWrite | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SPop,
     .doc = {.summary = "Remove and return one or multiple random members from a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "Without the count argument O(1), otherwise O(N) where N is the value "
                           "of the passed count.",
             .history = kSpopHistory,
             .arguments = kSpopArgs},
     .key_specs = kSpopKeySpecs,
     .tips = kRandomTips},
    {.name = "srandmember",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SRandMember,
     .doc = {.summary = "Get one or multiple random members from a set",
             .since = "1.0.0",
             .group = "set",
             .complexity = "Without the count argument O(1), otherwise O(N) where N is the "
                           "absolute value of the passed count.",
             .history = kSrandmemberHistory,
             .arguments = kSrandmemberArgs},
     .key_specs = kAccessKeySpecs,
     .tips = kRandomTips},
    {.name = "smove",
     .arity = 4,
     .flags = kWrite | kFast,
     .acl = kAclWrite | kAclSet | kAclFast,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &SMove,
     .doc = {.summary = "Move a member from one set to another",
             .since = "1.0.0",
             .group = "set",
             .complexity = "O(1)",
             .arguments = kSmoveArgs},
     .key_specs = kSmoveKeySpecs},
    {.name = "sscan",
     .arity = -3,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SScan,
     .doc = {.summary = "Incrementally iterate Set elements",
             .since = "2.8.0",
             .group = "set",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection..",
             .arguments = kSscanArgs},
     .key_specs = kAccessKeySpecs,
     .tips = kRandomTips},
};

}  // namespace

std::span<const CommandSpec> SetCommands() { return kSetCommands; }

}  // namespace magnetar::commands
