// The GEO family's commands on members: GEOADD, GEOPOS, GEODIST and GEOHASH, and the helpers the
// family shares (geo_handlers.h). Searches are in geo_search_commands.cc; the arithmetic in
// geohash.h.
//
// A geo set is a sorted set whose scores are 52-bit geohashes (geohash.h), so every other sorted
// set command works on it. GEOADD is ZADD with computed scores: it runs ZADD's own handler on the
// rewritten arguments and propagates that ZADD, as Redis 7.0 does.
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo_handlers.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "zset_handlers.h"

namespace magnetar::commands {
namespace geo {

std::optional<Point> ParsePosition(CommandContext& ctx, std::string_view longitude,
                                   std::string_view latitude) {
  std::optional<double> x = ParseDouble(longitude);
  std::optional<double> y = x ? ParseDouble(latitude) : std::nullopt;
  if (!x || !y) {
    ctx.reply.Error(OpStatus::kNotFloat);
    return std::nullopt;
  }
  if (!ValidPosition(*x, *y)) {
    char text[128];
    std::snprintf(text, sizeof(text), "ERR invalid longitude,latitude pair %f,%f", *x, *y);
    ctx.reply.Error(text);
    return std::nullopt;
  }
  return Point{*x, *y};
}

std::optional<double> ParseUnit(CommandContext& ctx, std::string_view unit) {
  if (EqualsIgnoreCase(unit, "m")) return 1;
  if (EqualsIgnoreCase(unit, "km")) return 1000;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  ctx.reply.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return std::nullopt;
}

std::optional<double> ParseLength(CommandContext& ctx, std::string_view text,
                                  std::string_view what) {
  std::optional<double> value = ParseDouble(text);
  if (!value) ctx.reply.Error(std::string("ERR ") + std::string(what));
  return value;
}

std::optional<Point> PositionOf(engine::ZSetValue& zset, std::string_view member) {
  std::optional<double> score = zset.Score(member);
  if (!score) return std::nullopt;
  return PointOf(*score);
}

void ReplyCoordinate(CommandContext& ctx, double value) {
  char text[kMaxLongDoubleChars];
  std::string_view digits(text, FormatLongDouble(value, text));
  if (!ctx.reply.resp3()) return ctx.reply.Bulk(digits);
  std::string line = ",";
  line.append(digits).append("\r\n");
  ctx.reply.Raw(line);
}

void ReplyDistance(CommandContext& ctx, double value) {
  // Redis 7.0 scales by 10^4 and rounds to an integer (half to even) instead of printing "%.4f",
  // which differs when the scaled value rounds to a half: 18143719.13425000012 gives ...1342.
  const long long scaled = std::llrint(value * 10000.0);
  const bool negative = scaled < 0;
  std::string digits = std::to_string(negative ? -static_cast<unsigned long long>(scaled)
                                               : static_cast<unsigned long long>(scaled));
  if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
  digits.insert(digits.size() - 4, 1, '.');
  if (negative) digits.insert(0, 1, '-');
  ctx.reply.Bulk(digits);
}

}  // namespace geo

namespace {

using engine::ZSetValue;
using zsets::FindZSet;

Handler ZAddHandler() {
  for (const CommandSpec& spec : ZSetCommands()) {
    if (spec.name == "zadd") return spec.handler;
  }
  return nullptr;
}

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: Redis checks the triples' count and
// NX with XX, then each position, then hands "zadd key [options] score member ..." to ZADD.
void GeoAdd(CommandContext& ctx) {
  size_t first = 2;
  bool nx = false, xx = false;
  for (; first < ctx.args.size(); ++first) {
    std::string_view arg = ctx.args[first];
    if (EqualsIgnoreCase(arg, "nx")) {
      nx = true;
    } else if (EqualsIgnoreCase(arg, "xx")) {
      xx = true;
    } else if (!EqualsIgnoreCase(arg, "ch")) {
      break;
    }
  }
  if ((ctx.args.size() - first) % 3 != 0 || (nx && xx)) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  const size_t elements = (ctx.args.size() - first) / 3;
  std::vector<std::string> scores(elements);
  for (size_t i = 0; i < elements; ++i) {
    const size_t at = first + 3 * i;
    std::optional<geo::Point> point = geo::ParsePosition(ctx, ctx.args[at], ctx.args[at + 1]);
    if (!point) return;
    char digits[kMaxInt64Chars];
    auto bits = static_cast<int64_t>(geo::ScoreOf(*point));
    scores[i].assign(digits, FormatInt64(bits, digits));
  }
  std::vector<std::string_view> zadd(ctx.args.begin(), ctx.args.begin() + first);
  zadd[0] = "zadd";
  for (size_t i = 0; i < elements; ++i) {
    zadd.push_back(scores[i]);
    zadd.push_back(ctx.args[first + 3 * i + 2]);
  }
  static const Handler zadd_handler = ZAddHandler();
  CommandContext zadd_ctx = ctx;
  zadd_ctx.args = zadd;
  zadd_handler(zadd_ctx);
  ctx.propagate().Rewrite(zadd);
}

void GeoPos(CommandContext& ctx) {
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (std::string_view member : ctx.args.subspan(2)) {
    std::optional<geo::Point> point;
    if (*found != nullptr) point = geo::PositionOf(**found, member);
    if (!point) {
      ctx.reply.NullArray();
      continue;
    }
    ctx.reply.Array(2);
    geo::ReplyCoordinate(ctx, point->longitude);
    geo::ReplyCoordinate(ctx, point->latitude);
  }
}

// GEODIST key member1 member2 [unit]: the unit is checked before the key.
void GeoDist(CommandContext& ctx) {
  double unit = 1;
  if (ctx.args.size() == 5) {
    std::optional<double> parsed = geo::ParseUnit(ctx, ctx.args[4]);
    if (!parsed) return;
    unit = *parsed;
  } else if (ctx.args.size() > 5) {
    return ctx.reply.Error(OpStatus::kSyntaxError);
  }
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  if (*found == nullptr) return ctx.reply.Null();
  std::optional<geo::Point> a = geo::PositionOf(**found, ctx.args[2]);
  std::optional<geo::Point> b = a ? geo::PositionOf(**found, ctx.args[3]) : std::nullopt;
  if (!b) return ctx.reply.Null();
  geo::ReplyDistance(ctx, geo::Distance(*a, *b) / unit);
}

void GeoHash(CommandContext& ctx) {
  auto found = FindZSet(ctx, ctx.args[1], true);
  if (!found) return ctx.reply.Error(found.status());
  ctx.reply.Array(ctx.args.size() - 2);
  for (std::string_view member : ctx.args.subspan(2)) {
    std::optional<double> score;
    if (*found != nullptr) score = (*found)->Score(member);
    score ? ctx.reply.Bulk(geo::StandardGeohash(*score)) : ctx.reply.Null();
  }
}

constexpr ArgDoc kConditionArgs[] = {
    {.name = "nx", .type = ArgType::kPureToken, .token = "NX"},
    {.name = "xx", .type = ArgType::kPureToken, .token = "XX"},
};
constexpr ArgDoc kTripleArgs[] = {
    {.name = "longitude", .type = ArgType::kDouble},
    {.name = "latitude", .type = ArgType::kDouble},
    {.name = "member", .type = ArgType::kString},
};
constexpr ArgDoc kGeoaddArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "condition",
     .type = ArgType::kOneOf,
     .since = "6.2.0",
     .flags = kArgOptional,
     .arguments = kConditionArgs},
    {.name = "change",
     .type = ArgType::kPureToken,
     .token = "CH",
     .since = "6.2.0",
     .flags = kArgOptional},
    {.name = "longitude_latitude_member",
     .type = ArgType::kBlock,
     .flags = kArgMultiple,
     .arguments = kTripleArgs},
};
constexpr HistoryEntry kGeoaddHistory[] = {
    {"6.2.0", "Added the `CH`, `NX` and `XX` options."},
};
constexpr KeySpec kGeoaddKeySpecs[] = {
    {.flags = kKsRW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kGeoposArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr KeySpec kReadKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kUnitArgs[] = {
    {.name = "m", .type = ArgType::kPureToken, .token = "M"},
    {.name = "km", .type = ArgType::kPureToken, .token = "KM"},
    {.name = "ft", .type = ArgType::kPureToken, .token = "FT"},
    {.name = "mi", .type = ArgType::kPureToken, .token = "MI"},
};
constexpr ArgDoc kGeodistArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member1", .type = ArgType::kString},
    {.name = "member2", .type = ArgType::kString},
    {.name = "unit", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kUnitArgs},
};
constexpr CommandSpec kGeoCommands[] = {
    {.name = "geoadd",
     .arity = -5,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoAdd,
     .doc =
         {.summary = "Add one or more geospatial items in the geospatial index represented using a "
                     "sorted set",
          .since = "3.2.0",
          .group = "geo",
          .complexity =
              "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
          .history = kGeoaddHistory,
          .arguments = kGeoaddArgs},
     .key_specs = kGeoaddKeySpecs},
    {.name = "geopos",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoPos,
     .doc = {.summary = "Returns longitude and latitude of members of a geospatial index",
             .since = "3.2.0",
             .group = "geo",
             .complexity = "O(N) where N is the number of members requested.",
             .arguments = kGeoposArgs},
     .key_specs = kReadKeySpecs},
    {.name = "geodist",
     .arity = -4,
     .flags = kReadOnly,
     .acl = kAclRead | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoDist,
     .doc = {.summary = "Returns the distance between two members of a geospatial index",
             .since = "3.2.0",
             .group = "geo",
             .complexity = "O(log(N))",
             .arguments = kGeodistArgs},
     .key_specs = kReadKeySpecs},
    {.name = "geohash",
     .arity = -2,
     .flags = kReadOnly,
     .acl = kAclRead | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoHash,
     .doc = {.summary = "Returns members of a geospatial index as standard geohash strings",
             .since = "3.2.0",
             .group = "geo",
             .complexity = "O(log(N)) for each member requested, where N is the number of elements "
                           "in the sorted set.",
             .arguments = kGeoposArgs},
     .key_specs = kReadKeySpecs},
};

}  // namespace

std::span<const CommandSpec> GeoCommands() { return kGeoCommands; }

}  // namespace magnetar::commands
