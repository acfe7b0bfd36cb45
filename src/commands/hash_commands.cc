// The hash family: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, over engine/hash_value.h.
//
// Every write reports its change with Redis 7.0's events ("hset", "hdel", "hincrby",
// "hincrbyfloat", and "del" when the last field goes) and counts one change per field, as Redis's
// dirty counter does. Everything propagates as sent except HINCRBYFLOAT, which becomes HSET of the
// result so that a replica cannot round differently.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/commands/propagation.h"
#include "magnetar/common/glob.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/resp/reply_builder.h"
#include "random_count.h"
#include "scan_options.h"

namespace magnetar::commands {
namespace {

using engine::HashBuffer;
using engine::HashValue;
using engine::kNotifyGeneric;
using engine::kNotifyHash;
using engine::ValueType;

enum class Lookup { kRead, kWrite };

Result<HashValue*> FindHash(CommandContext& ctx, std::string_view key, Lookup lookup) {
  const engine::Entry* entry =
      lookup == Lookup::kRead ? ctx.db().LookupForRead(key) : ctx.db().Lookup(key);
  if (entry == nullptr) return static_cast<HashValue*>(nullptr);
  if (entry->type() != ValueType::kHash) return OpStatus::kWrongType;
  return static_cast<HashValue*>(entry->object());
}

// The hash at `key` for a write, created (and stored) when missing.
Result<HashValue*> FindOrCreate(CommandContext& ctx, std::string_view key) {
  auto found = FindHash(ctx, key, Lookup::kWrite);
  if (!found || *found != nullptr) return found;
  auto created = std::make_unique<HashValue>();
  HashValue* hash = created.get();
  ctx.db().SetObject(key, ValueType::kHash, std::move(created));
  return hash;
}

// Sets a field; a hash that converts sends its table's old bucket arrays to the lazy-free thread.
bool SetField(CommandContext& ctx, HashValue& hash, std::string_view field,
              std::string_view value) {
  return hash.Set(field, value, ctx.keyspace.encoding_limits(), &ctx.keyspace.lazy_freer());
}

uint64_t RandomNumber() {
  static std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

// HSET and HMSET: key field value [field value ...].
void SetPairs(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 != 0) {
    return ctx.reply.Error(
        fmt::format("ERR wrong number of arguments for '{}' command", reply_ok ? "hmset" : "hset"));
  }
  std::string_view key = ctx.args[1];
  auto found = FindOrCreate(ctx, key);
  if (!found) return ctx.reply.Error(found.status());
  HashValue* hash = *found;
  int64_t created = 0;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    created += SetField(ctx, *hash, ctx.args[i], ctx.args[i + 1]);
  }
  ctx.db().Changed(key, kNotifyHash, "hset", (ctx.args.size() - 2) / 2);
  if (reply_ok) return ctx.reply.Ok();
  ctx.reply.Integer(created);
}

void HSet(CommandContext& ctx) { SetPairs(ctx, false); }
void HMSet(CommandContext& ctx) { SetPairs(ctx, true); }

void HSetNx(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto found = FindHash(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  if (*found != nullptr && (*found)->Exists(ctx.args[2])) return ctx.reply.Integer(0);
  SetField(ctx, **FindOrCreate(ctx, key), ctx.args[2], ctx.args[3]);
  ctx.db().Changed(key, kNotifyHash, "hset");
  ctx.reply.Integer(1);
}

void HGet(CommandContext& ctx) {
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  HashBuffer buffer;
  std::optional<std::string_view> value;
  if (*found != nullptr) value = (*found)->Get(ctx.args[2], buffer);
  if (!value) return ctx.reply.Null();
  ctx.reply.Bulk(*value);
}

void HMGet(CommandContext& ctx) {
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (std::string_view field : ctx.args.subspan(2)) {
    HashBuffer buffer;
    std::optional<std::string_view> value;
    if (*found != nullptr) value = (*found)->Get(field, buffer);
    if (value) {
      ctx.reply.Bulk(*value);
    } else {
      ctx.reply.Null();
    }
  }
}

void HDel(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto found = FindHash(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  HashValue* hash = *found;
  int64_t removed = 0;
  if (hash != nullptr) {
    for (std::string_view field : ctx.args.subspan(2)) {
      removed += hash->Delete(field);
      if (hash->Size() == 0) break;  // Redis stops at the last field
    }
  }
  if (removed > 0) {
    bool emptied = hash->Size() == 0;
    if (emptied) ctx.db().Delete(key);
    ctx.db().Changed(key, kNotifyHash, "hdel", removed);
    if (emptied) ctx.db().Notify(kNotifyGeneric, "del", key);
  }
  ctx.reply.Integer(removed);
}

void HLen(CommandContext& ctx) {
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->Size()));
}

void HStrLen(CommandContext& ctx) {
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  HashBuffer buffer;
  std::optional<std::string_view> value;
  if (*found != nullptr) value = (*found)->Get(ctx.args[2], buffer);
  ctx.reply.Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

void HExists(CommandContext& ctx) {
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Integer(*found != nullptr && (*found)->Exists(ctx.args[2]));
}

// HKEYS, HVALS, HGETALL.
void ReplyAll(CommandContext& ctx, bool fields, bool values) {
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  const HashValue* hash = *found;
  size_t size = hash == nullptr ? 0 : hash->Size();
  if (fields && values) {
    ctx.reply.Map(size);
  } else {
    ctx.reply.Array(size);
  }
  if (hash == nullptr) return;
  hash->ForEach([&](std::string_view field, std::string_view value) {
    if (fields) ctx.reply.Bulk(field);
    if (values) ctx.reply.Bulk(value);
  });
}

void HKeys(CommandContext& ctx) { ReplyAll(ctx, true, false); }
void HVals(CommandContext& ctx) { ReplyAll(ctx, false, true); }
void HGetAll(CommandContext& ctx) { ReplyAll(ctx, true, true); }

void HIncrBy(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  std::optional<int64_t> increment = ParseInt64(ctx.args[3]);
  if (!increment) return ctx.reply.Error(OpStatus::kNotInteger);
  auto found = FindHash(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  int64_t current = 0;
  if (*found != nullptr) {
    HashBuffer buffer;
    if (std::optional<std::string_view> value = (*found)->Get(ctx.args[2], buffer)) {
      std::optional<int64_t> parsed = ParseInt64(*value);
      if (!parsed) return ctx.reply.Error("ERR hash value is not an integer");
      current = *parsed;
    }
  }
  int64_t result;
  if (__builtin_add_overflow(current, *increment, &result)) {
    return ctx.reply.Error("ERR increment or decrement would overflow");
  }
  char text[kMaxInt64Chars];
  std::string_view formatted(text, FormatInt64(result, text));
  SetField(ctx, **FindOrCreate(ctx, key), ctx.args[2], formatted);
  ctx.db().Changed(key, kNotifyHash, "hincrby");
  ctx.reply.Integer(result);
}

void HIncrByFloat(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  std::optional<long double> increment = ParseLongDouble(ctx.args[3]);
  if (!increment) return ctx.reply.Error(OpStatus::kNotFloat);
  if (std::isnan(*increment) || std::isinf(*increment)) {
    return ctx.reply.Error("ERR value is NaN or Infinity");
  }
  auto found = FindHash(ctx, key, Lookup::kWrite);
  if (!found) return ctx.reply.Error(found.status());
  long double current = 0;
  if (*found != nullptr) {
    HashBuffer buffer;
    if (std::optional<std::string_view> value = (*found)->Get(ctx.args[2], buffer)) {
      std::optional<long double> parsed = ParseLongDouble(*value);
      if (!parsed) return ctx.reply.Error("ERR hash value is not a float");
      current = *parsed;
    }
  }
  long double result = current + *increment;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(OpStatus::kNanOrInfinity);
  char text[kMaxLongDoubleChars];
  std::string_view formatted(text, FormatLongDouble(result, text));
  SetField(ctx, **FindOrCreate(ctx, key), ctx.args[2], formatted);
  ctx.db().Changed(key, kNotifyHash, "hincrbyfloat");
  // Replaying the addition could round differently elsewhere: the result is what propagates.
  ctx.propagate().Rewrite({"HSET", key, ctx.args[2], formatted});
  ctx.reply.Bulk(formatted);
}

void ReplyPair(CommandContext& ctx, std::string_view field, std::string_view value,
               bool with_values) {
  if (!with_values) return ctx.reply.Bulk(field);
  if (ctx.reply.resp3()) ctx.reply.Array(2);
  ctx.reply.Bulk(field);
  ctx.reply.Bulk(value);
}

// HRANDFIELD key [count [WITHVALUES]].
void HRandField(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  if (ctx.args.size() == 2) {
    auto found = FindHash(ctx, key, Lookup::kRead);
    if (!found) return ctx.reply.Error(found.status());
    if (*found == nullptr) return ctx.reply.Null();
    HashBuffer buffers[2];
    ctx.reply.Bulk((*found)->Random(RandomNumber, buffers).first);
    return;
  }
  std::optional<RandomCount> parsed = ParseRandomCount(ctx, "withvalues");
  if (!parsed) return;
  const auto [count, with_values] = *parsed;
  auto found = FindHash(ctx, key, Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  const HashValue* hash = *found;
  if (hash == nullptr || count == 0) return ctx.reply.Array(0);
  size_t size = hash->Size();
  size_t width = with_values && !ctx.reply.resp3() ? 2 : 1;
  HashBuffer buffers[2];
  if (count < 0) {
    // Repetitions allowed: independent draws.
    auto n = static_cast<size_t>(-count);
    ctx.reply.Array(n * width);
    for (size_t i = 0; i < n; ++i) {
      auto [field, value] = hash->Random(RandomNumber, buffers);
      ReplyPair(ctx, field, value, with_values);
    }
    return;
  }
  auto n = static_cast<size_t>(count);
  if (n >= size) {
    ctx.reply.Array(size * width);
    hash->ForEach([&](std::string_view field, std::string_view value) {
      ReplyPair(ctx, field, value, with_values);
    });
    return;
  }
  ctx.reply.Array(n * width);
  hash->RandomDistinct(n, RandomNumber, [&](std::string_view field, std::string_view value) {
    ReplyPair(ctx, field, value, with_values);
  });
}

void HScan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseCursor(ctx.args[2]);
  if (!cursor) return ctx.reply.Error("ERR invalid cursor");
  auto found = FindHash(ctx, ctx.args[1], Lookup::kRead);
  if (!found) return ctx.reply.Error(found.status());
  const HashValue* hash = *found;
  std::optional<ScanOptions> options;
  if (hash != nullptr) {
    options = ParseScanOptions(ctx, 3, false);
    if (!options) return;
  }
  std::vector<std::string> elements;
  if (hash != nullptr) {
    // As Redis: fields and values both count toward COUNT, and MATCH filters on fields after
    // the steps, so it does not lengthen the call.
    auto count = static_cast<size_t>(options->count);
    int64_t steps_left = options->count > std::numeric_limits<int64_t>::max() / 10
                             ? std::numeric_limits<int64_t>::max()
                             : options->count * 10;
    do {
      *cursor = hash->Scan(*cursor, [&](std::string_view field, std::string_view value) {
        elements.emplace_back(field);
        elements.emplace_back(value);
      });
    } while (*cursor != 0 && steps_left-- > 0 && elements.size() < count);
    if (options->pattern) {
      size_t kept = 0;
      for (size_t i = 0; i < elements.size(); i += 2) {
        if (!GlobMatch(*options->pattern, elements[i])) continue;
        if (kept != i) {
          elements[kept] = std::move(elements[i]);
          elements[kept + 1] = std::move(elements[i + 1]);
        }
        kept += 2;
      }
      elements.resize(kept);
    }
  } else {
    *cursor = 0;
  }
  ctx.reply.Array(2);
  char text[kMaxInt64Chars];
  ctx.reply.Bulk(std::string_view(text, FormatInt64(static_cast<int64_t>(*cursor), text)));
  ctx.reply.Array(elements.size());
  for (const std::string& element : elements) ctx.reply.Bulk(element);
}

constexpr KeySpec kUpdateKeySpecs[] = {
    {.flags = kKsRW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)}};
constexpr KeySpec kInsertKeySpecs[] = {
    {.flags = kKsRW | kKsInsert, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)}};
constexpr KeySpec kDeleteKeySpecs[] = {
    {.flags = kKsRW | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)}};
constexpr KeySpec kAccessUpdateKeySpecs[] = {{.flags = kKsRW | kKsAccess | kKsUpdate,
                                              .begin_search = SearchIndex(1),
                                              .find_keys = KeyRange(0, 1, 0)}};
constexpr KeySpec kReadAccessKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)}};
constexpr KeySpec kReadKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)}};

constexpr std::string_view kOrderTips[] = {"nondeterministic_output_order"};
constexpr std::string_view kRandomTips[] = {"nondeterministic_output"};

constexpr ArgDoc kFieldValue[] = {{.name = "field", .type = ArgType::kString},
                                  {.name = "value", .type = ArgType::kString}};
constexpr ArgDoc kKeyFieldValuesArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "field_value",
     .type = ArgType::kBlock,
     .flags = kArgMultiple,
     .arguments = kFieldValue},
};
constexpr ArgDoc kKeyFieldValueArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "field", .type = ArgType::kString},
    {.name = "value", .type = ArgType::kString},
};
constexpr ArgDoc kKeyArgs[] = {{.name = "key", .type = ArgType::kKey, .key_spec_index = 0}};
constexpr ArgDoc kKeyFieldArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "field", .type = ArgType::kString},
};
constexpr ArgDoc kKeyFieldsArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "field", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr ArgDoc kHincrbyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "field", .type = ArgType::kString},
    {.name = "increment", .type = ArgType::kInteger},
};
constexpr ArgDoc kHincrbyfloatArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "field", .type = ArgType::kString},
    {.name = "increment", .type = ArgType::kDouble},
};
constexpr ArgDoc kHrandfieldOptions[] = {
    {.name = "count", .type = ArgType::kInteger},
    {.name = "withvalues",
     .type = ArgType::kPureToken,
     .token = "WITHVALUES",
     .flags = kArgOptional},
};
constexpr ArgDoc kHrandfieldArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "options",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kHrandfieldOptions},
};
constexpr ArgDoc kHscanArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "cursor", .type = ArgType::kInteger},
    {.name = "pattern", .type = ArgType::kPattern, .token = "MATCH", .flags = kArgOptional},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};
constexpr HistoryEntry kHsetHistory[] = {
    {"4.0.0", "Accepts multiple `field` and `value` arguments."}};
constexpr HistoryEntry kHdelHistory[] = {{"2.4.0", "Accepts multiple `field` arguments."}};

constexpr uint32_t kWriteFast = kWrite | kDenyOom | kFast;
constexpr uint32_t kAclWriteFast = kAclWrite | kAclHash | kAclFast;
constexpr uint32_t kAclReadFast = kAclRead | kAclHash | kAclFast;
constexpr uint32_t kAclReadSlow = kAclRead | kAclHash | kAclSlow;

constexpr CommandSpec kHashCommands[] = {
    {.name = "hset",
     .arity = -4,
     .flags = kWriteFast,
     .acl = kAclWriteFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HSet,
     .doc = {.summary = "Set the string value of a hash field",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value "
                           "pairs when the command is called with multiple field/value pairs.",
             .history = kHsetHistory,
             .arguments = kKeyFieldValuesArgs},
     .key_specs = kUpdateKeySpecs},
    {.name = "hsetnx",
     .arity = 4,
     .flags = kWriteFast,
     .acl = kAclWriteFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HSetNx,
     .doc = {.summary = "Set the value of a hash field, only if the field does not exist",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kKeyFieldValueArgs},
     .key_specs = kInsertKeySpecs},
    {.name = "hmset",
     .arity = -4,
     .flags = kWriteFast,
     .acl = kAclWriteFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HMSet,
     .doc = {.summary = "Set multiple hash fields to multiple values",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(N) where N is the number of fields being set.",
             .deprecated_since = "4.0.0",
             .replaced_by = "`HSET` with multiple field-value pairs",
             .arguments = kKeyFieldValuesArgs},
     .key_specs = kUpdateKeySpecs},
    {.name = "hget",
     .arity = 3,
     .flags = kReadOnly | kFast,
     .acl = kAclReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HGet,
     .doc = {.summary = "Get the value of a hash field",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kKeyFieldArgs},
     .key_specs = kReadAccessKeySpecs},
    {.name = "hmget",
     .arity = -3,
     .flags = kReadOnly | kFast,
     .acl = kAclReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HMGet,
     .doc = {.summary = "Get the values of all the given hash fields",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(N) where N is the number of fields being requested.",
             .arguments = kKeyFieldsArgs},
     .key_specs = kReadAccessKeySpecs},
    {.name = "hdel",
     .arity = -3,
     .flags = kWrite | kFast,
     .acl = kAclWriteFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HDel,
     .doc = {.summary = "Delete one or more hash fields",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(N) where N is the number of fields to be removed.",
             .history = kHdelHistory,
             .arguments = kKeyFieldsArgs},
     .key_specs = kDeleteKeySpecs},
    {.name = "hlen",
     .arity = 2,
     .flags = kReadOnly | kFast,
     .acl = kAclReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HLen,
     .doc = {.summary = "Get the number of fields in a hash",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kReadKeySpecs},
    {.name = "hstrlen",
     .arity = 3,
     .flags = kReadOnly | kFast,
     .acl = kAclReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HStrLen,
     .doc = {.summary = "Get the length of the value of a hash field",
             .since = "3.2.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kKeyFieldArgs},
     .key_specs = kReadKeySpecs},
    {.name = "hexists",
     .arity = 3,
     .flags = kReadOnly | kFast,
     .acl = kAclReadFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HExists,
     .doc = {.summary = "Determine if a hash field exists",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kKeyFieldArgs},
     .key_specs = kReadKeySpecs},
    {.name = "hkeys",
     .arity = 2,
     .flags = kReadOnly,
     .acl = kAclReadSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HKeys,
     .doc = {.summary = "Get all the fields in a hash",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(N) where N is the size of the hash.",
             .arguments = kKeyArgs},
     .key_specs = kReadAccessKeySpecs,
     .tips = kOrderTips},
    {.name = "hvals",
     .arity = 2,
     .flags = kReadOnly,
     .acl = kAclReadSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HVals,
     .doc = {.summary = "Get all the values in a hash",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(N) where N is the size of the hash.",
             .arguments = kKeyArgs},
     .key_specs = kReadAccessKeySpecs,
     .tips = kOrderTips},
    {.name = "hgetall",
     .arity = 2,
     .flags = kReadOnly,
     .acl = kAclReadSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HGetAll,
     .doc = {.summary = "Get all the fields and values in a hash",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(N) where N is the size of the hash.",
             .arguments = kKeyArgs},
     .key_specs = kReadAccessKeySpecs,
     .tips = kOrderTips},
    {.name = "hincrby",
     .arity = 4,
     .flags = kWriteFast,
     .acl = kAclWriteFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HIncrBy,
     .doc = {.summary = "Increment the integer value of a hash field by the given number",
             .since = "2.0.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kHincrbyArgs},
     .key_specs = kAccessUpdateKeySpecs},
    {.name = "hincrbyfloat",
     .arity = 4,
     .flags = kWriteFast,
     .acl = kAclWriteFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HIncrByFloat,
     .doc = {.summary = "Increment the float value of a hash field by the given amount",
             .since = "2.6.0",
             .group = "hash",
             .complexity = "O(1)",
             .arguments = kHincrbyfloatArgs},
     .key_specs = kAccessUpdateKeySpecs},
    {.name = "hrandfield",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclReadSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HRandField,
     .doc = {.summary = "Get one or multiple random fields from a hash",
             .since = "6.2.0",
             .group = "hash",
             .complexity = "O(N) where N is the number of fields returned",
             .arguments = kHrandfieldArgs},
     .key_specs = kReadAccessKeySpecs,
     .tips = kRandomTips},
    {.name = "hscan",
     .arity = -3,
     .flags = kReadOnly,
     .acl = kAclReadSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HScan,
     .doc = {.summary = "Incrementally iterate hash fields and associated values",
             .since = "2.8.0",
             .group = "hash",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection..",
             .arguments = kHscanArgs},
     .key_specs = kReadAccessKeySpecs,
     .tips = kRandomTips},
};

}  // namespace

std::span<const CommandSpec> HashCommands() { return kHashCommands; }

}  // namespace magnetar::commands
