// The set family's commands across several sets: SINTER, SINTERCARD, SINTERSTORE, SUNION,
// SUNIONSTORE, SDIFF and SDIFFSTORE. A missing key counts as the empty set, but every key is
// type-checked first, as in Redis: one that holds another type fails the command even when a
// missing key already makes the answer empty. Sources are looked up as reads by the STORE forms
// too (a missing one raises "keymiss"), as Redis 7.0 does.
//
// Results are built the way Redis builds them, so that they are encoded alike: a new set starts
// as an intset and converts by the usual rules as members go in. SUNION and SDIFF reply in the
// result's own order (ascending for an intset), SINTER in the order of the smallest set.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "set_handlers.h"

namespace magnetar::commands {
namespace {

using engine::kNotifyGeneric;
using engine::kNotifySet;
using engine::SetValue;
using sets::Lookup;

// The sets at `keys`, null for missing keys; kWrongType when any key holds another type.
Result<std::vector<SetValue*>> FindSets(CommandContext& ctx, std::span<const std::string_view> keys,
                                        Lookup lookup) {
  std::vector<SetValue*> found;
  found.reserve(keys.size());
  for (std::string_view key : keys) {
    auto set = sets::FindSet(ctx, key, lookup);
    if (!set) return set.status();
    found.push_back(*set);
  }
  return found;
}

// The members common to every set, in the order of the smallest one; at most `limit` of them
// when `limit` is not 0.
std::vector<std::string> Intersect(std::vector<SetValue*> sets, uint64_t limit) {
  std::vector<std::string> common;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return common;
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
  // Copied out first: a membership test may step a table resize, and the same set can be named
  // twice, so no table is probed while it is being walked.
  std::vector<std::string> candidates;
  candidates.reserve(sets[0]->size());
  sets[0]->ForEach([&candidates](std::string_view member) { candidates.emplace_back(member); });
  for (std::string& member : candidates) {
    bool everywhere = true;
    for (size_t i = 1; i < sets.size() && everywhere; ++i) everywhere = sets[i]->Contains(member);
    if (!everywhere) continue;
    common.push_back(std::move(member));
    if (limit != 0 && common.size() >= limit) break;
  }
  return common;
}

std::unique_ptr<SetValue> Union(CommandContext& ctx, const std::vector<SetValue*>& sets) {
  auto result = std::make_unique<SetValue>();
  for (const SetValue* set : sets) {
    if (set == nullptr) continue;
    set->ForEach([&](std::string_view member) { sets::AddMember(ctx, *result, member); });
  }
  return result;
}

// The first set less every other one, by whichever of Redis's two ways it would pick: testing
// each member of the first against the others (about size(first) * sets / 2 steps), or copying
// the first and removing the others' members (the sum of the sizes). The choice shows in the
// result's encoding: a non-integer member that the second way adds and later removes leaves a
// hashtable behind.
std::unique_ptr<SetValue> Difference(CommandContext& ctx, const std::vector<SetValue*>& sets) {
  auto result = std::make_unique<SetValue>();
  const SetValue* first = sets[0];
  if (first == nullptr) return result;
  uint64_t test_each = 0;
  uint64_t remove_others = 0;
  for (const SetValue* set : sets) {
    if (set == nullptr) continue;
    test_each += first->size();
    remove_others += set->size();
  }
  if (test_each / 2 <= remove_others) {
    std::vector<std::string> members;
    first->ForEach([&members](std::string_view member) { members.emplace_back(member); });
    for (const std::string& member : members) {
      bool elsewhere = false;
      for (size_t i = 1; i < sets.size() && !elsewhere; ++i) {
        elsewhere = sets[i] != nullptr && sets[i]->Contains(member);
      }
      if (!elsewhere) sets::AddMember(ctx, *result, member);
    }
    return result;
  }
  first->ForEach([&](std::string_view member) { sets::AddMember(ctx, *result, member); });
  for (size_t i = 1; i < sets.size() && !result->empty(); ++i) {
    if (sets[i] == nullptr) continue;
    sets[i]->ForEach([&](std::string_view member) { result->Remove(member); });
  }
  return result;
}

// The STORE forms: a non-empty result replaces `destination` (whatever it held, its TTL
// included) and raises `event`; an empty one deletes it, raising "del" if it existed.
void Store(CommandContext& ctx, std::string_view destination, std::unique_ptr<SetValue> result,
           std::string_view event) {
  engine::Database& db = ctx.db();
  if (result->empty()) {
    if (db.Delete(destination)) db.Changed(destination, kNotifyGeneric, "del");
    return ctx.reply.Integer(0);
  }
  auto size = static_cast<int64_t>(result->size());
  db.SetObject(destination, engine::ValueType::kSet, std::move(result));
  db.Changed(destination, kNotifySet, event);
  ctx.reply.Integer(size);
}

std::unique_ptr<SetValue> ToSet(CommandContext& ctx, const std::vector<std::string>& members) {
  auto result = std::make_unique<SetValue>();
  for (const std::string& member : members) sets::AddMember(ctx, *result, member);
  return result;
}

enum class Operation : uint8_t { kUnion, kDifference };

std::unique_ptr<SetValue> Combine(CommandContext& ctx, Operation operation,
                                  const std::vector<SetValue*>& sets) {
  return operation == Operation::kUnion ? Union(ctx, sets) : Difference(ctx, sets);
}

void SInter(CommandContext& ctx) {
  auto sets = FindSets(ctx, ctx.args.subspan(1), Lookup::kRead);
  if (!sets) return ctx.reply.Error(sets.status());
  std::vector<std::string> common = Intersect(std::move(*sets), 0);
  ctx.reply.Set(common.size());
  for (const std::string& member : common) ctx.reply.Bulk(member);
}

void SInterStore(CommandContext& ctx) {
  auto sets = FindSets(ctx, ctx.args.subspan(2), Lookup::kRead);
  if (!sets) return ctx.reply.Error(sets.status());
  Store(ctx, ctx.args[1], ToSet(ctx, Intersect(std::move(*sets), 0)), "sinterstore");
}

void SInterCard(CommandContext& ctx) {
  std::optional<int64_t> keys = ParseInt64(ctx.args[1]);
  if (!keys || *keys <= 0) return ctx.reply.Error("ERR numkeys should be greater than 0");
  if (static_cast<uint64_t>(*keys) > ctx.args.size() - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  const size_t options = 2 + static_cast<size_t>(*keys);
  uint64_t limit = 0;
  for (size_t i = options; i < ctx.args.size(); i += 2) {
    if (!EqualsIgnoreCase(ctx.args[i], "limit") || i + 1 == ctx.args.size()) {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
    std::optional<int64_t> value = ParseInt64(ctx.args[i + 1]);
    if (!value || *value < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
    limit = static_cast<uint64_t>(*value);
  }
  auto sets = FindSets(ctx, ctx.args.subspan(2, options - 2), Lookup::kRead);
  if (!sets) return ctx.reply.Error(sets.status());
  ctx.reply.Integer(static_cast<int64_t>(Intersect(std::move(*sets), limit).size()));
}

void Combined(CommandContext& ctx, Operation operation) {
  auto sets = FindSets(ctx, ctx.args.subspan(1), Lookup::kRead);
  if (!sets) return ctx.reply.Error(sets.status());
  std::unique_ptr<SetValue> result = Combine(ctx, operation, *sets);
  sets::ReplyMembers(ctx, result.get());
}

void CombinedStore(CommandContext& ctx, Operation operation, std::string_view event) {
  auto sets = FindSets(ctx, ctx.args.subspan(2), Lookup::kRead);
  if (!sets) return ctx.reply.Error(sets.status());
  Store(ctx, ctx.args[1], Combine(ctx, operation, *sets), event);
}

void SUnion(CommandContext& ctx) { Combined(ctx, Operation::kUnion); }
void SUnionStore(CommandContext& ctx) { CombinedStore(ctx, Operation::kUnion, "sunionstore"); }
void SDiff(CommandContext& ctx) { Combined(ctx, Operation::kDifference); }
void SDiffStore(CommandContext& ctx) { CombinedStore(ctx, Operation::kDifference, "sdiffstore"); }

// SINTER, SUNION and SDIFF read the same keys, and their STORE forms take a destination first.
constexpr ArgDoc kSourceKeysArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
};
constexpr KeySpec kSourceKeysSpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr std::string_view kUnorderedTips[] = {"nondeterministic_output_order"};
constexpr ArgDoc kStoreArgs[] = {
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 1, .flags = kArgMultiple},
};
// SINTERSTORE's destination is RW, SUNIONSTORE's and SDIFFSTORE's OW, as in Redis 7.0.15.
constexpr KeySpec kSinterstoreKeySpecs[] = {
    {.flags = kKsRW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr KeySpec kOverwriteStoreKeySpecs[] = {
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr ArgDoc kSintercardArgs[] = {
    {.name = "numkeys", .type = ArgType::kInteger},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "limit", .type = ArgType::kInteger, .token = "LIMIT", .flags = kArgOptional},
};
constexpr KeySpec kSintercardKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyNum(0, 1, 1)},
};
constexpr std::string_view kIntersectComplexity =
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
constexpr std::string_view kUnionComplexity =
    "O(N) where N is the total number of elements in all given sets.";

constexpr CommandSpec kSetAlgebraCommands[] = {
    {.name = "sinter",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SInter,
     .doc = {.summary = "Intersect multiple sets",
             .since = "1.0.0",
             .group = "set",
             .complexity = kIntersectComplexity,
             .arguments = kSourceKeysArgs},
     .key_specs = kSourceKeysSpecs,
     .tips = kUnorderedTips},
    {.name = "sintercard",
     .arity = -3,
     .flags = kReadOnly | kMovableKeys,
     .acl = kAclRead | kAclSet | kAclSlow,
     .handler = &SInterCard,
     .doc = {.summary = "Intersect multiple sets and return the cardinality of the result",
             .since = "7.0.0",
             .group = "set",
             .complexity = kIntersectComplexity,
             .arguments = kSintercardArgs},
     .key_specs = kSintercardKeySpecs},
    {.name = "sinterstore",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SInterStore,
     .doc = {.summary = "Intersect multiple sets and store the resulting set in a key",
             .since = "1.0.0",
             .group = "set",
             .complexity = kIntersectComplexity,
             .arguments = kStoreArgs},
     .key_specs = kSinterstoreKeySpecs},
    {.name = "sunion",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SUnion,
     .doc = {.summary = "Add multiple sets",
             .since = "1.0.0",
             .group = "set",
             .complexity = kUnionComplexity,
             .arguments = kSourceKeysArgs},
     .key_specs = kSourceKeysSpecs,
     .tips = kUnorderedTips},
    {.name = "sunionstore",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SUnionStore,
     .doc = {.summary = "Add multiple sets and store the resulting set in a key",
             .since = "1.0.0",
             .group = "set",
             .complexity = kUnionComplexity,
             .arguments = kStoreArgs},
     .key_specs = kOverwriteStoreKeySpecs},
    {.name = "sdiff",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SDiff,
     .doc = {.summary = "Subtract multiple sets",
             .since = "1.0.0",
             .group = "set",
             .complexity = kUnionComplexity,
             .arguments = kSourceKeysArgs},
     .key_specs = kSourceKeysSpecs,
     .tips = kUnorderedTips},
    {.name = "sdiffstore",
     .arity = -3,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclSet | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SDiffStore,
     .doc = {.summary = "Subtract multiple sets and store the resulting set in a key",
             .since = "1.0.0",
             .group = "set",
             .complexity = kUnionComplexity,
             .arguments = kStoreArgs},
     .key_specs = kOverwriteStoreKeySpecs},
};

}  // namespace

std::span<const CommandSpec> SetAlgebraCommands() { return kSetAlgebraCommands; }

}  // namespace magnetar::commands
