// Whole-value string reads and writes: GET, SET and its relatives, GETEX, MGET, MSET.
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "string_handlers.h"
#include "write_path.h"

namespace magnetar::commands::strings {
namespace {

using engine::Entry;
using engine::kNotifyGeneric;
using engine::kNotifyString;
using engine::TtlUpdate;
using engine::ValueType;

// The options SET and GETEX share, as bits.
enum ExpiryOption : uint32_t {
  kNx = 1u << 0,
  kXx = 1u << 1,
  kGetOld = 1u << 2,
  kKeepTtl = 1u << 3,
  kPersist = 1u << 4,
  kEx = 1u << 5,
  kPx = 1u << 6,
  kExAt = 1u << 7,
  kPxAt = 1u << 8,
};
constexpr uint32_t kAnyExpire = kEx | kPx | kExAt | kPxAt;

struct ExpiryOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the argument of the last EX/PX/EXAT/PXAT
};

enum class OptionsOf : uint8_t { kSet, kGetEx };

// Reads SET's (or GETEX's) options from args[start]. As in Redis, a keyword may repeat (the last
// expire value given wins), but keywords that contradict each other are a syntax error.
Result<ExpiryOptions> ParseExpiryOptions(std::span<const std::string_view> args, size_t start,
                                         OptionsOf command) {
  ExpiryOptions options;
  uint32_t& flags = options.flags;
  const bool set = command == OptionsOf::kSet;
  for (size_t i = start; i < args.size(); ++i) {
    std::string_view arg = args[i];
    bool has_value = i + 1 < args.size();
    // An expire keyword is refused next to TTL keywords of another kind.
    auto expire_allowed = [&](uint32_t self) {
      return !(flags & (kKeepTtl | kPersist | (kAnyExpire & ~self))) && has_value;
    };
    uint32_t expire = 0;
    if (set && EqualsIgnoreCase(arg, "nx") && !(flags & kXx)) {
      flags |= kNx;
    } else if (set && EqualsIgnoreCase(arg, "xx") && !(flags & kNx)) {
      flags |= kXx;
    } else if (set && EqualsIgnoreCase(arg, "get")) {
      flags |= kGetOld;
    } else if (set && EqualsIgnoreCase(arg, "keepttl") && !(flags & (kPersist | kAnyExpire))) {
      flags |= kKeepTtl;
    } else if (!set && EqualsIgnoreCase(arg, "persist") && !(flags & (kKeepTtl | kAnyExpire))) {
      flags |= kPersist;
    } else if (EqualsIgnoreCase(arg, "ex")) {
      expire = kEx;
    } else if (EqualsIgnoreCase(arg, "px")) {
      expire = kPx;
    } else if (EqualsIgnoreCase(arg, "exat")) {
      expire = kExAt;
    } else if (EqualsIgnoreCase(arg, "pxat")) {
      expire = kPxAt;
    } else {
      return OpStatus::kSyntaxError;
    }
    if (expire != 0) {
      if (!expire_allowed(expire)) return OpStatus::kSyntaxError;
      flags |= expire;
      options.expire = args[++i];
    }
  }
  return options;
}

// Turns an expire argument into an absolute deadline in Unix ms. Zero, negative and overflowing
// times are refused (kInvalidExpire); a text that is no integer is kNotInteger.
Result<int64_t> ExpireDeadline(std::string_view text, bool seconds, bool absolute, int64_t now) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> value = ParseInt64(text);
  if (!value) return OpStatus::kNotInteger;
  int64_t ms = *value;
  if (ms <= 0 || (seconds && ms > kMax / 1000)) return OpStatus::kInvalidExpire;
  if (seconds) ms *= 1000;
  if (!absolute) {
    if (ms > kMax - now) return OpStatus::kInvalidExpire;
    ms += now;
  }
  return ms;
}

Result<int64_t> OptionDeadline(const ExpiryOptions& options, int64_t now) {
  return ExpireDeadline(options.expire, options.flags & (kEx | kExAt),
                        options.flags & (kExAt | kPxAt), now);
}

// Redis names the command in this one error.
void ReplyExpireError(CommandContext& ctx, OpStatus status, std::string_view command) {
  if (status != OpStatus::kInvalidExpire) return ctx.reply.Error(status);
  std::string text = "ERR invalid expire time in '";
  text.append(command).append("' command");
  ctx.reply.Error(text);
}

void ReplyString(CommandContext& ctx, const std::optional<engine::StringRef>& value) {
  value ? ctx.reply.Bulk(value->view()) : ctx.reply.Null();
}

// Stores `value` at `key` with an absolute deadline, for SET with an expire option, SETEX and
// PSETEX: "set" then "expire", propagated as `SET key value PXAT <deadline>` whatever form of
// time the client gave (Redis drops NX, XX and GET from this form too: it is only sent when the
// value was stored).
void SetStringWithDeadline(CommandContext& ctx, std::string_view key, std::string_view value,
                           int64_t deadline_ms) {
  engine::Database& db = ctx.db();
  db.SetString(key, value, TtlUpdate::At(deadline_ms));
  db.Changed(key, kNotifyString, "set");
  db.Notify(kNotifyGeneric, "expire", key);
  char text[kMaxInt64Chars];
  ctx.propagate().Rewrite(
      {"SET", key, value, "PXAT", std::string_view(text, FormatInt64(deadline_ms, text))});
}

// SETEX and PSETEX: SET with a relative expire in front of the value.
void SetWithExpire(CommandContext& ctx, bool seconds, std::string_view command) {
  auto deadline = ExpireDeadline(ctx.args[2], seconds, false, ctx.clock.NowMs());
  if (!deadline) return ReplyExpireError(ctx, deadline.status(), command);
  SetStringWithDeadline(ctx, ctx.args[1], ctx.args[3], *deadline);
  ctx.reply.Ok();
}

// SET's GET only shapes the reply, so SET propagates without it. Called for a SET without expire
// options, whose options are all keywords.
void PropagateSetWithoutGet(CommandContext& ctx) {
  std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.begin() + 3);
  for (std::string_view option : ctx.args.subspan(3)) {
    if (!EqualsIgnoreCase(option, "get")) argv.push_back(option);
  }
  ctx.propagate().Rewrite(argv);
}

// MSET and MSETNX take key-value pairs; an unpaired key is an arity error.
bool CheckPairs(CommandContext& ctx, std::string_view command) {
  if (ctx.args.size() % 2 == 1) return true;
  std::string text = "ERR wrong number of arguments for '";
  text.append(command).append("' command");
  ctx.reply.Error(text);
  return false;
}

void SetPairs(CommandContext& ctx) {
  engine::Database& db = ctx.db();
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    db.SetString(ctx.args[i], ctx.args[i + 1]);
    db.Changed(ctx.args[i], kNotifyString, "set");
  }
}

}  // namespace

void Get(CommandContext& ctx) {
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  ReplyString(ctx, *value);
}

void Set(CommandContext& ctx) {
  engine::Database& db = ctx.db();
  std::string_view key = ctx.args[1];
  std::string_view value = ctx.args[2];
  if (ctx.args.size() == 3) {
    db.SetString(key, value);
    db.Changed(key, kNotifyString, "set");
    return ctx.reply.Ok();
  }
  auto options = ParseExpiryOptions(ctx.args, 3, OptionsOf::kSet);
  if (!options) return ctx.reply.Error(options.status());
  const uint32_t flags = options->flags;
  std::optional<int64_t> deadline;
  if (flags & kAnyExpire) {
    auto parsed = OptionDeadline(*options, ctx.clock.NowMs());
    if (!parsed) return ReplyExpireError(ctx, parsed.status(), "set");
    deadline = *parsed;
  }
  bool found;
  if (flags & kGetOld) {
    // Counted as a read, like GET. The old value is replied before the write frees it.
    auto old = db.GetString(key);
    if (!old) return ctx.reply.Error(old.status());
    found = old->has_value();
    ReplyString(ctx, *old);
  } else {
    found = (flags & (kNx | kXx)) && db.Lookup(key) != nullptr;
  }
  if (((flags & kNx) && found) || ((flags & kXx) && !found)) {
    if (!(flags & kGetOld)) ctx.reply.Null();
    return;
  }
  if (deadline) {
    SetStringWithDeadline(ctx, key, value, *deadline);
  } else {
    db.SetString(key, value, (flags & kKeepTtl) ? TtlUpdate::Keep() : TtlUpdate::Clear());
    db.Changed(key, kNotifyString, "set");
    if (flags & kGetOld) PropagateSetWithoutGet(ctx);
  }
  if (!(flags & kGetOld)) ctx.reply.Ok();
}

bool SetKeys(std::span<const std::string_view> args, std::vector<KeyRef>& keys) {
  bool get = false;
  for (size_t i = 3; i < args.size(); ++i) get = get || EqualsIgnoreCase(args[i], "get");
  keys.push_back({1, get ? kKsRW | kKsAccess | kKsUpdate : kKsOW | kKsUpdate});
  return true;
}

void SetNx(CommandContext& ctx) {
  if (ctx.db().Lookup(ctx.args[1]) != nullptr) return ctx.reply.Integer(0);
  ctx.db().SetString(ctx.args[1], ctx.args[2]);
  ctx.db().Changed(ctx.args[1], kNotifyString, "set");
  ctx.reply.Integer(1);
}

void SetEx(CommandContext& ctx) { SetWithExpire(ctx, true, "setex"); }

void PSetEx(CommandContext& ctx) { SetWithExpire(ctx, false, "psetex"); }

void GetSet(CommandContext& ctx) {
  auto old = ctx.db().GetString(ctx.args[1]);
  if (!old) return ctx.reply.Error(old.status());
  ReplyString(ctx, *old);
  ctx.db().SetString(ctx.args[1], ctx.args[2]);
  ctx.db().Changed(ctx.args[1], kNotifyString, "set");
  ctx.propagate().Rewrite({"SET", ctx.args[1], ctx.args[2]});
}

void GetDel(CommandContext& ctx) {
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  ReplyString(ctx, *value);
  if (*value) DeleteInsteadOfCommand(ctx, ctx.args[1], ctx.lazyfree.user_del);
}

void GetEx(CommandContext& ctx) {
  auto options = ParseExpiryOptions(ctx.args, 2, OptionsOf::kGetEx);
  if (!options) return ctx.reply.Error(options.status());
  engine::Database& db = ctx.db();
  std::string_view key = ctx.args[1];
  auto value = db.GetString(key);
  if (!value) return ctx.reply.Error(value.status());
  if (!*value) return ctx.reply.Null();
  // Redis validates the expire only once it knows the key holds a string.
  const uint32_t flags = options->flags;
  const int64_t now = ctx.clock.NowMs();
  int64_t deadline = 0;
  if (flags & kAnyExpire) {
    auto parsed = OptionDeadline(*options, now);
    if (!parsed) return ReplyExpireError(ctx, parsed.status(), "getex");
    deadline = *parsed;
  }
  ReplyString(ctx, *value);
  if (flags & kPersist) {
    if (!db.Persist(key)) return;
    db.Changed(key, kNotifyGeneric, "persist");
    ctx.propagate().Rewrite({"PERSIST", key});
  } else if ((flags & (kExAt | kPxAt)) && DeadlineDeletesAtOnce(ctx, deadline, now)) {
    // An absolute time already past deletes the key at once rather than expiring it.
    DeleteInsteadOfCommand(ctx, key, ctx.lazyfree.expire);
  } else if (flags & kAnyExpire) {
    SetDeadline(ctx, key, deadline);
    PropagateDeadline(ctx, key, deadline);
  }
}

void MGet(CommandContext& ctx) {
  ctx.reply.Array(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const Entry* entry = ctx.db().LookupForRead(ctx.args[i]);
    if (entry == nullptr || entry->type() != ValueType::kString) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(entry->string().view());
    }
  }
}

void MSet(CommandContext& ctx) {
  if (!CheckPairs(ctx, "mset")) return;
  SetPairs(ctx);
  ctx.reply.Ok();
}

void MSetNx(CommandContext& ctx) {
  if (!CheckPairs(ctx, "msetnx")) return;
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    if (ctx.db().Lookup(ctx.args[i]) != nullptr) return ctx.reply.Integer(0);
  }
  SetPairs(ctx);
  ctx.reply.Integer(1);
}

}  // namespace magnetar::commands::strings
