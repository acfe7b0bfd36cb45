// SORT and SORT_RO over lists, sets and sorted sets, as Redis 7.0 does them:
//
//  - the elements are copied out (a list in its order, a set or sorted set in its iteration
//    order), then ordered numerically (each element, or the value BY's pattern finds for it, read
//    with strtod; ties ordered by the elements' bytes) or with ALPHA by their text;
//  - BY with a pattern without '*' (BY nosort) skips the sort: a list or sorted set keeps its own
//    order, DESC reversing it and LIMIT taking a slice directly; a set is sorted ALPHA anyway when
//    the result is stored, so that what is stored does not depend on hash order;
//  - a pattern's first '*' is replaced by the element to name a key, whose string value is used,
//    or with "->field" after the '*', the field of the hash there; "#" is the element itself. A
//    key that is missing or of another type gives nothing: a null reply, "" when stored, the
//    lowest rank when sorting;
//  - STORE writes the result as a list (replacing the destination and its TTL, "sortstore"), or
//    deletes the destination when there is none ("del"); it propagates as sent.
//
// Elements compare as Redis's comparator does: ALPHA compares C strings (up to a NUL byte, as
// strcoll in the C locale) when replying and the full bytes when storing.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "list_handlers.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"
#include "partial_sort.h"

namespace magnetar::commands {
namespace {

using engine::ValueType;

// The value a pattern names for `element`, copied out; nothing when the key or field is missing
// or of another type.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  // Redis finds '#', '*' and "->" in the pattern read as a C string, but copies the rest of the
  // key and the field name by the pattern's full length.
  const std::string_view c_pattern = pattern.substr(0, pattern.find('\0'));
  if (c_pattern == "#") return std::string(element);
  const size_t star = c_pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  std::string_view suffix = pattern.substr(star + 1);
  const size_t arrow = c_pattern.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < c_pattern.size()) {
    field = pattern.substr(arrow + 2);
    suffix = pattern.substr(star + 1, arrow - star - 1);
  }
  std::string key(pattern.substr(0, star));
  key.append(element).append(suffix);
  const engine::Entry* entry = ctx.db().LookupForRead(key);
  if (entry == nullptr) return std::nullopt;
  if (field.empty()) {
    if (entry->type() != ValueType::kString) return std::nullopt;
    return std::string(entry->string().view());
  }
  if (entry->type() != ValueType::kHash) return std::nullopt;
  engine::HashBuffer buffer;
  std::optional<std::string_view> value =
      static_cast<engine::HashValue*>(entry->object())->Get(field, buffer);
  if (!value) return std::nullopt;
  return std::string(*value);
}

// strtod over the text up to its first NUL, as Redis reads a C string: leading spaces, hex and
// "" (0) pass; trailing bytes, NaN and out-of-range values do not.
std::optional<double> SortScore(std::string_view text) {
  std::string copy(text.substr(0, text.find('\0')));
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(copy.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(value)) return std::nullopt;
  return value;
}

// Bytes compared as memcmp, then by length.
int CompareBytes(std::string_view a, std::string_view b) {
  int order = a.compare(b);
  return (order > 0) - (order < 0);
}

// C strings compared up to the first NUL of each.
int CompareCStrings(std::string_view a, std::string_view b) {
  return CompareBytes(a.substr(0, a.find('\0')), b.substr(0, b.find('\0')));
}

struct Item {
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA BY: the pattern's value
};

struct SortOptions {
  bool desc = false, alpha = false, dont_sort = false;
  int64_t offset = 0, count = -1;
  std::optional<std::string_view> by, store;
  std::vector<std::string_view> gets;
};

// The elements of `value` (null: a missing key, an empty list). `first`/`length` select a slice
// in the list's or sorted set's order when `slice` (BY nosort), else everything is copied.
std::vector<Item> Elements(const engine::Entry* entry, bool slice, bool desc, size_t first,
                           size_t length) {
  std::vector<Item> items;
  if (entry == nullptr) return items;
  auto add = [&items](std::string_view text) { items.emplace_back().element = text; };
  switch (entry->type()) {
    case ValueType::kList: {
      const auto& list = *static_cast<const engine::ListValue*>(entry->object());
      if (!slice) {
        list.Walk(false, [&](size_t, std::string_view text) { return add(text), true; });
        break;
      }
      items.reserve(length);
      if (length == 0) break;
      size_t from = desc ? list.size() - 1 - first : first;
      list.Walk(desc, [&](size_t index, std::string_view text) {
        if (desc ? index > from : index < from) return true;
        add(text);
        return items.size() < length;
      });
      break;
    }
    case ValueType::kSet:
      static_cast<const engine::SetValue*>(entry->object())->ForEach(add);
      break;
    case ValueType::kZSet: {
      const auto& zset = *static_cast<const engine::ZSetValue*>(entry->object());
      if (!slice) {
        zset.Walk(0, false, [&](std::string_view member, double) { return add(member), true; });
        break;
      }
      if (length == 0) break;
      items.reserve(length);
      zset.Walk(desc ? zset.Size() - 1 - first : first, desc, [&](std::string_view member, double) {
        add(member);
        return items.size() < length;
      });
      break;
    }
    default:
      break;
  }
  return items;
}

// Options in Redis's order of checks; false after replying the error.
bool ParseOptions(CommandContext& ctx, bool read_only, SortOptions& options) {
  for (size_t at = 2; at < ctx.args.size(); ++at) {
    std::string_view arg = ctx.args[at];
    const size_t left = ctx.args.size() - at - 1;
    if (EqualsIgnoreCase(arg, "asc")) {
      options.desc = false;
    } else if (EqualsIgnoreCase(arg, "desc")) {
      options.desc = true;
    } else if (EqualsIgnoreCase(arg, "alpha")) {
      options.alpha = true;
    } else if (EqualsIgnoreCase(arg, "limit") && left >= 2) {
      std::optional<int64_t> offset = ParseInt64(ctx.args[at + 1]);
      std::optional<int64_t> count = offset ? ParseInt64(ctx.args[at + 2]) : std::nullopt;
      if (!count) {
        ctx.reply.Error(OpStatus::kNotInteger);
        return false;
      }
      options.offset = *offset;
      options.count = *count;
      at += 2;
    } else if (!read_only && EqualsIgnoreCase(arg, "store") && left >= 1) {
      options.store = ctx.args[++at];
    } else if (EqualsIgnoreCase(arg, "by") && left >= 1) {
      options.by = ctx.args[++at];
      // A pattern that names no key per element leaves the order as it is.
      const std::string_view c_pattern = options.by->substr(0, options.by->find('\0'));
      options.dont_sort = c_pattern.find('*') == std::string_view::npos;
    } else if (EqualsIgnoreCase(arg, "get") && left >= 1) {
      options.gets.push_back(ctx.args[++at]);
    } else {
      ctx.reply.Error(OpStatus::kSyntaxError);
      return false;
    }
  }
  return true;
}

void SortGeneric(CommandContext& ctx, bool read_only) {
  SortOptions options;
  if (!ParseOptions(ctx, read_only, options)) return;
  const engine::Entry* entry = ctx.db().LookupForRead(ctx.args[1]);
  if (entry != nullptr && entry->type() != ValueType::kList && entry->type() != ValueType::kSet &&
      entry->type() != ValueType::kZSet) {
    return ctx.reply.Error(OpStatus::kWrongType);
  }
  const ValueType type = entry != nullptr ? entry->type() : ValueType::kList;
  if (options.dont_sort && type == ValueType::kSet && options.store) {
    options.dont_sort = false;
    options.alpha = true;
    options.by.reset();
  }
  size_t size = 0;
  if (entry != nullptr) {
    if (type == ValueType::kList) {
      size = static_cast<const engine::ListValue*>(entry->object())->size();
    } else if (type == ValueType::kSet) {
      size = static_cast<const engine::SetValue*>(entry->object())->size();
    } else {
      size = static_cast<const engine::ZSetValue*>(entry->object())->Size();
    }
  }
  // LIMIT as Redis clamps it: [start, end] inclusive, end < start when nothing is left.
  const auto length = static_cast<int64_t>(size);
  int64_t start = std::max<int64_t>(options.offset, 0);
  int64_t end = options.count < 0 ? length - 1 : start + options.count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  const bool slice = options.dont_sort && type != ValueType::kSet;
  std::vector<Item> items = Elements(entry, slice, options.desc, static_cast<size_t>(start),
                                     end >= start ? static_cast<size_t>(end - start + 1) : 0);
  if (slice) {
    end -= start;
    start = 0;
  }

  bool conversion_error = false;
  if (!options.dont_sort) {
    for (Item& item : items) {
      std::optional<std::string> by;
      if (options.by) {
        by = LookupByPattern(ctx, *options.by, item.element);
        if (!by) continue;
      }
      if (options.alpha) {
        if (options.by) item.by = std::move(by);
        continue;
      }
      std::optional<double> score = SortScore(by ? *by : item.element);
      if (score) {
        item.score = *score;
      } else {
        conversion_error = true;
      }
    }
    const bool by_pattern = options.by.has_value();
    const bool store = options.store.has_value();
    auto compare = [&](const Item& a, const Item& b) {
      int order;
      if (!options.alpha) {
        order = a.score > b.score ? 1 : a.score < b.score ? -1 : CompareBytes(a.element, b.element);
      } else if (by_pattern) {
        if (!a.by || !b.by) {
          order = a.by.has_value() - b.by.has_value();
        } else {
          order = store ? CompareBytes(*a.by, *b.by) : CompareCStrings(*a.by, *b.by);
        }
      } else {
        order = store ? CompareBytes(a.element, b.element) : CompareCStrings(a.element, b.element);
      }
      return options.desc ? -order : order;
    };
    // Redis sorts all with glibc's qsort (a merge sort: stable), but only the LIMIT's ranks with
    // its partial quicksort when BY names keys; equal BY values then come out in its order.
    if (by_pattern && (start != 0 || end != static_cast<int64_t>(items.size()) - 1)) {
      PartialQuickSort(items, start, end, compare);
    } else {
      std::stable_sort(items.begin(), items.end(),
                       [&](const Item& a, const Item& b) { return compare(a, b) < 0; });
    }
  }

  if (conversion_error) {
    return ctx.reply.Error("ERR One or more scores can't be converted into double");
  }
  const size_t picked = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  const size_t output = options.gets.empty() ? picked : picked * options.gets.size();
  if (!options.store) {
    ctx.reply.Array(output);
    for (size_t i = 0; i < picked; ++i) {
      const std::string& element = items[static_cast<size_t>(start) + i].element;
      if (options.gets.empty()) ctx.reply.Bulk(element);
      for (std::string_view pattern : options.gets) {
        std::optional<std::string> value = LookupByPattern(ctx, pattern, element);
        value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
      }
    }
    return;
  }
  auto list = std::make_unique<engine::ListValue>();
  const int64_t fill = lists::Fill(ctx);
  for (size_t i = 0; i < picked; ++i) {
    const std::string& element = items[static_cast<size_t>(start) + i].element;
    if (options.gets.empty()) list->Push(engine::ListValue::End::kTail, element, fill);
    for (std::string_view pattern : options.gets) {
      std::optional<std::string> value = LookupByPattern(ctx, pattern, element);
      list->Push(engine::ListValue::End::kTail, value ? *value : std::string(), fill);
    }
  }
  engine::Database& db = ctx.db();
  if (output > 0) {
    db.SetObject(*options.store, ValueType::kList, std::move(list));
    db.Changed(*options.store, engine::kNotifyList, "sortstore", output);
  } else if (db.Delete(*options.store)) {
    db.Changed(*options.store, engine::kNotifyGeneric, "del");
  }
  ctx.reply.Integer(static_cast<int64_t>(output));
}

void Sort(CommandContext& ctx) { SortGeneric(ctx, false); }
void SortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

// COMMAND GETKEYS: the sorted key, and the last STORE's destination, skipping the arguments of
// LIMIT, GET and BY as Redis's sortGetKeys does.
bool SortKeys(std::span<const std::string_view> args, std::vector<KeyRef>& keys) {
  keys.push_back({1, kKsRO | kKsAccess});
  std::optional<size_t> store;
  for (size_t i = 2; i < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "get") || EqualsIgnoreCase(args[i], "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(args[i], "store") && i + 1 < args.size()) {
      store = i + 1;
    }
  }
  if (store) keys.push_back({*store, kKsOW | kKsUpdate});
  return true;
}

bool SortRoKeys(std::span<const std::string_view>, std::vector<KeyRef>& keys) {
  keys.push_back({1, kKsRO | kKsAccess});
  return true;
}

constexpr ArgDoc kLimitArgs[] = {
    {.name = "offset", .type = ArgType::kInteger},
    {.name = "count", .type = ArgType::kInteger},
};
constexpr ArgDoc kOrderArgs[] = {
    {.name = "asc", .type = ArgType::kPureToken, .token = "ASC"},
    {.name = "desc", .type = ArgType::kPureToken, .token = "DESC"},
};
constexpr ArgDoc kSortArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "pattern",
     .type = ArgType::kPattern,
     .key_spec_index = 1,
     .token = "BY",
     .flags = kArgOptional},
    {.name = "offset_count",
     .type = ArgType::kBlock,
     .token = "LIMIT",
     .flags = kArgOptional,
     .arguments = kLimitArgs},
    {.name = "pattern",
     .type = ArgType::kPattern,
     .key_spec_index = 1,
     .token = "GET",
     .flags = kArgOptional | kArgMultiple | kArgMultipleToken},
    {.name = "order", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kOrderArgs},
    {.name = "sorting", .type = ArgType::kPureToken, .token = "ALPHA", .flags = kArgOptional},
    {.name = "destination",
     .type = ArgType::kKey,
     .key_spec_index = 2,
     .token = "STORE",
     .flags = kArgOptional},
};
// SORT_RO takes SORT's arguments and key specs without STORE, the last of each.
constexpr KeySpec kSortKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names "
              "derive from the content of the key we sort",
     .flags = kKsRO | kKsAccess},
    {.notes = "For the optional STORE keyword. It is marked 'unknown' because the keyword can "
              "appear anywhere in the argument array",
     .flags = kKsOW | kKsUpdate},
};
constexpr CommandSpec kSortCommands[] = {
    {.name = "sort",
     .arity = -2,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .acl = kAclWrite | kAclSet | kAclSortedSet | kAclList | kAclSlow | kAclDangerous,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &Sort,
     .doc = {.summary = "Sort the elements in a list, set or sorted set",
             .since = "1.0.0",
             .group = "generic",
             .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to "
                           "sort, and M the number of returned elements. When the elements are not "
                           "sorted, complexity is O(N).",
             .arguments = kSortArgs},
     .key_specs = kSortKeySpecs,
     .keys_fn = &SortKeys},
    {.name = "sort_ro",
     .arity = -2,
     .flags = kReadOnly | kMovableKeys,
     .acl = kAclRead | kAclSet | kAclSortedSet | kAclList | kAclSlow | kAclDangerous,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SortRo,
     .doc = {.summary =
                 "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
             .since = "7.0.0",
             .group = "generic",
             .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to "
                           "sort, and M the number of returned elements. When the elements are not "
                           "sorted, complexity is O(N).",
             .arguments = std::span(kSortArgs).first(std::size(kSortArgs) - 1)},
     .key_specs = std::span(kSortKeySpecs).first(std::size(kSortKeySpecs) - 1),
     .keys_fn = &SortRoKeys},
};

}  // namespace

std::span<const CommandSpec> SortCommands() { return kSortCommands; }

}  // namespace magnetar::commands
