// The list commands that work on one list: pushes, pops, reads by index and
// range, LINSERT, LREM, LTRIM and LPOS, with the steps the move commands share.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "list_handlers.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"

namespace magnetar::commands::lists {

using engine::kNotifyGeneric;
using engine::kNotifyList;
using engine::ValueType;
using End = ListValue::End;

Result<ListValue*> FindList(CommandContext& ctx, std::string_view key, bool read) {
  engine::Database& db = ctx.db();
  const engine::Entry* entry = read ? db.LookupForRead(key) : db.Lookup(key);
  if (entry == nullptr) return static_cast<ListValue*>(nullptr);
  if (entry->type() != ValueType::kList) return OpStatus::kWrongType;
  return static_cast<ListValue*>(entry->object());
}

ListValue* ListForPush(CommandContext& ctx, std::string_view key) {
  engine::Database& db = ctx.db();
  if (const engine::Entry* entry = db.Lookup(key)) {
    return static_cast<ListValue*>(entry->object());
  }
  auto list = std::make_unique<ListValue>();
  ListValue* raw = list.get();
  db.SetObject(key, ValueType::kList, std::move(list));
  return raw;
}

int64_t Fill(const CommandContext& ctx) {
  return ctx.keyspace.encoding_limits().list_max_listpack_size;
}

std::string_view PopEvent(End end) { return end == End::kHead ? "lpop" : "rpop"; }
std::string_view PushEvent(End end) { return end == End::kHead ? "lpush" : "rpush"; }

namespace {

// After `count` elements of the list at `key` went by `event`: raises it, with `count` changes,
// and once the list is empty deletes the key and raises "del".
void AfterRemoval(CommandContext& ctx, std::string_view key, const ListValue& list,
                  std::string_view event, size_t count) {
  engine::Database& db = ctx.db();
  db.Changed(key, kNotifyList, event, count);
  if (!list.empty()) return;
  db.Delete(key);
  db.Notify(kNotifyGeneric, "del", key);
}

// LRANGE's and LTRIM's `start` and `stop` (negative ones count from the end) clamped to a list
// of `size` elements: the first and last index in range, or nullopt when none is.
std::optional<std::pair<size_t, size_t>> ClampRange(int64_t start, int64_t stop, size_t size) {
  const auto length = static_cast<int64_t>(size);
  int64_t from = start < 0 ? std::max<int64_t>(start + length, 0) : start;
  int64_t to = stop < 0 ? stop + length : std::min(stop, length - 1);
  if (from > to || from >= length) return std::nullopt;
  return std::pair(static_cast<size_t>(from), static_cast<size_t>(to));
}

}  // namespace

void AfterPop(CommandContext& ctx, std::string_view key, ListValue& list, End end, size_t count) {
  AfterRemoval(ctx, key, list, PopEvent(end), count);
}

size_t PopAndReply(CommandContext& ctx, std::string_view key, ListValue& list, End end,
                   int64_t count) {
  size_t n = std::min(list.size(), static_cast<size_t>(count));
  ctx.reply.Array(n);
  std::string element;
  for (size_t i = 0; i < n; ++i) {
    element.clear();
    list.Pop(end, element);
    ctx.reply.Bulk(element);
  }
  AfterPop(ctx, key, list, end, n);
  return n;
}

bool ParseEnd(std::string_view text, End& end) {
  if (EqualsIgnoreCase(text, "left")) {
    end = End::kHead;
  } else if (EqualsIgnoreCase(text, "right")) {
    end = End::kTail;
  } else {
    return false;
  }
  return true;
}

namespace {

// LPUSH, RPUSH and (with `only_existing`) their X forms. The event is raised
// once for all the elements, each counting as a change, as in Redis.
void Push(CommandContext& ctx, End end, bool only_existing) {
  std::string_view key = ctx.args[1];
  auto found = FindList(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr && only_existing) return ctx.reply.Integer(0);
  ListValue* list = *found != nullptr ? *found : ListForPush(ctx, key);
  const int64_t fill = Fill(ctx);
  for (size_t i = 2; i < ctx.args.size(); ++i) list->Push(end, ctx.args[i], fill);
  ctx.db().Changed(key, kNotifyList, PushEvent(end), ctx.args.size() - 2);
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
}

// LPOP and RPOP: without a count, one element or a null; with one, an array (a
// null array for a missing key, as Redis 7.0).
void Pop(CommandContext& ctx, End end) {
  std::string_view key = ctx.args[1];
  std::optional<int64_t> count;
  if (ctx.args.size() > 3) {
    std::string text = "ERR wrong number of arguments for '";
    text.append(end == End::kHead ? "lpop" : "rpop").append("' command");
    return ctx.reply.Error(text);
  }
  if (ctx.args.size() == 3) {
    count = ParseInt64(ctx.args[2]);
    if (!count || *count < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
  }
  auto found = FindList(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  ListValue* list = *found;
  if (list == nullptr) return count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (!count) {
    std::string element;
    list->Pop(end, element);
    ctx.reply.Bulk(element);
    return AfterPop(ctx, key, *list, end, 1);
  }
  if (*count == 0) return ctx.reply.Array(0);
  PopAndReply(ctx, key, *list, end, *count);
}

// Reads an index argument; replies the error and returns nullopt when it is no
// integer.
std::optional<int64_t> IndexArg(CommandContext& ctx, size_t at) {
  std::optional<int64_t> value = ParseInt64(ctx.args[at]);
  if (!value) ctx.reply.Error(OpStatus::kNotInteger);
  return value;
}

}  // namespace

void LPush(CommandContext& ctx) { Push(ctx, End::kHead, false); }
void RPush(CommandContext& ctx) { Push(ctx, End::kTail, false); }
void LPushX(CommandContext& ctx) { Push(ctx, End::kHead, true); }
void RPushX(CommandContext& ctx) { Push(ctx, End::kTail, true); }
void LPop(CommandContext& ctx) { Pop(ctx, End::kHead); }
void RPop(CommandContext& ctx) { Pop(ctx, End::kTail); }

void LLen(CommandContext& ctx) {
  auto found = FindList(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Integer(*found == nullptr ? 0 : static_cast<int64_t>((*found)->size()));
}

void LIndex(CommandContext& ctx) {
  auto found = FindList(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Null();
  std::optional<int64_t> index = IndexArg(ctx, 2);
  if (!index) return;
  std::string_view value;
  std::string scratch;
  if (!(*found)->Get(*index, value, scratch)) return ctx.reply.Null();
  ctx.reply.Bulk(value);
}

void LSet(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto found = FindList(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Error(OpStatus::kNoSuchKey);
  std::optional<int64_t> index = IndexArg(ctx, 2);
  if (!index) return;
  if (!(*found)->Set(*index, ctx.args[3], Fill(ctx))) {
    return ctx.reply.Error(OpStatus::kOutOfRange);
  }
  ctx.db().Changed(key, kNotifyList, "lset");
  ctx.reply.Ok();
}

void LRange(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.args[2]);
  std::optional<int64_t> stop = ParseInt64(ctx.args[3]);
  if (!start || !stop) return ctx.reply.Error(OpStatus::kNotInteger);
  auto found = FindList(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Array(0);
  const ListValue& list = **found;
  auto range = ClampRange(*start, *stop, list.size());
  if (!range) return ctx.reply.Array(0);
  const auto [from, to] = *range;
  ctx.reply.Array(to - from + 1);
  char digits[kMaxInt64Chars];
  list.ForRange(from, to, [&](const engine::ListpackElement& element) {
    ctx.reply.Bulk(element.Text(digits));
  });
}

void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "before")) {
    after = false;
  } else {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  std::string_view key = ctx.args[1];
  auto found = FindList(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Integer(0);
  ListValue& list = **found;
  if (!list.Insert(ctx.args[3], ctx.args[4], after, Fill(ctx))) return ctx.reply.Integer(-1);
  ctx.db().Changed(key, kNotifyList, "linsert");
  ctx.reply.Integer(static_cast<int64_t>(list.size()));
}

void LRem(CommandContext& ctx) {
  std::optional<int64_t> count = IndexArg(ctx, 2);
  if (!count) return;
  std::string_view key = ctx.args[1];
  auto found = FindList(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Integer(0);
  ListValue& list = **found;
  size_t removed = list.Remove(ctx.args[3], *count, Fill(ctx));
  if (removed > 0) AfterRemoval(ctx, key, list, "lrem", removed);
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void LTrim(CommandContext& ctx) {
  std::optional<int64_t> start = ParseInt64(ctx.args[2]);
  std::optional<int64_t> stop = ParseInt64(ctx.args[3]);
  if (!start || !stop) return ctx.reply.Error(OpStatus::kNotInteger);
  std::string_view key = ctx.args[1];
  auto found = FindList(ctx, key, false);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Ok();
  ListValue& list = **found;
  auto range = ClampRange(*start, *stop, list.size());
  size_t removed = range ? list.Trim(range->first, range->second) : list.Trim(1, 0);
  // Redis raises "ltrim" even when nothing went; only removed elements count as changes.
  AfterRemoval(ctx, key, list, "ltrim", removed);
  ctx.reply.Ok();
}

void LPos(CommandContext& ctx) {
  int64_t rank = 1;
  std::optional<int64_t> count;
  int64_t maxlen = 0;
  for (size_t i = 3; i < ctx.args.size(); i += 2) {
    std::string_view option = ctx.args[i];
    if (i + 1 >= ctx.args.size()) return ctx.reply.Error(OpStatus::kSyntaxError);
    std::optional<int64_t> value = ParseInt64(ctx.args[i + 1]);
    bool is_rank = EqualsIgnoreCase(option, "rank");
    bool is_count = EqualsIgnoreCase(option, "count");
    bool is_maxlen = EqualsIgnoreCase(option, "maxlen");
    if (!is_rank && !is_count && !is_maxlen) return ctx.reply.Error(OpStatus::kSyntaxError);
    if (is_rank) {
      if (!value) return ctx.reply.Error(OpStatus::kNotInteger);
      if (*value == 0) {
        return ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 "
            "from the second ... "
            "or use negative to start from the end of the list");
      }
      rank = *value;
    } else if (is_count) {
      // Redis reads COUNT and MAXLEN as non-negative numbers, with one error for text that is no
      // number and for a negative one.
      if (!value || *value < 0) return ctx.reply.Error("ERR COUNT can't be negative");
      count = *value;
    } else {
      if (!value || *value < 0) return ctx.reply.Error("ERR MAXLEN can't be negative");
      maxlen = *value;
    }
  }
  auto found = FindList(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return count ? ctx.reply.Array(0) : ctx.reply.Null();
  const bool reverse = rank < 0;
  // Matches to skip before the first one reported. Redis negates a negative rank, which leaves
  // INT64_MIN negative, so that rank takes the first match from the tail.
  uint64_t skip = 0;
  if (rank > 0) {
    skip = static_cast<uint64_t>(rank) - 1;
  } else if (rank != std::numeric_limits<int64_t>::min()) {
    skip = static_cast<uint64_t>(-rank) - 1;
  }
  const uint64_t wanted = count ? (*count == 0 ? UINT64_MAX : static_cast<uint64_t>(*count)) : 1;
  std::vector<int64_t> matches;
  uint64_t scanned = 0;
  std::string_view needle = ctx.args[2];
  (*found)->Walk(reverse, [&](size_t index, std::string_view element) {
    if (maxlen != 0 && scanned++ >= static_cast<uint64_t>(maxlen)) return false;
    if (element != needle) return true;
    if (skip > 0) {
      --skip;
      return true;
    }
    matches.push_back(static_cast<int64_t>(index));
    return matches.size() < wanted;
  });
  if (!count) return matches.empty() ? ctx.reply.Null() : ctx.reply.Integer(matches[0]);
  ctx.reply.Array(matches.size());
  for (int64_t index : matches) ctx.reply.Integer(index);
}

}  // namespace magnetar::commands::lists
