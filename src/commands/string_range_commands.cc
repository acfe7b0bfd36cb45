// Parts of string values: APPEND, STRLEN, GETRANGE (and SUBSTR), SETRANGE and LCS.
#include <cstdint>
#include <string>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/lcs.h"
#include "magnetar/common/numbers.h"
#include "string_handlers.h"

namespace magnetar::commands::strings {
namespace {

using engine::Entry;
using engine::ValueType;

// APPEND and SETRANGE refuse to grow a string past proto-max-bulk-len.
constexpr std::string_view kTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

}  // namespace

void Append(CommandContext& ctx) {
  engine::Database& db = ctx.db();
  std::string_view key = ctx.args[1];
  std::string_view suffix = ctx.args[2];
  const Entry* entry = db.Lookup(key);
  if (entry == nullptr) {
    // A new key is stored like SET's value (an integer stays one).
    db.SetString(key, suffix);
    db.Changed(key, engine::kNotifyString, "append");
    return ctx.reply.Integer(static_cast<int64_t>(suffix.size()));
  }
  if (entry->type() != ValueType::kString) return ctx.reply.Error(OpStatus::kWrongType);
  const size_t old_length = entry->string().view().size();
  const uint64_t length = old_length + suffix.size();
  if (length > ctx.max_bulk_len) return ctx.reply.Error(kTooLong);
  // Edited in place with room to grow, so appending in small steps is amortized O(1).
  auto bytes = db.StringForUpdate(key, length);
  if (!bytes) return ctx.reply.Error(bytes.status());
  suffix.copy(bytes->data() + old_length, suffix.size());
  // Appending nothing still counts as a change, as in Redis.
  db.Changed(key, engine::kNotifyString, "append");
  ctx.reply.Integer(static_cast<int64_t>(length));
}

void StrLen(CommandContext& ctx) {
  const Entry* entry = ctx.db().LookupForRead(ctx.args[1]);
  if (entry == nullptr) return ctx.reply.Integer(0);
  if (entry->type() != ValueType::kString) return ctx.reply.Error(OpStatus::kWrongType);
  ctx.reply.Integer(static_cast<int64_t>(entry->string().view().size()));
}

void GetRange(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.args[2]);
  std::optional<int64_t> end = ParseInt64(ctx.args[3]);
  if (!start || !end) return ctx.reply.Error(OpStatus::kNotInteger);
  const Entry* entry = ctx.db().LookupForRead(ctx.args[1]);
  if (entry == nullptr) return ctx.reply.Bulk("");
  if (entry->type() != ValueType::kString) return ctx.reply.Error(OpStatus::kWrongType);
  engine::StringRef value = entry->string();
  std::string_view text = value.view();
  const int64_t length = static_cast<int64_t>(text.size());
  // Two negative indexes out of order select nothing, even where clamping would select the
  // first byte.
  if (*start < 0 && *end < 0 && *start > *end) return ctx.reply.Bulk("");
  int64_t from = *start < 0 ? std::max<int64_t>(length + *start, 0) : *start;
  int64_t to = *end < 0 ? std::max<int64_t>(length + *end, 0) : *end;
  to = std::min(to, length - 1);
  if (length == 0 || from > to) return ctx.reply.Bulk("");
  ctx.reply.Bulk(text.substr(static_cast<size_t>(from), static_cast<size_t>(to - from + 1)));
}

void SetRange(CommandContext& ctx) {
  std::optional<int64_t> offset = ParseInt64(ctx.args[2]);
  if (!offset) return ctx.reply.Error(OpStatus::kNotInteger);
  if (*offset < 0) return ctx.reply.Error("ERR offset is out of range");
  engine::Database& db = ctx.db();
  std::string_view key = ctx.args[1];
  std::string_view patch = ctx.args[3];
  const Entry* entry = db.Lookup(key);
  if (entry != nullptr && entry->type() != ValueType::kString) {
    return ctx.reply.Error(OpStatus::kWrongType);
  }
  // An empty patch changes nothing, and creates no key, whatever the offset.
  if (patch.empty()) {
    return ctx.reply.Integer(
        entry == nullptr ? 0 : static_cast<int64_t>(entry->string().view().size()));
  }
  const uint64_t end = static_cast<uint64_t>(*offset) + patch.size();
  if (end > ctx.max_bulk_len) return ctx.reply.Error(kTooLong);
  auto bytes = db.StringForUpdate(key, end);
  if (!bytes) return ctx.reply.Error(bytes.status());
  patch.copy(bytes->data() + *offset, patch.size());
  const auto length = static_cast<int64_t>(bytes->size());
  db.Changed(key, engine::kNotifyString, "setrange");
  ctx.reply.Integer(length);
}

void Lcs(CommandContext& ctx) {
  engine::Database& db = ctx.db();
  // The first value is copied: looking the second key up may expire it, which changes the
  // database and so ends the first entry's validity.
  std::string first;
  bool strings = true;
  if (const Entry* a = db.LookupForRead(ctx.args[1])) {
    strings = a->type() == ValueType::kString;
    if (strings) first = a->string().view();
  }
  const Entry* b = db.LookupForRead(ctx.args[2]);
  if (!strings || (b != nullptr && b->type() != ValueType::kString)) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  std::optional<engine::StringRef> second;
  if (b != nullptr) second = b->string();

  LcsOptions options;
  options.max_table_bytes = ctx.max_bulk_len;
  bool length_only = false;
  bool with_match_length = false;
  ArgParser parser(ctx.args, 3);
  while (parser.ok() && parser.HasNext()) {
    if (parser.NextIs("idx")) {
      options.output = LcsOutput::kMatches;
    } else if (parser.NextIs("len")) {
      length_only = true;
    } else if (parser.NextIs("withmatchlen")) {
      with_match_length = true;
    } else if (parser.remaining() >= 2 && parser.NextIs("minmatchlen")) {
      options.min_match_len = parser.NextInt64();
    } else {
      parser.Fail(OpStatus::kSyntaxError);
    }
  }
  if (!parser.ok()) return ctx.reply.Error(parser.status());
  if (length_only && options.output == LcsOutput::kMatches) {
    return ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
  }
  if (length_only) options.output = LcsOutput::kLength;

  auto result = commands::Lcs(first, second ? second->view() : std::string_view(), options);
  if (!result) return ctx.reply.Error(result.status());
  resp::ReplyBuilder& reply = ctx.reply;
  switch (options.output) {
    case LcsOutput::kSequence:
      return reply.Bulk(result->sequence);
    case LcsOutput::kLength:
      return reply.Integer(result->length);
    case LcsOutput::kMatches:
      break;
  }
  reply.Map(2);
  reply.Bulk("matches");
  reply.Array(result->matches.size());
  for (const LcsMatch& match : result->matches) {
    reply.Array(with_match_length ? 3 : 2);
    reply.Array(2);
    reply.Integer(match.a_start);
    reply.Integer(match.a_end);
    reply.Array(2);
    reply.Integer(match.b_start);
    reply.Integer(match.b_end);
    if (with_match_length) reply.Integer(match.length);
  }
  reply.Bulk("len");
  reply.Integer(result->length);
}

}  // namespace magnetar::commands::strings
