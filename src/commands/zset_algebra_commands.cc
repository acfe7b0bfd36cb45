// The sorted-set family's commands across several sets: ZUNION, ZINTER, ZDIFF, their STORE forms
// and ZINTERCARD. Plain sets count as sorted sets whose members all score 1, as in Redis.
//
// Arguments are read in Redis 7.0's order, which decides which error a bad command gets: numkeys,
// then every key is looked up (as a read, by the STORE forms too, so a missing one raises
// "keymiss") and type-checked, then the options. Scores are combined as Redis combines them, in
// the same order, so that sums of three or more sets round alike: each input's score times its
// weight (a NaN product, from an infinite score and a weight of 0, counts as 0 for the first set
// an intersection walks and for every set of a union), folded with SUM (where inf + -inf gives 0),
// MIN or MAX. A result is replied, or stored, in (score, member) order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/set_value.h"
#include "zset_handlers.h"

namespace magnetar::commands {
namespace {

using engine::SetValue;
using engine::ZSetValue;
using zsets::Elements;

// One input: a sorted set, a plain set, or neither for a missing key (the empty set).
struct Source {
  ZSetValue* zset = nullptr;
  SetValue* set = nullptr;
  double weight = 1;

  size_t Size() const {
    if (zset != nullptr) return zset->Size();
    return set != nullptr ? set->size() : 0;
  }
  // The member's score in this input (weight not applied), or nothing.
  std::optional<double> Find(std::string_view member) const {
    if (zset != nullptr) return zset->Score(member);
    if (set != nullptr && set->Contains(member)) return 1.0;
    return std::nullopt;
  }
  // Copies the elements out, so that no input is probed while one is walked (a lookup may step a
  // table resize, and one key can be named twice).
  Elements Copy() const {
    Elements elements;
    elements.reserve(Size());
    if (zset != nullptr) {
      zset->Walk(0, false, [&elements](std::string_view member, double score) {
        elements.emplace_back(member, score);
        return true;
      });
    } else if (set != nullptr) {
      set->ForEach([&elements](std::string_view member) { elements.emplace_back(member, 1.0); });
    }
    return elements;
  }
};

enum class Operation : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };
// What the command does with the result.
enum class Output : uint8_t { kReply, kStore, kCardinality };

struct Request {
  std::vector<Source> sources;
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
  uint64_t limit = 0;  // ZINTERCARD: stop counting there; 0 counts all
};

void Fold(double& target, double value, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      target += value;
      if (std::isnan(target)) target = 0;
      break;
    case Aggregate::kMin:
      if (value < target) target = value;
      break;
    case Aggregate::kMax:
      if (value > target) target = value;
      break;
  }
}

// A score times its weight, with NaN (inf * 0) counted as 0.
double Weighted(double score, double weight) {
  double value = score * weight;
  return std::isnan(value) ? 0 : value;
}

// Reads numkeys at `numkeys_at`, the keys after it and the options after them; replies the error
// and returns nothing when the command is wrong. `name` is the command's, for numkeys' error.
std::optional<Request> ParseRequest(CommandContext& ctx, size_t numkeys_at, std::string_view name,
                                    Operation operation, Output output) {
  std::optional<int64_t> numkeys = ParseInt64(ctx.args[numkeys_at]);
  if (!numkeys) {
    ctx.reply.Error(OpStatus::kNotInteger);
    return std::nullopt;
  }
  if (*numkeys < 1) {
    ctx.reply.Error("ERR at least 1 input key is needed for '" + std::string(name) + "' command");
    return std::nullopt;
  }
  const size_t first_key = numkeys_at + 1;
  if (static_cast<uint64_t>(*numkeys) > ctx.args.size() - first_key) {
    ctx.reply.Error(OpStatus::kSyntaxError);
    return std::nullopt;
  }
  Request request;
  const auto keys = static_cast<size_t>(*numkeys);
  request.sources.resize(keys);
  for (size_t i = 0; i < keys; ++i) {
    const engine::Entry* entry = ctx.db().LookupForRead(ctx.args[first_key + i]);
    if (entry == nullptr) continue;
    if (entry->type() == engine::ValueType::kZSet) {
      request.sources[i].zset = static_cast<ZSetValue*>(entry->object());
    } else if (entry->type() == engine::ValueType::kSet) {
      request.sources[i].set = static_cast<SetValue*>(entry->object());
    } else {
      ctx.reply.Error(OpStatus::kWrongType);
      return std::nullopt;
    }
  }
  const bool weighs = operation != Operation::kDiff && output != Output::kCardinality;
  for (size_t at = first_key + keys; at < ctx.args.size();) {
    std::string_view option = ctx.args[at];
    size_t left = ctx.args.size() - at;
    if (weighs && left > keys && EqualsIgnoreCase(option, "weights")) {
      for (size_t i = 0; i < keys; ++i) {
        std::optional<double> weight = ParseDouble(ctx.args[at + 1 + i]);
        if (!weight) {
          ctx.reply.Error("ERR weight value is not a float");
          return std::nullopt;
        }
        request.sources[i].weight = *weight;
      }
      at += 1 + keys;
    } else if (weighs && left >= 2 && EqualsIgnoreCase(option, "aggregate")) {
      std::string_view how = ctx.args[at + 1];
      if (EqualsIgnoreCase(how, "sum")) {
        request.aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(how, "min")) {
        request.aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(how, "max")) {
        request.aggregate = Aggregate::kMax;
      } else {
        ctx.reply.Error(OpStatus::kSyntaxError);
        return std::nullopt;
      }
      at += 2;
    } else if (output == Output::kReply && EqualsIgnoreCase(option, "withscores")) {
      request.with_scores = true;
      at += 1;
    } else if (output == Output::kCardinality && left >= 2 && EqualsIgnoreCase(option, "limit")) {
      std::optional<int64_t> limit = ParseInt64(ctx.args[at + 1]);
      if (!limit || *limit < 0) {
        ctx.reply.Error("ERR LIMIT can't be negative");
        return std::nullopt;
      }
      request.limit = static_cast<uint64_t>(*limit);
      at += 2;
    } else {
      ctx.reply.Error(OpStatus::kSyntaxError);
      return std::nullopt;
    }
  }
  return request;
}

// Union and intersection walk the inputs from the smallest, as Redis does (stably, as its qsort).
void SortBySize(std::vector<Source>& sources) {
  std::stable_sort(sources.begin(), sources.end(),
                   [](const Source& a, const Source& b) { return a.Size() < b.Size(); });
}

Elements Union(std::vector<Source>& sources, Aggregate aggregate) {
  SortBySize(sources);
  std::unordered_map<std::string, double> scores;
  scores.reserve(sources.back().Size());
  for (const Source& source : sources) {
    for (auto& [member, score] : source.Copy()) {
      double value = Weighted(score, source.weight);
      auto [at, inserted] = scores.try_emplace(std::move(member), value);
      if (!inserted) Fold(at->second, value, aggregate);
    }
  }
  Elements elements;
  elements.reserve(scores.size());
  for (auto& [member, score] : scores) elements.emplace_back(member, score);
  return elements;
}

// The members in every input, at most `limit` of them when it is not 0.
Elements Intersection(std::vector<Source>& sources, Aggregate aggregate, uint64_t limit) {
  SortBySize(sources);
  Elements elements;
  if (sources.front().Size() == 0) return elements;
  for (auto& [member, score] : sources.front().Copy()) {
    double value = Weighted(score, sources.front().weight);
    bool everywhere = true;
    for (size_t i = 1; i < sources.size() && everywhere; ++i) {
      std::optional<double> other = sources[i].Find(member);
      // Unlike the first input's, these products are folded as they are, NaN included: MIN and
      // MAX then keep the score so far, SUM makes it 0.
      if (other) Fold(value, *other * sources[i].weight, aggregate);
      everywhere = other.has_value();
    }
    if (!everywhere) continue;
    elements.emplace_back(std::move(member), value);
    if (limit != 0 && elements.size() >= limit) break;
  }
  return elements;
}

// The first input's members that no other input holds, with their scores in the first.
Elements Difference(const std::vector<Source>& sources) {
  Elements elements;
  for (auto& [member, score] : sources.front().Copy()) {
    bool elsewhere = false;
    for (size_t i = 1; i < sources.size() && !elsewhere; ++i) {
      elsewhere = sources[i].Find(member).has_value();
    }
    if (!elsewhere) elements.emplace_back(std::move(member), score);
  }
  return elements;
}

// ZUNION, ZINTER and ZDIFF, their STORE forms and ZINTERCARD: the STORE forms take the destination
// before numkeys.
void Run(CommandContext& ctx, std::string_view name, Operation operation, Output output) {
  const size_t numkeys_at = output == Output::kStore ? 2 : 1;
  std::optional<Request> request = ParseRequest(ctx, numkeys_at, name, operation, output);
  if (!request) return;
  Elements elements;
  switch (operation) {
    case Operation::kUnion:
      elements = Union(request->sources, request->aggregate);
      break;
    case Operation::kInter:
      elements = Intersection(request->sources, request->aggregate, request->limit);
      break;
    case Operation::kDiff:
      elements = Difference(request->sources);
      break;
  }
  if (output == Output::kCardinality)
    return ctx.reply.Integer(static_cast<int64_t>(elements.size()));
  // The set's order: by score, then by member's bytes (no NaN can be left at this point).
  std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  if (output == Output::kStore) {
    constexpr std::string_view kEvents[] = {"zunionstore", "zinterstore", "zdiffstore"};
    return zsets::StoreElements(ctx, ctx.args[1], elements, zsets::Sizing::kWholeResult,
                                kEvents[static_cast<size_t>(operation)]);
  }
  zsets::ReplyElementsHeader(ctx, elements.size(), request->with_scores);
  for (const auto& [member, score] : elements) {
    zsets::ReplyElement(ctx, member, score, request->with_scores);
  }
}

void ZUnion(CommandContext& ctx) { Run(ctx, "zunion", Operation::kUnion, Output::kReply); }
void ZInter(CommandContext& ctx) { Run(ctx, "zinter", Operation::kInter, Output::kReply); }
void ZDiff(CommandContext& ctx) { Run(ctx, "zdiff", Operation::kDiff, Output::kReply); }
void ZUnionStore(CommandContext& ctx) {
  Run(ctx, "zunionstore", Operation::kUnion, Output::kStore);
}
void ZInterStore(CommandContext& ctx) {
  Run(ctx, "zinterstore", Operation::kInter, Output::kStore);
}
void ZDiffStore(CommandContext& ctx) { Run(ctx, "zdiffstore", Operation::kDiff, Output::kStore); }
void ZInterCard(CommandContext& ctx) {
  Run(ctx, "zintercard", Operation::kInter, Output::kCardinality);
}

constexpr ArgDoc kAggregates[] = {
    {.name = "sum", .type = ArgType::kPureToken, .token = "SUM"},
    {.name = "min", .type = ArgType::kPureToken, .token = "MIN"},
    {.name = "max", .type = ArgType::kPureToken, .token = "MAX"},
};

constexpr ArgDoc kNumkeys = {.name = "numkeys", .type = ArgType::kInteger};
constexpr ArgDoc kWeights = {.name = "weight",
                             .type = ArgType::kInteger,
                             .token = "WEIGHTS",
                             .flags = kArgOptional | kArgMultiple};
constexpr ArgDoc kAggregate = {.name = "aggregate",
                               .type = ArgType::kOneOf,
                               .token = "AGGREGATE",
                               .flags = kArgOptional,
                               .arguments = kAggregates};
constexpr ArgDoc kWithScores = {.name = "withscores",
                                .type = ArgType::kPureToken,
                                .token = "WITHSCORES",
                                .flags = kArgOptional};
constexpr ArgDoc kSourceKeys = {
    .name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple};
constexpr ArgDoc kDestination = {.name = "destination", .type = ArgType::kKey, .key_spec_index = 0};
constexpr ArgDoc kStoreSourceKeys = {
    .name = "key", .type = ArgType::kKey, .key_spec_index = 1, .flags = kArgMultiple};

constexpr ArgDoc kCombineArgs[] = {kNumkeys, kSourceKeys, kWeights, kAggregate, kWithScores};
constexpr ArgDoc kZdiffArgs[] = {kNumkeys, kSourceKeys, kWithScores};
constexpr ArgDoc kCombineStoreArgs[] = {kDestination, kNumkeys, kStoreSourceKeys, kWeights,
                                        kAggregate};
constexpr ArgDoc kZdiffstoreArgs[] = {kDestination, kNumkeys, kStoreSourceKeys};
constexpr ArgDoc kZintercardArgs[] = {
    kNumkeys,
    kSourceKeys,
    {.name = "limit", .type = ArgType::kInteger, .token = "LIMIT", .flags = kArgOptional},
};

constexpr KeySpec kSourceKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyNum(0, 1, 1)},
};
constexpr KeySpec kStoreKeySpecs[] = {
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyNum(0, 1, 1)},
};

constexpr std::string_view kUnionComplexity =
    "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the "
    "number of elements in the resulting sorted set.";
constexpr std::string_view kInterComplexity =
    "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number "
    "of input sorted sets and M being the number of elements in the resulting sorted set.";
constexpr std::string_view kDiffComplexity =
    "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
    "the size of the first set, and K is the size of the result set.";

// The reads differ only in these fields.
constexpr CommandSpec Read(std::string_view name, Handler handler, CommandDoc doc) {
  return {.name = name,
          .arity = -3,
          .flags = kReadOnly | kMovableKeys,
          .acl = kAclRead | kAclSortedSet | kAclSlow,
          .handler = handler,
          .doc = doc,
          .key_specs = kSourceKeySpecs};
}

constexpr CommandSpec Store(std::string_view name, Handler handler, CommandDoc doc) {
  return {.name = name,
          .arity = -4,
          .flags = kWrite | kDenyOom | kMovableKeys,
          .acl = kAclWrite | kAclSortedSet | kAclSlow,
          .first_key = 1,
          .last_key = 1,
          .key_step = 1,
          .handler = handler,
          .doc = doc,
          .key_specs = kStoreKeySpecs};
}

constexpr CommandSpec kZSetAlgebraCommands[] = {
    Read("zunion", &ZUnion,
         {.summary = "Add multiple sorted sets",
          .since = "6.2.0",
          .group = "sorted-set",
          .complexity = kUnionComplexity,
          .arguments = kCombineArgs}),
    Read("zinter", &ZInter,
         {.summary = "Intersect multiple sorted sets",
          .since = "6.2.0",
          .group = "sorted-set",
          .complexity = kInterComplexity,
          .arguments = kCombineArgs}),
    Read("zdiff", &ZDiff,
         {.summary = "Subtract multiple sorted sets",
          .since = "6.2.0",
          .group = "sorted-set",
          .complexity = kDiffComplexity,
          .arguments = kZdiffArgs}),
    Read("zintercard", &ZInterCard,
         {.summary = "Intersect multiple sorted sets and return the cardinality of the result",
          .since = "7.0.0",
          .group = "sorted-set",
          .complexity = "O(N*K) worst case with N being the smallest input sorted set, K being "
                        "the number of input sorted sets.",
          .arguments = kZintercardArgs}),
    Store("zunionstore", &ZUnionStore,
          {.summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
           .since = "2.0.0",
           .group = "sorted-set",
           .complexity = "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted "
                         "sets, and M being the number of elements in the resulting sorted set.",
           .arguments = kCombineStoreArgs}),
    Store("zinterstore", &ZInterStore,
          {.summary = "Intersect multiple sorted sets and store the resulting sorted set in a new "
                      "key",
           .since = "2.0.0",
           .group = "sorted-set",
           .complexity = kInterComplexity,
           .arguments = kCombineStoreArgs}),
    Store("zdiffstore", &ZDiffStore,
          {.summary = "Subtract multiple sorted sets and store the resulting sorted set in a new "
                      "key",
           .since = "6.2.0",
           .group = "sorted-set",
           .complexity = kDiffComplexity,
           .arguments = kZdiffstoreArgs}),
};

}  // namespace

std::span<const CommandSpec> ZSetAlgebraCommands() { return kZSetAlgebraCommands; }

}  // namespace magnetar::commands
