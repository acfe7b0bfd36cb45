// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO. The bit
// algorithms live in bit_ops.h; these handlers parse arguments in Redis's order (which decides
// which error a malformed request gets), look the string up, run the algorithm and reply.
//
// Integer-encoded values are bitmaps of their decimal text, as in Redis: SET k 123 then GETBIT
// reads the bits of "123". Read commands look keys up with LookupForRead/GetString (counting
// keyspace hits and misses); writes look their key up without counting, as Redis's write lookups
// do. SETBIT and BITFIELD edit the string in place (Database::StringForUpdate), keeping the key's
// deadline, so setting a bit costs O(1) however long the bitmap; BITOP's destination is replaced
// like SET's.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/bit_ops.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"

namespace magnetar::commands {
namespace {

using engine::StringRef;

void HandleSetBit(CommandContext& ctx) {
  auto offset = ParseBitOffset(ctx.args[2], ctx.max_bulk_len);
  if (!offset) return ctx.reply.Error(offset.status());
  auto bit = ParseBitValue(ctx.args[3]);
  if (!bit) return ctx.reply.Error(bit.status());
  bool grown = false;
  auto value = ctx.db().StringForUpdate(ctx.args[1], (*offset >> 3) + 1, &grown);
  if (!value) return ctx.reply.Error(value.status());
  bool old = SetBit(*value, *offset, *bit);
  // As in Redis, setting a bit to what it was is no change unless the string had to grow.
  if (grown || old != *bit) ctx.db().Changed(ctx.args[1], engine::kNotifyString, "setbit");
  ctx.reply.Integer(old);
}

void HandleGetBit(CommandContext& ctx) {
  auto offset = ParseBitOffset(ctx.args[2], ctx.max_bulk_len);
  if (!offset) return ctx.reply.Error(offset.status());
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  ctx.reply.Integer(*value && GetBit((*value)->view(), *offset));
}

Result<int64_t> IntegerArg(std::string_view text) {
  std::optional<int64_t> value = ParseInt64(text);
  if (!value) return OpStatus::kNotInteger;
  return *value;
}

Result<BitUnit> UnitArg(std::string_view text) {
  std::optional<BitUnit> unit = ParseBitUnit(text);
  if (!unit) return OpStatus::kSyntaxError;
  return *unit;
}

// Redis 7.0 looks the key up before reading the range, so a missing key answers 0 whatever the
// range arguments are. The range is read as start, end, then the unit.
void HandleBitCount(CommandContext& ctx) {
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  if (!*value) return ctx.reply.Integer(0);
  std::string_view bits = (*value)->view();
  if (ctx.args.size() == 2) return ctx.reply.Integer(static_cast<int64_t>(BitCount(bits)));
  if (ctx.args.size() != 4 && ctx.args.size() != 5) return ctx.reply.Error(OpStatus::kSyntaxError);
  auto start = IntegerArg(ctx.args[2]);
  if (!start) return ctx.reply.Error(start.status());
  auto end = IntegerArg(ctx.args[3]);
  if (!end) return ctx.reply.Error(end.status());
  Result<BitUnit> unit = ctx.args.size() == 5 ? UnitArg(ctx.args[4]) : BitUnit::kByte;
  if (!unit) return ctx.reply.Error(unit.status());
  ctx.reply.Integer(static_cast<int64_t>(BitCount(bits, *start, *end, *unit)));
}

// BITPOS reads the bit before the key, and the range after it: start, then the unit, then end.
void HandleBitPos(CommandContext& ctx) {
  auto bit = ParseBitPosBit(ctx.args[2]);
  if (!bit) return ctx.reply.Error(bit.status());
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  // A missing key is an endless run of zeros.
  if (!*value) return ctx.reply.Integer(*bit ? -1 : 0);
  const size_t argc = ctx.args.size();
  if (argc > 6) return ctx.reply.Error(OpStatus::kSyntaxError);
  BitPosRange range;
  if (argc >= 4) {
    auto start = IntegerArg(ctx.args[3]);
    if (!start) return ctx.reply.Error(start.status());
    range.start = *start;
  }
  if (argc == 6) {
    auto unit = UnitArg(ctx.args[5]);
    if (!unit) return ctx.reply.Error(unit.status());
    range.unit = *unit;
  }
  if (argc >= 5) {
    auto end = IntegerArg(ctx.args[4]);
    if (!end) return ctx.reply.Error(end.status());
    range.end = *end;
  }
  ctx.reply.Integer(BitPos((*value)->view(), *bit, range));
}

void HandleBitOp(CommandContext& ctx) {
  std::optional<BitOpKind> kind = ParseBitOpKind(ctx.args[1]);
  if (!kind) return ctx.reply.Error(OpStatus::kSyntaxError);
  std::span<const std::string_view> keys = ctx.args.subspan(3);
  if (*kind == BitOpKind::kNot && keys.size() != 1) {
    return ctx.reply.Error(OpStatus::kBitOpNotSingleKey);
  }
  // Each distinct key is looked up once: a second lookup of the same key could expire it and
  // free the bytes an earlier view points into.
  std::vector<StringRef> loaded;
  loaded.reserve(keys.size());
  std::unordered_map<std::string_view, size_t> slot_of;
  std::vector<size_t> slots;
  slots.reserve(keys.size());
  for (std::string_view key : keys) {
    auto [it, inserted] = slot_of.try_emplace(key, loaded.size());
    if (inserted) {
      auto value = ctx.db().GetString(key);
      if (!value) return ctx.reply.Error(value.status());
      loaded.push_back(value->value_or(StringRef::Bytes({})));
    }
    slots.push_back(it->second);
  }
  std::vector<std::string_view> inputs;
  inputs.reserve(keys.size());
  for (size_t slot : slots) inputs.push_back(loaded[slot].view());

  std::string result = BitOp(*kind, inputs);
  std::string_view destination = ctx.args[2];
  if (result.empty()) {
    // An expired destination is deleted rather than expired, as in Redis.
    if (ctx.db().DeleteStored(destination)) {
      ctx.db().Changed(destination, engine::kNotifyGeneric, "del");
    }
  } else {
    ctx.db().SetString(destination, result);
    ctx.db().Changed(destination, engine::kNotifyString, "set");
  }
  ctx.reply.Integer(static_cast<int64_t>(result.size()));
}

// BITFIELD's GETs alone read the key like a read command: a missing key is neither created nor
// counted as written.
void RunReadOnlyBitfield(CommandContext& ctx, const BitfieldPlan& plan) {
  auto value = ctx.db().GetString(ctx.args[1]);
  if (!value) return ctx.reply.Error(value.status());
  std::vector<int64_t> results = BitfieldRead(*value ? (*value)->view() : std::string_view(), plan);
  ctx.reply.Array(results.size());
  for (int64_t result : results) ctx.reply.Integer(result);
}

void RunBitfield(CommandContext& ctx, const BitfieldPlan& plan) {
  auto value = ctx.db().StringForUpdate(ctx.args[1], (plan.highest_write_bit >> 3) + 1);
  if (!value) return ctx.reply.Error(value.status());
  std::vector<std::optional<int64_t>> results = BitfieldApply(*value, plan);
  // Each SET or INCRBY that was not refused by OVERFLOW FAIL is a change. A key created for
  // writes that all failed stays, unannounced and unpropagated, as in Redis.
  uint64_t changes = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    changes += plan.ops[i].opcode != BitfieldOpcode::kGet && results[i].has_value();
  }
  if (changes > 0) ctx.db().Changed(ctx.args[1], engine::kNotifyString, "setbit", changes);
  ctx.reply.Array(results.size());
  for (const std::optional<int64_t>& result : results) {
    result ? ctx.reply.Integer(*result) : ctx.reply.Null();
  }
}

void HandleBitfield(CommandContext& ctx) {
  auto plan = ParseBitfield(ctx.args.subspan(2), ctx.max_bulk_len);
  if (!plan) return ctx.reply.Error(plan.status());
  plan->read_only ? RunReadOnlyBitfield(ctx, *plan) : RunBitfield(ctx, *plan);
}

// Redis parses every subcommand before refusing a write, so a malformed one anywhere gets its
// own error rather than this command's.
void HandleBitfieldRo(CommandContext& ctx) {
  auto plan = ParseBitfield(ctx.args.subspan(2), ctx.max_bulk_len);
  if (!plan) return ctx.reply.Error(plan.status());
  if (!plan->read_only) return ctx.reply.Error(OpStatus::kBitfieldReadOnly);
  RunReadOnlyBitfield(ctx, *plan);
}

// BITFIELD only reads its key when every subcommand is a complete GET (OVERFLOW changes nothing
// by itself); anything else, a truncated GET included, counts as a write.
bool BitfieldKeys(std::span<const std::string_view> args, std::vector<KeyRef>& keys) {
  bool read_only = true;
  for (size_t i = 2; i < args.size() && read_only; ++i) {
    size_t remaining = args.size() - i - 1;
    if (EqualsIgnoreCase(args[i], "get") && remaining >= 2) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "overflow") && remaining >= 1) {
      i += 1;
    } else {
      read_only = false;
    }
  }
  keys.push_back({1, read_only ? kKsRO | kKsAccess : kKsRW | kKsAccess | kKsUpdate});
  return true;
}

constexpr ArgDoc kSetbitArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "offset", .type = ArgType::kInteger},
    {.name = "value", .type = ArgType::kInteger},
};
constexpr KeySpec kSetbitKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsUpdate,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kGetbitArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "offset", .type = ArgType::kInteger},
};
constexpr KeySpec kGetbitKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr HistoryEntry kBitcountHistory[] = {
    {"7.0.0", "Added the `BYTE|BIT` option."},
};
constexpr ArgDoc kBitcountIndexIndexUnitArgs[] = {
    {.name = "byte", .type = ArgType::kPureToken, .token = "BYTE"},
    {.name = "bit", .type = ArgType::kPureToken, .token = "BIT"},
};
constexpr ArgDoc kBitcountIndexArgs[] = {
    {.name = "start", .type = ArgType::kInteger},
    {.name = "end", .type = ArgType::kInteger},
    {.name = "index_unit",
     .type = ArgType::kOneOf,
     .since = "7.0.0",
     .flags = kArgOptional,
     .arguments = kBitcountIndexIndexUnitArgs},
};
constexpr ArgDoc kBitcountArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "index",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kBitcountIndexArgs},
};
constexpr KeySpec kBitcountKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr HistoryEntry kBitposHistory[] = {
    {"7.0.0", "Added the `BYTE|BIT` option."},
};
constexpr ArgDoc kBitposIndexEndIndexIndexUnitArgs[] = {
    {.name = "byte", .type = ArgType::kPureToken, .token = "BYTE"},
    {.name = "bit", .type = ArgType::kPureToken, .token = "BIT"},
};
constexpr ArgDoc kBitposIndexEndIndexArgs[] = {
    {.name = "end", .type = ArgType::kInteger},
    {.name = "index_unit",
     .type = ArgType::kOneOf,
     .since = "7.0.0",
     .flags = kArgOptional,
     .arguments = kBitposIndexEndIndexIndexUnitArgs},
};
constexpr ArgDoc kBitposIndexArgs[] = {
    {.name = "start", .type = ArgType::kInteger},
    {.name = "end_index",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kBitposIndexEndIndexArgs},
};
constexpr ArgDoc kBitposArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "bit", .type = ArgType::kInteger},
    {.name = "index",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kBitposIndexArgs},
};
constexpr KeySpec kBitposKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kBitopArgs[] = {
    {.name = "operation", .type = ArgType::kString},
    {.name = "destkey", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 1, .flags = kArgMultiple},
};
constexpr KeySpec kBitopKeySpecs[] = {
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(3), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr ArgDoc kBitfieldOperationEncodingOffsetArgs[] = {
    {.name = "encoding", .type = ArgType::kString},
    {.name = "offset", .type = ArgType::kInteger},
};
constexpr ArgDoc kBitfieldOperationWriteWrapSatFailArgs[] = {
    {.name = "wrap", .type = ArgType::kPureToken, .token = "WRAP"},
    {.name = "sat", .type = ArgType::kPureToken, .token = "SAT"},
    {.name = "fail", .type = ArgType::kPureToken, .token = "FAIL"},
};
constexpr ArgDoc kBitfieldOperationWriteWriteOperationEncodingOffsetValueArgs[] = {
    {.name = "encoding", .type = ArgType::kString},
    {.name = "offset", .type = ArgType::kInteger},
    {.name = "value", .type = ArgType::kInteger},
};
constexpr ArgDoc kBitfieldOperationWriteWriteOperationEncodingOffsetIncrementArgs[] = {
    {.name = "encoding", .type = ArgType::kString},
    {.name = "offset", .type = ArgType::kInteger},
    {.name = "increment", .type = ArgType::kInteger},
};
constexpr ArgDoc kBitfieldOperationWriteWriteOperationArgs[] = {
    {.name = "encoding_offset_value",
     .type = ArgType::kBlock,
     .token = "SET",
     .arguments = kBitfieldOperationWriteWriteOperationEncodingOffsetValueArgs},
    {.name = "encoding_offset_increment",
     .type = ArgType::kBlock,
     .token = "INCRBY",
     .arguments = kBitfieldOperationWriteWriteOperationEncodingOffsetIncrementArgs},
};
constexpr ArgDoc kBitfieldOperationWriteArgs[] = {
    {.name = "wrap_sat_fail",
     .type = ArgType::kOneOf,
     .token = "OVERFLOW",
     .flags = kArgOptional,
     .arguments = kBitfieldOperationWriteWrapSatFailArgs},
    {.name = "write_operation",
     .type = ArgType::kOneOf,
     .arguments = kBitfieldOperationWriteWriteOperationArgs},
};
constexpr ArgDoc kBitfieldOperationArgs[] = {
    {.name = "encoding_offset",
     .type = ArgType::kBlock,
     .token = "GET",
     .arguments = kBitfieldOperationEncodingOffsetArgs},
    {.name = "write", .type = ArgType::kBlock, .arguments = kBitfieldOperationWriteArgs},
};
constexpr ArgDoc kBitfieldArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "operation",
     .type = ArgType::kOneOf,
     .flags = kArgOptional | kArgMultiple,
     .arguments = kBitfieldOperationArgs},
};
constexpr KeySpec kBitfieldKeySpecs[] = {
    {.notes = "This command allows both access and modification of the key",
     .flags = kKsRW | kKsAccess | kKsUpdate | kKsVariableFlags,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kBitfieldRoEncodingOffsetArgs[] = {
    {.name = "encoding", .type = ArgType::kString},
    {.name = "offset", .type = ArgType::kInteger},
};
constexpr ArgDoc kBitfieldRoArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "encoding_offset",
     .type = ArgType::kBlock,
     .token = "GET",
     .flags = kArgOptional | kArgMultiple | kArgMultipleToken,
     .arguments = kBitfieldRoEncodingOffsetArgs},
};
constexpr KeySpec kBitfieldRoKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};

constexpr CommandSpec kBitmapCommands[] = {
    {.name = "setbit",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclBitmap | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandleSetBit,
     .doc = {.summary = "Sets or clears the bit at offset in the string value stored at key",
             .since = "2.2.0",
             .group = "bitmap",
             .complexity = "O(1)",
             .arguments = kSetbitArgs},
     .key_specs = kSetbitKeySpecs},
    {.name = "getbit",
     .arity = 3,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclBitmap | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandleGetBit,
     .doc = {.summary = "Returns the bit value at offset in the string value stored at key",
             .since = "2.2.0",
             .group = "bitmap",
             .complexity = "O(1)",
             .arguments = kGetbitArgs},
     .key_specs = kGetbitKeySpecs},
    {.name = "bitcount",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclBitmap | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandleBitCount,
     .doc = {.summary = "Count set bits in a string",
             .since = "2.6.0",
             .group = "bitmap",
             .complexity = "O(N)",
             .history = kBitcountHistory,
             .arguments = kBitcountArgs},
     .key_specs = kBitcountKeySpecs},
    {.name = "bitpos",
     .arity = -3,
     .flags = kReadOnly,
     .acl = kAclRead | kAclBitmap | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandleBitPos,
     .doc = {.summary = "Find first bit set or clear in a string",
             .since = "2.8.7",
             .group = "bitmap",
             .complexity = "O(N)",
             .history = kBitposHistory,
             .arguments = kBitposArgs},
     .key_specs = kBitposKeySpecs},
    {.name = "bitop",
     .arity = -4,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclBitmap | kAclSlow,
     .first_key = 2,
     .last_key = -1,
     .key_step = 1,
     .handler = &HandleBitOp,
     .doc = {.summary = "Perform bitwise operations between strings",
             .since = "2.6.0",
             .group = "bitmap",
             .complexity = "O(N)",
             .arguments = kBitopArgs},
     .key_specs = kBitopKeySpecs},
    {.name = "bitfield",
     .arity = -2,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclBitmap | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandleBitfield,
     .doc = {.summary = "Perform arbitrary bitfield integer operations on strings",
             .since = "3.2.0",
             .group = "bitmap",
             .complexity = "O(1) for each subcommand specified",
             .arguments = kBitfieldArgs},
     .key_specs = kBitfieldKeySpecs,
     .keys_fn = &BitfieldKeys},
    {.name = "bitfield_ro",
     .arity = -2,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclBitmap | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandleBitfieldRo,
     .doc = {.summary = "Perform arbitrary bitfield integer operations on strings. Read-only "
                        "variant of BITFIELD",
             .since = "6.0.0",
             .group = "bitmap",
             .complexity = "O(1) for each subcommand specified",
             .arguments = kBitfieldRoArgs},
     .key_specs = kBitfieldRoKeySpecs},
};

}  // namespace

std::span<const CommandSpec> BitmapCommands() { return kBitmapCommands; }

}  // namespace magnetar::commands
