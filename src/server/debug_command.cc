#include "debug_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <initializer_list>
#include <string>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/dataset_digest.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "rdb_length.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using commands::CommandContext;
using commands::EqualsIgnoreCase;

// Redis reads these numbers with C's lenient converters (atoi, strtod): whatever prefix is a
// number counts and the rest is ignored, so "abc" is 0. The argument is copied to get the
// terminating NUL they need.
int CAtoi(std::string_view text) {
  std::string copy(text);
  return static_cast<int>(std::strtol(copy.c_str(), nullptr, 10));
}

double CStrtod(std::string_view text) {
  std::string copy(text);
  return std::strtod(copy.c_str(), nullptr);
}

// DEBUG SLEEP <seconds>: blocking the event loop is the point (it simulates a slow command).
// Negative, NaN and unreadable durations do not sleep, as nanosleep refuses them in Redis.
void Sleep(CommandContext& ctx) {
  double seconds = CStrtod(ctx.args[2]);
  constexpr double kMaxSeconds = static_cast<double>(INT64_MAX / 1'000'000);
  if (seconds > 0) {
    auto micros = static_cast<int64_t>(std::min(seconds, kMaxSeconds) * 1e6);
    timespec wait{.tv_sec = static_cast<time_t>(micros / 1'000'000),
                  .tv_nsec = static_cast<long>(micros % 1'000'000 * 1000)};
    while (nanosleep(&wait, &wait) != 0 && errno == EINTR) {
    }
  }
  ctx.reply.Ok();
}

// The names OBJECT ENCODING gives strings (object_command.cc): Redis's "int" for int64 values,
// "embstr" for strings that fit Redis's embedded allocation, "raw" beyond.
std::string_view StringEncodingName(const engine::Entry& entry) {
  constexpr size_t kEmbstrMaxBytes = 44;
  if (entry.encoding() == engine::Encoding::kInteger) return "int";
  return entry.string().view().size() <= kEmbstrMaxBytes ? "embstr" : "raw";
}

// Redis shares one object among every key holding an integer 0..9999, with a refcount that
// marks it as never freed (OBJECT REFCOUNT reports the same).
int RefCount(const engine::Entry& entry) {
  constexpr int64_t kSharedIntegers = 10000;
  if (entry.encoding() != engine::Encoding::kInteger) return 1;
  int64_t value = entry.string().integer();
  return value >= 0 && value < kSharedIntegers ? INT_MAX : 1;
}

// DEBUG OBJECT <key>: Redis's one line about the value. Like Redis it looks in the table
// directly, so a key past its deadline that nothing has removed yet is still described.
void Object(CommandContext& ctx) {
  const engine::Entry* entry = ctx.db().Peek(ctx.args[2]);
  if (entry == nullptr) return ctx.reply.Error("ERR no such key");
  std::string_view encoding;
  size_t serialized = 0;
  if (entry->type() == engine::ValueType::kString) {
    encoding = StringEncodingName(*entry);
    serialized = RdbStringLength(entry->string().view());
  } else {
    // No other type has an RDB form in Magnetar yet (docs/compatibility.md).
    encoding = entry->object()->EncodingName();
  }
  uint32_t stamp = entry->access();
  int64_t idle = engine::LruIdleSeconds(ctx.keyspace.lru_clock(), stamp);
  ctx.reply.SimpleString(fmt::format(
      "Value at:{} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
      static_cast<const void*>(entry), RefCount(*entry), encoding, serialized, stamp, idle));
}

// DEBUG PROTOCOL <type>: a fixed value of each RESP3 type, downgraded for RESP2 clients as Redis
// downgrades it, for testing clients.
void Protocol(CommandContext& ctx) {
  resp::ReplyBuilder& reply = ctx.reply;
  std::string_view type = ctx.args[2];
  auto is = [type](std::string_view name) { return EqualsIgnoreCase(type, name); };
  if (is("string")) {
    reply.Bulk("Hello World");
  } else if (is("integer")) {
    reply.Integer(12345);
  } else if (is("double")) {
    reply.Double(3.141);
  } else if (is("bignum")) {
    reply.BigNumber("1234567999999999999999999999999999999");
  } else if (is("null")) {
    reply.Null();
  } else if (is("array") || is("set")) {
    is("array") ? reply.Array(3) : reply.Set(3);
    for (int i = 0; i < 3; ++i) reply.Integer(i);
  } else if (is("map")) {
    reply.Map(3);
    for (int i = 0; i < 3; ++i) {
      reply.Integer(i);
      reply.Bool(i == 1);
    }
  } else if (is("attrib")) {
    // RESP2 clients get only the reply the attribute would describe.
    if (reply.resp3()) {
      reply.Attribute(1);
      reply.Bulk("key-popularity");
      reply.Array(2);
      reply.Bulk("key:123");
      reply.Integer(90);
    }
    reply.Bulk("Some real reply following the attribute");
  } else if (is("push")) {
    if (!reply.resp3()) return reply.Error("ERR RESP2 is not supported by this command");
    reply.Push(2);
    reply.Bulk("server-cpu-usage");
    reply.Integer(42);
    reply.Bulk("Some real reply following the push reply");
  } else if (is("verbatim")) {
    reply.Verbatim("This is a verbatim\nstring");
  } else if (is("true") || is("false")) {
    reply.Bool(is("true"));
  } else {
    reply.Error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

// DEBUG CHANGE-REPL-ID. Redis also clears the secondary id, which Magnetar never sets.
void ChangeReplId(CommandContext& ctx) {
  AsServer(ctx).server.replication().NewReplid();
  ctx.reply.Ok();
}

// DEBUG SET-ACTIVE-EXPIRE <0|1>: any number but 0 turns it on, as with Redis's atoi.
void SetActiveExpire(CommandContext& ctx) {
  AsServer(ctx).server.SetActiveExpire(CAtoi(ctx.args[2]) != 0);
  ctx.reply.Ok();
}

// DEBUG DIGEST: the whole dataset's digest (commands/dataset_digest.h).
void Digest(CommandContext& ctx) {
  ctx.reply.SimpleString(commands::DigestHex(commands::DatasetDigest(ctx.keyspace)));
}

// DEBUG DIGEST-VALUE <key>...: one digest per key, all zeros for a missing key. Like Redis it
// looks in the table directly, so a key past its deadline still has its value's digest.
void DigestValue(CommandContext& ctx) {
  ctx.reply.Array(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const engine::Entry* entry = ctx.db().Peek(ctx.args[i]);
    commands::Digest digest = entry != nullptr ? commands::ValueDigest(*entry) : commands::Digest{};
    ctx.reply.SimpleString(commands::DigestHex(digest));
  }
}

// DEBUG POPULATE <count> [<prefix>] [<size>]: string keys prefix:0.. with values "value:<n>",
// cut or zero-padded to <size> bytes when given. Existing keys are left alone; as in Redis the new
// ones count as no change (nothing is propagated either).
void Populate(CommandContext& ctx) {
  std::optional<int64_t> count = ParseInt64(ctx.args[2]);
  std::optional<int64_t> size =
      ctx.args.size() > 4 ? ParseInt64(ctx.args[4]) : std::optional<int64_t>(0);
  if (!count || *count < 0 || !size || *size < 0) {
    return ctx.reply.Error("ERR value is out of range, must be positive");
  }
  std::string_view prefix = ctx.args.size() > 3 ? ctx.args[3] : "key";
  engine::Database& db = ctx.db();
  std::string key;
  std::string value;
  for (int64_t i = 0; i < *count; ++i) {
    key = fmt::format("{}:{}", prefix, i);
    if (db.Exists(key)) continue;
    value = fmt::format("value:{}", i);
    if (*size > 0) value.resize(static_cast<size_t>(*size), '\0');
    db.SetString(key, value);
  }
  ctx.reply.Ok();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the keyspace and load the file back.
// Loaded keys replace existing ones, so NOFLUSH behaves as NOFLUSH MERGE (Redis would abort on a
// conflicting key without MERGE).
void Reload(CommandContext& ctx) {
  bool save = true, flush = true;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (EqualsIgnoreCase(ctx.args[i], "nosave")) {
      save = false;
    } else if (EqualsIgnoreCase(ctx.args[i], "noflush")) {
      flush = false;
    } else if (!EqualsIgnoreCase(ctx.args[i], "merge")) {
      return ctx.reply.Error(
          "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  std::string error = AsServer(ctx).server.rdb_saver().Reload(save, flush);
  if (!error.empty()) return ctx.reply.Error(error);
  ctx.reply.Ok();
}

void Help(CommandContext& ctx);

struct Subcommand {
  std::string_view name;
  size_t args;  // the whole command's argument count, DEBUG and the subcommand included
  void (*handler)(CommandContext& ctx);
  // Lines of DEBUG HELP, Redis's text.
  std::initializer_list<std::string_view> help;
  bool variadic = false;  // `args` is the least count: more arguments are allowed
};

// In the order of Redis's DEBUG HELP; HELP last, as Redis appends it.
const Subcommand kSubcommands[] = {
    {"change-repl-id",
     2,
     &ChangeReplId,
     {"CHANGE-REPL-ID", "    Change the replication IDs of the instance.",
      "    Dangerous: should be used only for testing the replication subsystem."}},
    {"digest",
     2,
     &Digest,
     {"DIGEST", "    Output a hex signature representing the current DB content."}},
    {"digest-value",
     2,
     &DigestValue,
     {"DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys."},
     true},
    {"object",
     3,
     &Object,
     {"OBJECT <key>", "    Show low level info about `key` and associated value."}},
    {"populate",
     3,
     &Populate,
     {"POPULATE <count> [<prefix>] [<size>]",
      "    Create <count> string keys named key:<num>. If <prefix> is specified then",
      "    it is used instead of the 'key' prefix. These are not propagated to",
      "    replicas. Cluster slots are not respected so keys not belonging to the",
      "    current node can be created in cluster mode."},
     true},
    {"protocol",
     3,
     &Protocol,
     {"PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false."}},
    {"reload",
     2,
     &Reload,
     {"RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.", "    Examples:",
      "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
      "      the database.",
      "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
      "      existing RDB file.",
      "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
      "      file to the database."},
     true},
    {"set-active-expire",
     3,
     &SetActiveExpire,
     {"SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default."}},
    {"sleep",
     3,
     &Sleep,
     {"SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed."}},
    {"help", 2, &Help, {"HELP", "    Prints this help."}},
};

void Help(CommandContext& ctx) {
  constexpr std::string_view kHeader =
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
  size_t lines = 1;
  for (const Subcommand& sub : kSubcommands) lines += sub.help.size();
  ctx.reply.Array(lines);
  ctx.reply.SimpleString(kHeader);
  for (const Subcommand& sub : kSubcommands) {
    for (std::string_view line : sub.help) ctx.reply.SimpleString(line);
  }
}

}  // namespace

void DebugCommand(CommandContext& ctx) {
  for (const Subcommand& sub : kSubcommands) {
    bool count_fits = sub.variadic ? ctx.args.size() >= sub.args : ctx.args.size() == sub.args;
    if (EqualsIgnoreCase(ctx.args[1], sub.name) && count_fits) {
      return sub.handler(ctx);
    }
  }
  // One error for an unknown name and a wrong argument count alike, as Redis's.
  ctx.reply.Error(SubcommandSyntaxError("DEBUG", ctx.args[1]));
}

}  // namespace magnetar::server
