// Key deadlines: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL, PTTL,
// EXPIRETIME, PEXPIRETIME and PERSIST. Deadlines are absolute Unix ms in the engine; a key
// expires once the clock is past its deadline, and setting a deadline that is not in the future
// deletes the key at once, as Redis does.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "write_path.h"

namespace magnetar::commands {
namespace {

enum class Unit : uint8_t { kSeconds, kMilliseconds };

// What the command's number means: a duration from now, or a Unix time.
enum class Base : uint8_t { kNow, kEpoch };

struct ExpireConditions {
  bool nx = false;
  bool xx = false;
  bool gt = false;
  bool lt = false;
};

// Reads NX/XX/GT/LT from args[3...]. Replies with the error and returns nullopt when they are
// unknown or contradict each other. Redis checks them before the number.
std::optional<ExpireConditions> ParseConditions(CommandContext& ctx) {
  ExpireConditions conditions;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    std::string_view arg = ctx.args[i];
    if (EqualsIgnoreCase(arg, "nx")) {
      conditions.nx = true;
    } else if (EqualsIgnoreCase(arg, "xx")) {
      conditions.xx = true;
    } else if (EqualsIgnoreCase(arg, "gt")) {
      conditions.gt = true;
    } else if (EqualsIgnoreCase(arg, "lt")) {
      conditions.lt = true;
    } else {
      ctx.reply.Error("ERR Unsupported option " + std::string(arg));
      return std::nullopt;
    }
  }
  if (conditions.nx && (conditions.xx || conditions.gt || conditions.lt)) {
    ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return std::nullopt;
  }
  if (conditions.gt && conditions.lt) {
    ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
    return std::nullopt;
  }
  return conditions;
}

// Whether the conditions let `deadline` replace `current` (nullopt: no deadline, which GT and LT
// treat as an infinite one).
bool ConditionsAllow(const ExpireConditions& conditions, std::optional<int64_t> current,
                     int64_t deadline) {
  if (conditions.nx && current) return false;
  if (conditions.xx && !current) return false;
  if (conditions.gt && (!current || deadline <= *current)) return false;
  if (conditions.lt && current && deadline >= *current) return false;
  return true;
}

// The absolute deadline in ms for the command's number; nullopt when it does not fit an int64.
std::optional<int64_t> ToDeadline(int64_t when, Unit unit, Base base, int64_t now_ms) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (unit == Unit::kSeconds) {
    if (when > kMax / 1000 || when < kMin / 1000) return std::nullopt;
    when *= 1000;
  }
  if (base == Base::kNow) {
    if (when > kMax - now_ms) return std::nullopt;
    when += now_ms;
  }
  return when;
}

void ExpireGeneric(CommandContext& ctx, Unit unit, Base base, std::string_view name) {
  std::optional<ExpireConditions> conditions = ParseConditions(ctx);
  if (!conditions) return;
  std::optional<int64_t> when = ParseInt64(ctx.args[2]);
  if (!when) return ctx.reply.Error(OpStatus::kNotInteger);
  int64_t now_ms = ctx.keyspace.clock().NowMs();
  std::optional<int64_t> deadline = ToDeadline(*when, unit, base, now_ms);
  if (!deadline) {
    return ctx.reply.Error("ERR invalid expire time in '" + std::string(name) + "' command");
  }
  engine::Database& db = ctx.db();
  std::string_view key = ctx.args[1];
  const engine::Entry* entry = db.Lookup(key);
  if (entry == nullptr) return ctx.reply.Integer(0);
  std::optional<int64_t> current;
  if (entry->has_deadline()) current = entry->deadline();
  if (!ConditionsAllow(*conditions, current, *deadline)) return ctx.reply.Integer(0);
  if (DeadlineDeletesAtOnce(ctx, *deadline, now_ms)) {
    DeleteInsteadOfCommand(ctx, key, ctx.lazyfree.expire);
  } else {
    SetDeadline(ctx, key, *deadline);
    // A relative or second-based time would mean another deadline when replayed later. PEXPIREAT
    // already names the deadline and goes as sent.
    if (unit != Unit::kMilliseconds || base != Base::kEpoch) {
      PropagateDeadline(ctx, key, *deadline, ctx.args.subspan(3));
    }
  }
  ctx.reply.Integer(1);
}

void Expire(CommandContext& ctx) { ExpireGeneric(ctx, Unit::kSeconds, Base::kNow, "expire"); }

void PExpire(CommandContext& ctx) {
  ExpireGeneric(ctx, Unit::kMilliseconds, Base::kNow, "pexpire");
}

void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, Unit::kSeconds, Base::kEpoch, "expireat"); }

void PExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, Unit::kMilliseconds, Base::kEpoch, "pexpireat");
}

// Redis rounds to the nearest second. `ms` is never negative here; written so that the largest
// deadline does not overflow.
int64_t MsToReplyUnit(int64_t ms, Unit unit) {
  return unit == Unit::kMilliseconds ? ms : ms / 1000 + (ms % 1000 >= 500 ? 1 : 0);
}

// TTL and PTTL (base kNow: time left) or EXPIRETIME and PEXPIRETIME (base kEpoch: the deadline).
// -2 for a missing key, -1 for a key without deadline.
void TtlGeneric(CommandContext& ctx, Unit unit, Base base) {
  const engine::Entry* entry = ctx.db().InspectForRead(ctx.args[1]);
  if (entry == nullptr) return ctx.reply.Integer(-2);
  if (!entry->has_deadline()) return ctx.reply.Integer(-1);
  int64_t ms = entry->deadline();
  if (base == Base::kNow) {
    ms -= ctx.keyspace.clock().NowMs();
    if (ms < 0) ms = 0;
  }
  ctx.reply.Integer(MsToReplyUnit(ms, unit));
}

void Ttl(CommandContext& ctx) { TtlGeneric(ctx, Unit::kSeconds, Base::kNow); }

void PTtl(CommandContext& ctx) { TtlGeneric(ctx, Unit::kMilliseconds, Base::kNow); }

void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, Unit::kSeconds, Base::kEpoch); }

void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, Unit::kMilliseconds, Base::kEpoch); }

void Persist(CommandContext& ctx) {
  if (!ctx.db().Persist(ctx.args[1])) return ctx.reply.Integer(0);
  ctx.db().Changed(ctx.args[1], engine::kNotifyGeneric, "persist");
  ctx.reply.Integer(1);
}

constexpr HistoryEntry kExpireHistory[] = {
    {"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
};
constexpr ArgDoc kConditionArgs[] = {
    {.name = "nx", .type = ArgType::kPureToken, .token = "NX"},
    {.name = "xx", .type = ArgType::kPureToken, .token = "XX"},
    {.name = "gt", .type = ArgType::kPureToken, .token = "GT"},
    {.name = "lt", .type = ArgType::kPureToken, .token = "LT"},
};
constexpr ArgDoc kConditionArg = {.name = "condition",
                                  .type = ArgType::kOneOf,
                                  .since = "7.0.0",
                                  .flags = kArgOptional,
                                  .arguments = kConditionArgs};
constexpr ArgDoc kExpireArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "seconds", .type = ArgType::kInteger},
    kConditionArg,
};
constexpr ArgDoc kPExpireArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "milliseconds", .type = ArgType::kInteger},
    kConditionArg,
};
constexpr ArgDoc kExpireAtArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "unix-time-seconds", .type = ArgType::kUnixTime},
    kConditionArg,
};
constexpr ArgDoc kPExpireAtArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "unix-time-milliseconds", .type = ArgType::kUnixTime},
    kConditionArg,
};
constexpr KeySpec kWriteKeySpecs[] = {
    {.flags = kKsRW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kKeyArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kReadKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr HistoryEntry kTtlHistory[] = {
    {"2.8.0", "Added the -2 reply."},
};
constexpr std::string_view kTtlTips[] = {"nondeterministic_output"};

constexpr uint32_t kWriteFlags = kWrite | kFast;
constexpr uint32_t kWriteAcl = kAclKeyspace | kAclWrite | kAclFast;
constexpr uint32_t kReadFlags = kReadOnly | kFast;
constexpr uint32_t kReadAcl = kAclKeyspace | kAclRead | kAclFast;

constexpr CommandSpec kExpireCommands[] = {
    {.name = "expire",
     .arity = -3,
     .flags = kWriteFlags,
     .acl = kWriteAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Expire,
     .doc = {.summary = "Set a key's time to live in seconds",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kExpireHistory,
             .arguments = kExpireArgs},
     .key_specs = kWriteKeySpecs},
    {.name = "pexpire",
     .arity = -3,
     .flags = kWriteFlags,
     .acl = kWriteAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &PExpire,
     .doc = {.summary = "Set a key's time to live in milliseconds",
             .since = "2.6.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kExpireHistory,
             .arguments = kPExpireArgs},
     .key_specs = kWriteKeySpecs},
    {.name = "expireat",
     .arity = -3,
     .flags = kWriteFlags,
     .acl = kWriteAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ExpireAt,
     .doc = {.summary = "Set the expiration for a key as a UNIX timestamp",
             .since = "1.2.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kExpireHistory,
             .arguments = kExpireAtArgs},
     .key_specs = kWriteKeySpecs},
    {.name = "pexpireat",
     .arity = -3,
     .flags = kWriteFlags,
     .acl = kWriteAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &PExpireAt,
     .doc = {.summary = "Set the expiration for a key as a UNIX timestamp specified in "
                        "milliseconds",
             .since = "2.6.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kExpireHistory,
             .arguments = kPExpireAtArgs},
     .key_specs = kWriteKeySpecs},
    {.name = "expiretime",
     .arity = 2,
     .flags = kReadFlags,
     .acl = kReadAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &ExpireTime,
     .doc = {.summary = "Get the expiration Unix timestamp for a key",
             .since = "7.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kReadKeySpecs},
    {.name = "pexpiretime",
     .arity = 2,
     .flags = kReadFlags,
     .acl = kReadAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &PExpireTime,
     .doc = {.summary = "Get the expiration Unix timestamp for a key in milliseconds",
             .since = "7.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kReadKeySpecs},
    {.name = "ttl",
     .arity = 2,
     .flags = kReadFlags,
     .acl = kReadAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Ttl,
     .doc = {.summary = "Get the time to live for a key in seconds",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kTtlHistory,
             .arguments = kKeyArgs},
     .key_specs = kReadKeySpecs,
     .tips = kTtlTips},
    {.name = "pttl",
     .arity = 2,
     .flags = kReadFlags,
     .acl = kReadAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &PTtl,
     .doc = {.summary = "Get the time to live for a key in milliseconds",
             .since = "2.6.0",
             .group = "generic",
             .complexity = "O(1)",
             .history = kTtlHistory,
             .arguments = kKeyArgs},
     .key_specs = kReadKeySpecs,
     .tips = kTtlTips},
    {.name = "persist",
     .arity = 2,
     .flags = kWriteFlags,
     .acl = kWriteAcl,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Persist,
     .doc = {.summary = "Remove the expiration from a key",
             .since = "2.2.0",
             .group = "generic",
             .complexity = "O(1)",
             .arguments = kKeyArgs},
     .key_specs = kWriteKeySpecs},
};

}  // namespace

std::span<const CommandSpec> ExpireCommands() { return kExpireCommands; }

}  // namespace magnetar::commands
