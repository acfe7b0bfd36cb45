// Walking the keyspace: KEYS (all matching keys at once) and SCAN (a cursor over the table,
// Redis's guarantee: every key present for the whole iteration is returned at least once). Keys
// past their deadline are never returned; SCAN removes those it meets, as Redis does.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/glob.h"
#include "magnetar/common/numbers.h"
#include "scan_options.h"
#include "value_type_names.h"

namespace magnetar::commands {

// SCAN's cursor as Redis reads it (strtoul): an optional sign, decimal digits, nothing after
// them. A negative number wraps around; an empty argument is 0; leading spaces are refused.
std::optional<uint64_t> ParseCursor(std::string_view text) {
  if (text.empty()) return 0;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++i;
  }
  if (i == text.size()) return std::nullopt;
  uint64_t value = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return negative ? 0 - value : value;
}

std::optional<ScanOptions> ParseScanOptions(CommandContext& ctx, size_t start, bool allow_type) {
  ScanOptions options;
  for (size_t i = start; i < ctx.args.size(); i += 2) {
    std::string_view option = ctx.args[i];
    bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(option, "count")) {
      std::optional<int64_t> count = ParseInt64(ctx.args[i + 1]);
      if (!count) {
        ctx.reply.Error(OpStatus::kNotInteger);
        return std::nullopt;
      }
      if (*count < 1) {
        ctx.reply.Error(OpStatus::kSyntaxError);
        return std::nullopt;
      }
      options.count = *count;
    } else if (has_value && EqualsIgnoreCase(option, "match")) {
      // "*" matches everything: skip the matching.
      options.pattern = ctx.args[i + 1];
      if (*options.pattern == "*") options.pattern.reset();
    } else if (allow_type && has_value && EqualsIgnoreCase(option, "type")) {
      options.type = ctx.args[i + 1];
    } else {
      ctx.reply.Error(OpStatus::kSyntaxError);
      return std::nullopt;
    }
  }
  return options;
}

namespace {

bool IsExpired(const engine::Entry& entry, int64_t now_ms) {
  return entry.has_deadline() && entry.deadline() < now_ms;
}

void Keys(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  bool all = pattern == "*";
  int64_t now_ms = ctx.keyspace.clock().NowMs();
  std::vector<std::string> keys;
  uint64_t cursor = 0;
  do {
    cursor = ctx.db().Scan(cursor, [&](const engine::Entry& entry) {
      if (IsExpired(entry, now_ms)) return;
      if (all || GlobMatch(pattern, entry.key())) keys.emplace_back(entry.key());
    });
  } while (cursor != 0);
  ctx.reply.Array(keys.size());
  for (const std::string& key : keys) ctx.reply.Bulk(key);
}

void Scan(CommandContext& ctx) {
  std::optional<uint64_t> cursor = ParseCursor(ctx.args[1]);
  if (!cursor) return ctx.reply.Error("ERR invalid cursor");
  std::optional<ScanOptions> options = ParseScanOptions(ctx, 2, true);
  if (!options) return;

  // Like Redis: visit buckets until COUNT keys are collected, giving up after 10 * COUNT steps
  // so a sparse table cannot make one call long. Filtering comes after.
  struct Found {
    std::string key;
    bool expired;
  };
  std::vector<Found> found;
  int64_t now_ms = ctx.keyspace.clock().NowMs();
  auto count = static_cast<size_t>(options->count);
  int64_t steps_left = options->count > std::numeric_limits<int64_t>::max() / 10
                           ? std::numeric_limits<int64_t>::max()
                           : options->count * 10;
  engine::Database& db = ctx.db();
  do {
    *cursor = db.Scan(*cursor, [&](const engine::Entry& entry) {
      found.push_back({std::string(entry.key()), IsExpired(entry, now_ms)});
    });
  } while (*cursor != 0 && steps_left-- > 0 && found.size() < count);

  std::vector<std::string_view> keys;
  for (const Found& item : found) {
    if (options->pattern && !GlobMatch(*options->pattern, item.key)) continue;
    if (options->type) {
      // Redis looks the key up to learn its type: a keyspace hit or miss, and an expired key
      // is removed and has type "none".
      const engine::Entry* entry = db.InspectForRead(item.key);
      if (!EqualsIgnoreCase(*options->type, entry ? TypeName(entry->type()) : "none")) continue;
    } else if (item.expired) {
      db.Lookup(item.key);  // removes it, with the expiry bookkeeping
      continue;
    }
    keys.push_back(item.key);
  }
  std::string cursor_text = std::to_string(*cursor);
  ctx.reply.Array(2);
  ctx.reply.Bulk(cursor_text);
  ctx.reply.Array(keys.size());
  for (std::string_view key : keys) ctx.reply.Bulk(key);
}

constexpr ArgDoc kKeysArgs[] = {
    {.name = "pattern", .type = ArgType::kPattern},
};
constexpr std::string_view kKeysTips[] = {"request_policy:all_shards",
                                          "nondeterministic_output_order"};
constexpr HistoryEntry kScanHistory[] = {
    {"6.0.0", "Added the `TYPE` subcommand."},
};
constexpr ArgDoc kScanArgs[] = {
    {.name = "cursor", .type = ArgType::kInteger},
    {.name = "pattern", .type = ArgType::kPattern, .token = "MATCH", .flags = kArgOptional},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
    {.name = "type",
     .type = ArgType::kString,
     .token = "TYPE",
     .since = "6.0.0",
     .flags = kArgOptional},
};
constexpr std::string_view kScanTips[] = {"nondeterministic_output", "request_policy:special"};

constexpr CommandSpec kScanCommands[] = {
    {.name = "keys",
     .arity = 2,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow | kAclDangerous,
     .handler = &Keys,
     .doc = {.summary = "Find all keys matching the given pattern",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(N) with N being the number of keys in the database, under the "
                           "assumption that the key names in the database and the given pattern "
                           "have limited length.",
             .arguments = kKeysArgs},
     .tips = kKeysTips},
    {.name = "scan",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .handler = &Scan,
     .doc = {.summary = "Incrementally iterate the keys space",
             .since = "2.8.0",
             .group = "generic",
             .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                           "command calls for the cursor to return back to 0. N is the number of "
                           "elements inside the collection.",
             .history = kScanHistory,
             .arguments = kScanArgs},
     .tips = kScanTips},
};

}  // namespace

std::span<const CommandSpec> ScanCommands() { return kScanCommands; }

}  // namespace magnetar::commands
