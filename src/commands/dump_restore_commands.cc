// DUMP and RESTORE: a value serialized as Redis 7.0 serializes it, so payloads move between
// Magnetar and Redis in both directions. A payload is the value as an RDB file holds it (type
// byte, then the encoding), the RDB version as 2 bytes little endian, and the CRC64 of all that,
// 8 bytes little endian. Redis 7.0 checks the checksum always (a zero one included).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/access_metadata.h"
#include "magnetar/engine/keyspace_observer.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_format.h"
#include "magnetar/persistence/rdb_reader.h"
#include "magnetar/persistence/rdb_writer.h"
#include "write_path.h"

namespace magnetar::commands {
namespace {

namespace rdb = persistence;

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

void AppendLittleEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

uint64_t ReadLittleEndian(std::string_view in) {
  uint64_t value = 0;
  for (size_t i = in.size(); i-- > 0;) value = value << 8 | static_cast<uint8_t>(in[i]);
  return value;
}

void Dump(CommandContext& ctx) {
  const engine::Entry* entry = ctx.db().LookupForRead(ctx.args[1]);
  if (entry == nullptr) return ctx.reply.Null();
  std::string payload;
  rdb::RdbWriter writer(payload, ctx.dump.compress);
  writer.Value(*entry);
  AppendLittleEndian(payload, rdb::kRdbVersion, 2);
  AppendLittleEndian(payload, rdb::Crc64(0, Bytes(payload)), 8);
  ctx.reply.Bulk(payload);
}

// Whether the footer admits the payload: a version this server reads and a matching CRC64.
bool FooterValid(std::string_view payload) {
  if (payload.size() < rdb::kDumpFooterBytes) return false;
  std::string_view footer = payload.substr(payload.size() - rdb::kDumpFooterBytes);
  if (ReadLittleEndian(footer.substr(0, 2)) > static_cast<uint64_t>(rdb::kRdbVersion)) {
    return false;
  }
  uint64_t crc = ReadLittleEndian(footer.substr(2));
  return crc == rdb::Crc64(0, Bytes(payload.substr(0, payload.size() - 8)));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  std::optional<int64_t> idle_seconds;
  std::optional<int64_t> frequency;
};

// RESTORE's options after the payload, in Redis's order of checks. IDLETIME and FREQ exclude each
// other (the second one is a syntax error). Replies with the error and returns nullopt.
std::optional<RestoreOptions> ParseRestoreOptions(CommandContext& ctx) {
  RestoreOptions options;
  for (size_t i = 4; i < ctx.args.size(); ++i) {
    std::string_view arg = ctx.args[i];
    bool has_value = i + 1 < ctx.args.size();
    if (EqualsIgnoreCase(arg, "replace")) {
      options.replace = true;
    } else if (EqualsIgnoreCase(arg, "absttl")) {
      options.absttl = true;
    } else if (EqualsIgnoreCase(arg, "idletime") && has_value && !options.frequency) {
      options.idle_seconds = ParseInt64(ctx.args[++i]);
      if (!options.idle_seconds) return ctx.reply.Error(OpStatus::kNotInteger), std::nullopt;
      if (*options.idle_seconds < 0) {
        return ctx.reply.Error("ERR Invalid IDLETIME value, must be >= 0"), std::nullopt;
      }
    } else if (EqualsIgnoreCase(arg, "freq") && has_value && !options.idle_seconds) {
      options.frequency = ParseInt64(ctx.args[++i]);
      if (!options.frequency) return ctx.reply.Error(OpStatus::kNotInteger), std::nullopt;
      if (*options.frequency < 0 || *options.frequency > 255) {
        return ctx.reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255"), std::nullopt;
      }
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError), std::nullopt;
    }
  }
  return options;
}

// Stores the loaded value at `key`, with the deadline when `deadline_ms` is non-zero.
void Store(engine::Database& db, std::string_view key, rdb::LoadedValue& value,
           int64_t deadline_ms) {
  engine::TtlUpdate ttl =
      deadline_ms != 0 ? engine::TtlUpdate::At(deadline_ms) : engine::TtlUpdate::Clear();
  if (value.type == engine::ValueType::kString) {
    db.SetString(key, value.string, ttl);
  } else {
    db.SetObject(key, value.type, std::move(value.object), ttl);
  }
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency].
void Restore(CommandContext& ctx) {
  std::optional<RestoreOptions> options = ParseRestoreOptions(ctx);
  if (!options) return;
  std::string_view key = ctx.args[1];
  engine::Database& db = ctx.db();
  if (!options->replace && db.Lookup(key) != nullptr) return ctx.reply.Error(OpStatus::kBusyKey);
  std::optional<int64_t> ttl = ParseInt64(ctx.args[2]);
  if (!ttl) return ctx.reply.Error(OpStatus::kNotInteger);
  if (*ttl < 0) return ctx.reply.Error("ERR Invalid TTL value, must be >= 0");
  std::string_view payload = ctx.args[3];
  if (!FooterValid(payload)) {
    return ctx.reply.Error("ERR DUMP payload version or checksum are wrong");
  }

  // The reader sees the footer too, as Redis's does: a value that claims more bytes than it has
  // reads into the footer rather than failing at its end, and succeeds or fails as in Redis.
  rdb::MemoryRdbInput input(Bytes(payload));
  rdb::RdbReader reader(
      input, ctx.keyspace.encoding_limits(),
      ctx.dump.deep_sanitize ? rdb::Validation::kDeep : rdb::Validation::kShallow);
  std::optional<uint8_t> type = reader.Byte();
  std::optional<rdb::LoadedValue> value;
  if (type) value = reader.Value(*type);
  if (!value) return ctx.reply.Error("ERR Bad data format");

  bool deleted = options->replace && DeleteKey(db, key, false);
  int64_t deadline_ms = *ttl;
  if (deadline_ms != 0 && !options->absttl) {
    // Redis adds the two as they are; a sum past INT64_MAX wraps to a past deadline there, and
    // does here too, without the overflow.
    deadline_ms = static_cast<int64_t>(static_cast<uint64_t>(deadline_ms) +
                                       static_cast<uint64_t>(ctx.keyspace.NowMs()));
  }
  if (deadline_ms != 0 && deadline_ms <= ctx.keyspace.NowMs()) {
    // Born expired: the old value is gone, which replicas learn as a DEL.
    if (deleted) {
      db.Changed(key, engine::kNotifyGeneric, "del");
      ctx.propagate().Rewrite({"DEL", key});
    }
    return ctx.reply.Ok();
  }
  Store(db, key, *value, deadline_ms);
  if (std::optional<uint32_t> access =
          ctx.keyspace.RestoredAccess(options->idle_seconds, options->frequency)) {
    db.SetAccess(key, *access);
  }
  if (deadline_ms != 0 && !options->absttl && ctx.propagate().listening()) {
    // A relative TTL goes out as the absolute deadline it gave, as Redis rewrites it.
    std::string deadline = std::to_string(deadline_ms);
    std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.end());
    argv[2] = deadline;
    argv.push_back("ABSTTL");
    ctx.propagate().Rewrite(argv);
  }
  db.Changed(key, engine::kNotifyGeneric, "restore");
  ctx.reply.Ok();
}

constexpr std::string_view kDumpTips[] = {"nondeterministic_output"};
constexpr ArgDoc kDumpArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kDumpKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr HistoryEntry kRestoreHistory[] = {
    {"3.0.0", "Added the `REPLACE` modifier."},
    {"5.0.0", "Added the `ABSTTL` modifier."},
    {"5.0.0", "Added the `IDLETIME` and `FREQ` options."},
};
constexpr ArgDoc kRestoreArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "ttl", .type = ArgType::kInteger},
    {.name = "serialized-value", .type = ArgType::kString},
    {.name = "replace",
     .type = ArgType::kPureToken,
     .token = "REPLACE",
     .since = "3.0.0",
     .flags = kArgOptional},
    {.name = "absttl",
     .type = ArgType::kPureToken,
     .token = "ABSTTL",
     .since = "5.0.0",
     .flags = kArgOptional},
    {.name = "seconds",
     .type = ArgType::kInteger,
     .token = "IDLETIME",
     .since = "5.0.0",
     .flags = kArgOptional},
    {.name = "frequency",
     .type = ArgType::kInteger,
     .token = "FREQ",
     .since = "5.0.0",
     .flags = kArgOptional},
};
constexpr KeySpec kRestoreKeySpecs[] = {
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};

constexpr CommandSpec kDumpRestoreCommands[] = {
    {.name = "dump",
     .arity = 2,
     .flags = kReadOnly,
     .acl = kAclKeyspace | kAclRead | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Dump,
     .doc = {.summary = "Return a serialized version of the value stored at the specified key.",
             .since = "2.6.0",
             .group = "generic",
             .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N "
                           "is the number of Redis objects composing the value and M their "
                           "average size. For small string values the time complexity is thus "
                           "O(1)+O(1*M) where M is small, so simply O(1).",
             .arguments = kDumpArgs},
     .key_specs = kDumpKeySpecs,
     .tips = kDumpTips},
    {.name = "restore",
     .arity = -4,
     .flags = kWrite | kDenyOom,
     .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Restore,
     .doc = {.summary = "Create a key using the provided serialized value, previously obtained "
                        "using DUMP.",
             .since = "2.6.0",
             .group = "generic",
             .complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the "
                           "serialized value, where N is the number of Redis objects composing "
                           "the value and M their average size. For small string values the time "
                           "complexity is thus O(1)+O(1*M) where M is small, so simply O(1). "
                           "However for sorted set values the complexity is O(N*M*log(N)) because "
                           "inserting values into sorted sets is O(log(N)).",
             .history = kRestoreHistory,
             .arguments = kRestoreArgs},
     .key_specs = kRestoreKeySpecs},
};

}  // namespace

std::span<const CommandSpec> DumpRestoreCommands() { return kDumpRestoreCommands; }

}  // namespace magnetar::commands
