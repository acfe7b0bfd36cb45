// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST, over string values in
// Redis's HLL format (hyperloglog.h).
//
// The lookups are Redis's: PFADD, PFMERGE's destination and PFDEBUG look their key up as a write
// (no keyspace hit or miss), PFCOUNT and PFMERGE's sources as a read. A dense HLL is edited in
// place (Database::StringForUpdate), so an add does not copy its 12 KB; a sparse one, at most
// hll-sparse-max-bytes long, is edited in a copy that replaces the value, keeping the deadline,
// since an edit may shrink it.
//
// PFCOUNT of one key stores the count it computed in the string's cache: that is a change of the
// value (counted dirty, so it propagates, and WATCH sees it) but raises no event, as in Redis.
// PFDEBUG GETREG and TODENSE convert a sparse HLL to dense, counted dirty only, again as Redis.
#include <optional>
#include <string>
#include <string_view>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/commands/families.h"
#include "magnetar/commands/hyperloglog.h"

namespace magnetar::commands {
namespace {

using engine::Entry;
using engine::TtlUpdate;

// The HLL held by `entry`: kWrongType for another type, kNotHll for a string that is no HLL. The
// view lives until the database changes.
Result<std::string_view> HllOf(const Entry& entry) {
  if (entry.type() != engine::ValueType::kString) return OpStatus::kWrongType;
  // An integer-encoded value cannot start with the magic.
  if (entry.encoding() == engine::Encoding::kInteger) return OpStatus::kNotHll;
  std::string_view bytes = entry.string().view();
  if (!hll::IsHll(bytes)) return OpStatus::kNotHll;
  return bytes;
}

uint64_t SparseMaxBytes(const CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.keyspace.encoding_limits().hll_sparse_max_bytes);
}

void HandlePfAdd(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  std::span<const std::string_view> elements = ctx.args.subspan(2);
  engine::Database& db = ctx.db();
  const Entry* entry = db.Lookup(key);
  uint64_t updated = 0;
  if (entry == nullptr) {
    // Creating the key counts as one change, and each register raised as another, as in Redis.
    std::string hll = hll::CreateSparse();
    updated = 1;
    for (std::string_view element : elements) {
      updated += hll::Add(hll, element, SparseMaxBytes(ctx)) == hll::AddResult::kChanged;
    }
    hll::InvalidateCache(hll);
    db.SetString(key, hll);
    db.Changed(key, engine::kNotifyString, "pfadd", updated);
    return ctx.reply.Integer(1);
  }
  auto current = HllOf(*entry);
  if (!current) return ctx.reply.Error(current.status());
  if (hll::EncodingOf(*current) == hll::Encoding::kDense) {
    auto bytes = db.StringForUpdate(key, 0);
    for (std::string_view element : elements) updated += hll::AddDense(*bytes, element);
    if (updated > 0) hll::InvalidateCache(*bytes);
  } else {
    std::string hll(*current);
    for (std::string_view element : elements) {
      hll::AddResult result = hll::Add(hll, element, SparseMaxBytes(ctx));
      if (result == hll::AddResult::kCorrupt) {
        // Redis edits the value in place, so registers raised before the corrupt part stay,
        // with the cache marked invalid by each sparse edit, though the command reports an
        // error and counts no change.
        if (updated > 0) {
          hll::InvalidateCache(hll);
          db.SetString(key, hll, TtlUpdate::Keep());
        }
        return ctx.reply.Error(OpStatus::kCorruptHll);
      }
      updated += result == hll::AddResult::kChanged;
    }
    if (updated > 0) {
      hll::InvalidateCache(hll);
      db.SetString(key, hll, TtlUpdate::Keep());
    }
  }
  if (updated > 0) db.Changed(key, engine::kNotifyString, "pfadd", updated);
  ctx.reply.Integer(updated > 0 ? 1 : 0);
}

// Several keys: the registers' maxima in a temporary, nothing written.
void CountUnion(CommandContext& ctx) {
  hll::Registers max{};
  for (std::string_view key : ctx.args.subspan(1)) {
    const Entry* entry = ctx.db().LookupForRead(key);
    if (entry == nullptr) continue;
    auto hll = HllOf(*entry);
    if (!hll) return ctx.reply.Error(hll.status());
    if (!hll::MergeInto(*hll, max)) return ctx.reply.Error(OpStatus::kCorruptHll);
  }
  ctx.reply.Integer(static_cast<int64_t>(hll::Count(max)));
}

void HandlePfCount(CommandContext& ctx) {
  if (ctx.args.size() > 2) return CountUnion(ctx);
  std::string_view key = ctx.args[1];
  const Entry* entry = ctx.db().LookupForRead(key);
  if (entry == nullptr) return ctx.reply.Integer(0);
  auto hll = HllOf(*entry);
  if (!hll) return ctx.reply.Error(hll.status());
  if (std::optional<uint64_t> cached = hll::CachedCount(*hll)) {
    return ctx.reply.Integer(static_cast<int64_t>(*cached));
  }
  std::optional<uint64_t> count = hll::Count(*hll);
  if (!count) return ctx.reply.Error(OpStatus::kCorruptHll);
  hll::StoreCount(*ctx.db().StringForUpdate(key, 0), *count);
  ctx.db().Changed(key, 0, {});  // no event class: the cache write raises none
  ctx.reply.Integer(static_cast<int64_t>(*count));
}

// Every key, the destination included, is merged; the result is dense when any input was.
void HandlePfMerge(CommandContext& ctx) {
  hll::Registers max{};
  bool any_dense = false;
  for (std::string_view key : ctx.args.subspan(1)) {
    const Entry* entry = ctx.db().LookupForRead(key);
    if (entry == nullptr) continue;
    auto hll = HllOf(*entry);
    if (!hll) return ctx.reply.Error(hll.status());
    any_dense |= hll::EncodingOf(*hll) == hll::Encoding::kDense;
    if (!hll::MergeInto(*hll, max)) return ctx.reply.Error(OpStatus::kCorruptHll);
  }
  std::string_view destination = ctx.args[1];
  const Entry* entry = ctx.db().Lookup(destination);
  std::string hll = entry ? std::string(entry->string().view()) : hll::CreateSparse();
  if (any_dense && !hll::ToDense(hll)) return ctx.reply.Error(OpStatus::kCorruptHll);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) hll::SetRegister(hll, i, max[i], SparseMaxBytes(ctx));
  }
  hll::InvalidateCache(hll);
  ctx.db().SetString(destination, hll, TtlUpdate::Keep());
  // Redis raises "pfadd" here too: a merge is a mass add.
  ctx.db().Changed(destination, engine::kNotifyString, "pfadd");
  ctx.reply.Ok();
}

// PFDEBUG GETREG and TODENSE: converts a sparse HLL to dense. Redis counts the conversion dirty
// so that it propagates, without telling WATCH. False after replying with the error.
bool DebugToDense(CommandContext& ctx, std::string_view hll, bool* converted) {
  *converted = hll::EncodingOf(hll) == hll::Encoding::kSparse;
  if (!*converted) return true;
  std::string dense(hll);
  if (!hll::ToDense(dense)) {
    ctx.reply.Error(OpStatus::kCorruptHll);
    return false;
  }
  std::string_view key = ctx.args[2];
  ctx.db().SetString(key, dense, TtlUpdate::Keep());
  ctx.keyspace.AddDirty(1);
  return true;
}

void HandlePfDebug(CommandContext& ctx) {
  std::string_view subcommand = ctx.args[1];
  std::string_view key = ctx.args[2];
  const Entry* entry = ctx.db().Lookup(key);
  if (entry == nullptr) return ctx.reply.Error("ERR The specified key does not exist");
  auto hll = HllOf(*entry);
  if (!hll) return ctx.reply.Error(hll.status());
  bool converted = false;
  if (EqualsIgnoreCase(subcommand, "getreg")) {
    if (!DebugToDense(ctx, *hll, &converted)) return;
    std::string_view dense = ctx.db().Lookup(key)->string().view();
    ctx.reply.Array(hll::kRegisters);
    for (uint32_t i = 0; i < hll::kRegisters; ++i) ctx.reply.Integer(hll::DenseRegister(dense, i));
  } else if (EqualsIgnoreCase(subcommand, "decode")) {
    if (hll::EncodingOf(*hll) != hll::Encoding::kSparse) {
      return ctx.reply.Error("ERR HLL encoding is not sparse");
    }
    ctx.reply.Bulk(hll::Decode(*hll));
  } else if (EqualsIgnoreCase(subcommand, "encoding")) {
    ctx.reply.SimpleString(hll::EncodingOf(*hll) == hll::Encoding::kDense ? "dense" : "sparse");
  } else if (EqualsIgnoreCase(subcommand, "todense")) {
    if (!DebugToDense(ctx, *hll, &converted)) return;
    ctx.reply.Integer(converted ? 1 : 0);
  } else {
    ctx.reply.Error("ERR Unknown PFDEBUG subcommand '" + std::string(subcommand) + "'");
  }
}

void HandlePfSelfTest(CommandContext& ctx) {
  std::optional<std::string> failure = hll::SelfTest();
  failure ? ctx.reply.Error(*failure) : ctx.reply.Ok();
}

constexpr ArgDoc kPfaddArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "element", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};
constexpr KeySpec kPfaddKeySpecs[] = {
    {.flags = kKsRW | kKsInsert, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kPfcountArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
};
constexpr KeySpec kPfcountKeySpecs[] = {
    {.notes = "RW because it may change the internal representation of the key, and propagate to "
              "replicas",
     .flags = kKsRW | kKsAccess,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(-1, 1, 0)},
};
constexpr ArgDoc kPfmergeArgs[] = {
    {.name = "destkey", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "sourcekey", .type = ArgType::kKey, .key_spec_index = 1, .flags = kArgMultiple},
};
constexpr KeySpec kPfmergeKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsInsert,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr ArgDoc kPfdebugArgs[] = {
    {.name = "subcommand", .type = ArgType::kString},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kPfdebugKeySpecs[] = {
    {.flags = kKsRW | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};

constexpr CommandSpec kHyperLogLogCommands[] = {
    {.name = "pfadd",
     .arity = -2,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclHyperLogLog | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &HandlePfAdd,
     .doc = {.summary = "Adds the specified elements to the specified HyperLogLog.",
             .since = "2.8.9",
             .group = "hyperloglog",
             .complexity = "O(1) to add every element.",
             .arguments = kPfaddArgs},
     .key_specs = kPfaddKeySpecs},
    {.name = "pfcount",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclHyperLogLog | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &HandlePfCount,
     .doc = {.summary = "Return the approximated cardinality of the set(s) observed by the "
                        "HyperLogLog at key(s).",
             .since = "2.8.9",
             .group = "hyperloglog",
             .complexity = "O(1) with a very small average constant time when called with a "
                           "single key. O(N) with N being the number of keys, and much bigger "
                           "constant times, when called with multiple keys.",
             .arguments = kPfcountArgs},
     .key_specs = kPfcountKeySpecs},
    {.name = "pfmerge",
     .arity = -2,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclHyperLogLog | kAclSlow,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &HandlePfMerge,
     .doc = {.summary = "Merge N different HyperLogLogs into a single one.",
             .since = "2.8.9",
             .group = "hyperloglog",
             .complexity = "O(N) to merge N HyperLogLogs, but with high constant times.",
             .arguments = kPfmergeArgs},
     .key_specs = kPfmergeKeySpecs},
    {.name = "pfdebug",
     .arity = 3,
     .flags = kWrite | kDenyOom | kAdmin,
     .acl = kAclWrite | kAclHyperLogLog | kAclAdmin | kAclSlow | kAclDangerous,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = &HandlePfDebug,
     .doc = {.summary = "Internal commands for debugging HyperLogLog values",
             .since = "2.8.9",
             .group = "hyperloglog",
             .complexity = "N/A",
             .syscmd = true,
             .arguments = kPfdebugArgs},
     .key_specs = kPfdebugKeySpecs},
    {.name = "pfselftest",
     .arity = 1,
     .flags = kAdmin,
     .acl = kAclHyperLogLog | kAclAdmin | kAclSlow | kAclDangerous,
     .handler = &HandlePfSelfTest,
     .doc = {.summary = "An internal command for testing HyperLogLog values",
             .since = "2.8.9",
             .group = "hyperloglog",
             .complexity = "N/A",
             .syscmd = true}},
};

}  // namespace

std::span<const CommandSpec> HyperLogLogCommands() { return kHyperLogLogCommands; }

}  // namespace magnetar::commands
