// The GEO family's searches: GEORADIUS, GEORADIUSBYMEMBER and their _RO forms, GEOSEARCH and
// GEOSEARCHSTORE, all one routine as in Redis 7.0, which also fixes the order of its checks and
// errors: the source key's type, the older forms' centre and radius, the options in order (a bad
// number, unit or member fails at once), their conflicts, and only then a missing source.
//
// A search scans the members whose scores fall in each of up to nine geohash cells around the
// centre (geohash.h, SearchCells), each cell one score interval found in O(log n), and keeps those
// inside the shape. Without ASC/DESC (and without COUNT, which implies ASC unless ANY) members come
// in scan order: cell by cell, by score within a cell. COUNT ANY stops the scan at COUNT members.
//
// The STORE forms write the members with their geohash scores (or their distances, STOREDIST) to
// the destination through the sorted-set STORE helper, and propagate as sent.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo_handlers.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/families.h"
#include "magnetar/common/numbers.h"
#include "partial_sort.h"
#include "zset_handlers.h"

namespace magnetar::commands {
namespace {

using engine::ZSetValue;
using geo::Point;

enum SearchFlags : unsigned {
  kFromCoords = 1u << 0,   // GEORADIUS: longitude latitude radius unit
  kFromMember = 1u << 1,   // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 1u << 2,      // the _RO forms
  kSearch = 1u << 3,       // GEOSEARCH's options
  kSearchStore = 1u << 4,  // GEOSEARCHSTORE: destination first
};

enum class Order : uint8_t { kNone, kAsc, kDesc };

struct Found {
  std::string member;
  double distance;
  double score;
  Point point;
};

// The members of `zset` inside `shape`, in scan order; at most `limit` of them (0: all).
std::vector<Found> Scan(const ZSetValue& zset, const geo::Shape& shape, size_t limit) {
  std::vector<Found> found;
  for (const geo::Cell& cell : geo::SearchCells(shape)) {
    if (cell.step == 0) continue;
    if (limit != 0 && found.size() >= limit) break;
    const geo::ScoreInterval scores = geo::ScoresOf(cell);
    size_t first =
        zset.LowerBound([&](double score, std::string_view) { return score >= scores.min; });
    if (first == zset.Size()) continue;
    zset.Walk(first, false, [&](std::string_view member, double score) {
      if (score >= scores.max) return false;
      Point point = geo::PointOf(score);
      double distance = geo::DistanceIfInside(shape, point);
      if (distance >= 0) found.push_back({std::string(member), distance, score, point});
      return limit == 0 || found.size() < limit;
    });
  }
  return found;
}

// The radius and unit of a circle; false after replying an error.
bool ParseRadius(CommandContext& ctx, size_t at, geo::Shape& shape) {
  std::optional<double> radius = geo::ParseLength(ctx, ctx.args[at], "need numeric radius");
  if (!radius) return false;
  if (*radius < 0) {
    ctx.reply.Error("ERR radius cannot be negative");
    return false;
  }
  std::optional<double> unit = geo::ParseUnit(ctx, ctx.args[at + 1]);
  if (!unit) return false;
  shape.is_box = false;
  shape.radius = *radius;
  shape.unit_meters = *unit;
  return true;
}

// BYBOX's width, height and unit; false after replying an error.
bool ParseBox(CommandContext& ctx, size_t at, geo::Shape& shape) {
  std::optional<double> width = geo::ParseLength(ctx, ctx.args[at], "need numeric width");
  if (!width) return false;
  std::optional<double> height = geo::ParseLength(ctx, ctx.args[at + 1], "need numeric height");
  if (!height) return false;
  if (*width < 0 || *height < 0) {
    ctx.reply.Error("ERR height or width cannot be negative");
    return false;
  }
  std::optional<double> unit = geo::ParseUnit(ctx, ctx.args[at + 2]);
  if (!unit) return false;
  shape.is_box = true;
  shape.width = *width;
  shape.height = *height;
  shape.unit_meters = *unit;
  return true;
}

constexpr std::string_view kNoMember = "ERR could not decode requested zset member";

void SearchGeneric(CommandContext& ctx, size_t source, unsigned flags) {
  auto lookup = zsets::FindZSet(ctx, ctx.args[source], true);
  if (!lookup) return ctx.reply.Error(lookup.status());
  ZSetValue* zset = *lookup;

  geo::Shape shape;
  size_t at = source + 1;
  if (flags & kFromCoords) {
    std::optional<Point> center = geo::ParsePosition(ctx, ctx.args[2], ctx.args[3]);
    if (!center) return;
    shape.center = *center;
    if (!ParseRadius(ctx, 4, shape)) return;
    at = 6;
  } else if (flags & kFromMember) {
    // Without a source the member is not looked for, nor the radius read.
    if (zset != nullptr) {
      std::optional<Point> center = geo::PositionOf(*zset, ctx.args[2]);
      if (!center) return ctx.reply.Error(kNoMember);
      shape.center = *center;
      if (!ParseRadius(ctx, 3, shape)) return;
    }
    at = 5;
  }

  bool with_dist = false, with_hash = false, with_coord = false, any = false;
  bool from_member = false, from_position = false, by_radius = false, by_box = false;
  Order order = Order::kNone;
  int64_t count = 0;
  std::optional<std::string_view> store;
  if (flags & kSearchStore) store = ctx.args[1];
  bool store_dist = false;
  const bool search = flags & kSearch;
  const bool may_store = !(flags & kNoStore) && !search;
  for (; at < ctx.args.size(); ++at) {
    std::string_view arg = ctx.args[at];
    const size_t left = ctx.args.size() - at - 1;
    if (EqualsIgnoreCase(arg, "withdist")) {
      with_dist = true;
    } else if (EqualsIgnoreCase(arg, "withhash")) {
      with_hash = true;
    } else if (EqualsIgnoreCase(arg, "withcoord")) {
      with_coord = true;
    } else if (EqualsIgnoreCase(arg, "any")) {
      any = true;
    } else if (EqualsIgnoreCase(arg, "asc")) {
      order = Order::kAsc;
    } else if (EqualsIgnoreCase(arg, "desc")) {
      order = Order::kDesc;
    } else if (EqualsIgnoreCase(arg, "count") && left >= 1) {
      std::optional<int64_t> parsed = ParseInt64(ctx.args[++at]);
      if (!parsed) return ctx.reply.Error(OpStatus::kNotInteger);
      if (*parsed <= 0) return ctx.reply.Error("ERR COUNT must be > 0");
      count = *parsed;
    } else if (may_store && left >= 1 &&
               (EqualsIgnoreCase(arg, "store") || EqualsIgnoreCase(arg, "storedist"))) {
      store_dist = EqualsIgnoreCase(arg, "storedist");
      store = ctx.args[++at];
    } else if ((flags & kSearchStore) && EqualsIgnoreCase(arg, "storedist")) {
      store_dist = true;
    } else if (search && !from_position && left >= 1 && EqualsIgnoreCase(arg, "frommember")) {
      // Without a source the member is not looked for.
      std::string_view member = ctx.args[++at];
      if (zset != nullptr) {
        std::optional<Point> center = geo::PositionOf(*zset, member);
        if (!center) return ctx.reply.Error(kNoMember);
        shape.center = *center;
      }
      from_member = true;
    } else if (search && !from_member && left >= 2 && EqualsIgnoreCase(arg, "fromlonlat")) {
      std::optional<Point> center = geo::ParsePosition(ctx, ctx.args[at + 1], ctx.args[at + 2]);
      if (!center) return;
      shape.center = *center;
      from_position = true;
      at += 2;
    } else if (search && !by_box && left >= 2 && EqualsIgnoreCase(arg, "byradius")) {
      if (!ParseRadius(ctx, at + 1, shape)) return;
      by_radius = true;
      at += 2;
    } else if (search && !by_radius && left >= 3 && EqualsIgnoreCase(arg, "bybox")) {
      if (!ParseBox(ctx, at + 1, shape)) return;
      by_box = true;
      at += 3;
    } else {
      return ctx.reply.Error(OpStatus::kSyntaxError);
    }
  }

  if (store && (with_dist || with_hash || with_coord)) {
    return ctx.reply.Error(std::string("ERR ") +
                           (search ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                           " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if (search && !from_member && !from_position) {
    return ctx.reply.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                           std::string(ctx.args[0]));
  }
  if (search && !by_radius && !by_box) {
    return ctx.reply.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                           std::string(ctx.args[0]));
  }
  if (any && count == 0) return ctx.reply.Error("ERR the ANY argument requires COUNT argument");

  const auto event = search ? "geosearchstore" : "georadiusstore";
  if (zset == nullptr) {
    if (store) return zsets::StoreElements(ctx, *store, {}, zsets::Sizing::kWholeResult, event);
    return ctx.reply.Array(0);
  }
  // COUNT keeps the nearest members, so it sorts unless ANY asked for the first ones found.
  if (count != 0 && order == Order::kNone && !any) order = Order::kAsc;

  std::vector<Found> found = Scan(*zset, shape, any ? static_cast<size_t>(count) : 0);
  size_t returned = found.size();
  if (count != 0) returned = std::min(returned, static_cast<size_t>(count));
  if (order != Order::kNone) {
    // By distance only: members at one distance stay in scan order under the full sort (glibc's
    // qsort in Redis, a merge sort) and come out as Redis's partial quicksort leaves them when
    // COUNT keeps fewer than were found.
    auto compare = [desc = order == Order::kDesc](const Found& a, const Found& b) {
      int cmp = a.distance > b.distance ? 1 : a.distance == b.distance ? 0 : -1;
      return desc ? -cmp : cmp;
    };
    if (returned == found.size()) {
      std::stable_sort(found.begin(), found.end(),
                       [&](const Found& a, const Found& b) { return compare(a, b) < 0; });
    } else {
      PartialQuickSort(found, 0, static_cast<ptrdiff_t>(returned) - 1, compare);
    }
  }

  if (store) {
    zsets::Elements elements;
    elements.reserve(returned);
    for (size_t i = 0; i < returned; ++i) {
      Found& f = found[i];
      elements.emplace_back(std::move(f.member),
                            store_dist ? f.distance / shape.unit_meters : f.score);
    }
    return zsets::StoreElements(ctx, *store, elements, zsets::Sizing::kWholeResult, event);
  }
  const size_t options = with_dist + with_hash + with_coord;
  ctx.reply.Array(returned);
  for (size_t i = 0; i < returned; ++i) {
    const Found& f = found[i];
    if (options != 0) ctx.reply.Array(options + 1);
    ctx.reply.Bulk(f.member);
    if (with_dist) geo::ReplyDistance(ctx, f.distance / shape.unit_meters);
    if (with_hash) ctx.reply.Integer(static_cast<int64_t>(f.score));
    if (with_coord) {
      ctx.reply.Array(2);
      geo::ReplyCoordinate(ctx, f.point.longitude);
      geo::ReplyCoordinate(ctx, f.point.latitude);
    }
  }
}

void GeoRadius(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromCoords); }
void GeoRadiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromCoords | kNoStore); }
void GeoRadiusByMember(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromMember); }
void GeoRadiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kFromMember | kNoStore); }
void GeoSearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kSearch); }
void GeoSearchStore(CommandContext& ctx) { SearchGeneric(ctx, 2, kSearch | kSearchStore); }

constexpr ArgDoc kUnitArgs[] = {
    {.name = "m", .type = ArgType::kPureToken, .token = "M"},
    {.name = "km", .type = ArgType::kPureToken, .token = "KM"},
    {.name = "ft", .type = ArgType::kPureToken, .token = "FT"},
    {.name = "mi", .type = ArgType::kPureToken, .token = "MI"},
};
constexpr ArgDoc kRadiusCountArgs[] = {
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT"},
    {.name = "any",
     .type = ArgType::kPureToken,
     .token = "ANY",
     .since = "6.2.0",
     .flags = kArgOptional},
};
constexpr ArgDoc kOrderArgs[] = {
    {.name = "asc", .type = ArgType::kPureToken, .token = "ASC"},
    {.name = "desc", .type = ArgType::kPureToken, .token = "DESC"},
};
constexpr ArgDoc kRadiusArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "longitude", .type = ArgType::kDouble},
    {.name = "latitude", .type = ArgType::kDouble},
    {.name = "radius", .type = ArgType::kDouble},
    {.name = "unit", .type = ArgType::kOneOf, .arguments = kUnitArgs},
    {.name = "withcoord", .type = ArgType::kPureToken, .token = "WITHCOORD", .flags = kArgOptional},
    {.name = "withdist", .type = ArgType::kPureToken, .token = "WITHDIST", .flags = kArgOptional},
    {.name = "withhash", .type = ArgType::kPureToken, .token = "WITHHASH", .flags = kArgOptional},
    {.name = "count",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kRadiusCountArgs},
    {.name = "order", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kOrderArgs},
    {.name = "key",
     .type = ArgType::kKey,
     .key_spec_index = 1,
     .token = "STORE",
     .flags = kArgOptional},
    {.name = "key",
     .type = ArgType::kKey,
     .key_spec_index = 2,
     .token = "STOREDIST",
     .flags = kArgOptional},
};
constexpr HistoryEntry kRadiusHistory[] = {
    {"6.2.0", "Added the `ANY` option for `COUNT`."},
    {"7.0.0", "Added support for uppercase unit names."},
};
constexpr KeySpec kRadiusKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsUpdate,
     .begin_search = SearchKeyword("STORE", 6),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsUpdate,
     .begin_search = SearchKeyword("STOREDIST", 6),
     .find_keys = KeyRange(0, 1, 0)},
};
// The _RO forms (and GEOSEARCH) take the STORE forms' arguments and key specs without the
// trailing STORE and STOREDIST ones.
constexpr size_t kStoreArgs = 2;
constexpr std::span<const KeySpec> kReadKeySpec = std::span(kRadiusKeySpecs).first(1);
constexpr HistoryEntry kRadiusRoHistory[] = {
    {"6.2.0", "Added the `ANY` option for `COUNT`."},
};
constexpr ArgDoc kByMemberCountArgs[] = {
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT"},
    {.name = "any", .type = ArgType::kPureToken, .token = "ANY", .flags = kArgOptional},
};
constexpr ArgDoc kByMemberArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "member", .type = ArgType::kString},
    {.name = "radius", .type = ArgType::kDouble},
    {.name = "unit", .type = ArgType::kOneOf, .arguments = kUnitArgs},
    {.name = "withcoord", .type = ArgType::kPureToken, .token = "WITHCOORD", .flags = kArgOptional},
    {.name = "withdist", .type = ArgType::kPureToken, .token = "WITHDIST", .flags = kArgOptional},
    {.name = "withhash", .type = ArgType::kPureToken, .token = "WITHHASH", .flags = kArgOptional},
    {.name = "count",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kByMemberCountArgs},
    {.name = "order", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kOrderArgs},
    {.name = "key",
     .type = ArgType::kKey,
     .key_spec_index = 1,
     .token = "STORE",
     .flags = kArgOptional},
    {.name = "key",
     .type = ArgType::kKey,
     .key_spec_index = 2,
     .token = "STOREDIST",
     .flags = kArgOptional},
};
constexpr HistoryEntry kByMemberHistory[] = {
    {"7.0.0", "Added support for uppercase unit names."},
};
constexpr KeySpec kByMemberKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsUpdate,
     .begin_search = SearchKeyword("STORE", 5),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsOW | kKsUpdate,
     .begin_search = SearchKeyword("STOREDIST", 5),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kSearchFromLongitudeLatitudeArgs[] = {
    {.name = "longitude", .type = ArgType::kDouble},
    {.name = "latitude", .type = ArgType::kDouble},
};
constexpr ArgDoc kSearchFromArgs[] = {
    {.name = "member", .type = ArgType::kString, .token = "FROMMEMBER"},
    {.name = "longitude_latitude",
     .type = ArgType::kBlock,
     .token = "FROMLONLAT",
     .arguments = kSearchFromLongitudeLatitudeArgs},
};
constexpr ArgDoc kSearchByCircleArgs[] = {
    {.name = "radius", .type = ArgType::kDouble, .token = "BYRADIUS"},
    {.name = "unit", .type = ArgType::kOneOf, .arguments = kUnitArgs},
};
constexpr ArgDoc kSearchByBoxArgs[] = {
    {.name = "width", .type = ArgType::kDouble, .token = "BYBOX"},
    {.name = "height", .type = ArgType::kDouble},
    {.name = "unit", .type = ArgType::kOneOf, .arguments = kUnitArgs},
};
constexpr ArgDoc kSearchByArgs[] = {
    {.name = "circle", .type = ArgType::kBlock, .arguments = kSearchByCircleArgs},
    {.name = "box", .type = ArgType::kBlock, .arguments = kSearchByBoxArgs},
};
constexpr ArgDoc kSearchArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "from", .type = ArgType::kOneOf, .arguments = kSearchFromArgs},
    {.name = "by", .type = ArgType::kOneOf, .arguments = kSearchByArgs},
    {.name = "order", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kOrderArgs},
    {.name = "count",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kByMemberCountArgs},
    {.name = "withcoord", .type = ArgType::kPureToken, .token = "WITHCOORD", .flags = kArgOptional},
    {.name = "withdist", .type = ArgType::kPureToken, .token = "WITHDIST", .flags = kArgOptional},
    {.name = "withhash", .type = ArgType::kPureToken, .token = "WITHHASH", .flags = kArgOptional},
};
constexpr HistoryEntry kSearchHistory[] = {
    {"7.0.0", "Added support for uppercase unit names."},
};
constexpr ArgDoc kSearchstoreArgs[] = {
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "from", .type = ArgType::kOneOf, .arguments = kSearchFromArgs},
    {.name = "by", .type = ArgType::kOneOf, .arguments = kSearchByArgs},
    {.name = "order", .type = ArgType::kOneOf, .flags = kArgOptional, .arguments = kOrderArgs},
    {.name = "count",
     .type = ArgType::kBlock,
     .flags = kArgOptional,
     .arguments = kByMemberCountArgs},
    {.name = "storedist", .type = ArgType::kPureToken, .token = "STOREDIST", .flags = kArgOptional},
};
constexpr HistoryEntry kSearchstoreHistory[] = {
    {"7.0.0", "Added support for uppercase unit names."},
};
constexpr KeySpec kSearchstoreKeySpecs[] = {
    {.flags = kKsOW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr CommandSpec kGeoSearchCommands[] = {
    {.name = "georadius",
     .arity = -6,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .acl = kAclWrite | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoRadius,
     .doc = {.summary = "Query a sorted set representing a geospatial index to fetch members "
                        "matching a given maximum distance from a point",
             .since = "3.2.0",
             .group = "geo",
             .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box "
                           "of the circular area delimited by center and radius and M is the "
                           "number of items inside the index.",
             .deprecated_since = "6.2.0",
             .replaced_by = "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
             .history = kRadiusHistory,
             .arguments = kRadiusArgs},
     .key_specs = kRadiusKeySpecs},
    {.name = "georadius_ro",
     .arity = -6,
     .flags = kReadOnly,
     .acl = kAclRead | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoRadiusRo,
     .doc = {.summary = "A read-only variant for GEORADIUS",
             .since = "3.2.10",
             .group = "geo",
             .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box "
                           "of the circular area delimited by center and radius and M is the "
                           "number of items inside the index.",
             .deprecated_since = "6.2.0",
             .replaced_by = "`GEOSEARCH` with the `BYRADIUS` argument",
             .history = kRadiusRoHistory,
             .arguments = std::span(kRadiusArgs).first(std::size(kRadiusArgs) - kStoreArgs)},
     .key_specs = kReadKeySpec},
    {.name = "georadiusbymember",
     .arity = -5,
     .flags = kWrite | kDenyOom | kMovableKeys,
     .acl = kAclWrite | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoRadiusByMember,
     .doc = {.summary = "Query a sorted set representing a geospatial index to fetch members "
                        "matching a given maximum distance from a member",
             .since = "3.2.0",
             .group = "geo",
             .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box "
                           "of the circular area delimited by center and radius and M is the "
                           "number of items inside the index.",
             .deprecated_since = "6.2.0",
             .replaced_by =
                 "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
             .history = kByMemberHistory,
             .arguments = kByMemberArgs},
     .key_specs = kByMemberKeySpecs},
    {.name = "georadiusbymember_ro",
     .arity = -5,
     .flags = kReadOnly,
     .acl = kAclRead | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoRadiusByMemberRo,
     .doc = {.summary = "A read-only variant for GEORADIUSBYMEMBER",
             .since = "3.2.10",
             .group = "geo",
             .complexity = "O(N+log(M)) where N is the number of elements inside the bounding box "
                           "of the circular area delimited by center and radius and M is the "
                           "number of items inside the index.",
             .deprecated_since = "6.2.0",
             .replaced_by = "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
             .arguments = std::span(kByMemberArgs).first(std::size(kByMemberArgs) - kStoreArgs)},
     .key_specs = kReadKeySpec},
    {.name = "geosearch",
     .arity = -7,
     .flags = kReadOnly,
     .acl = kAclRead | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &GeoSearch,
     .doc = {.summary = "Query a sorted set representing a geospatial index to fetch members "
                        "inside an area of a box or a circle.",
             .since = "6.2.0",
             .group = "geo",
             .complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned "
                           "bounding box area around the shape provided as the filter and M is the "
                           "number of items inside the shape",
             .history = kSearchHistory,
             .arguments = kSearchArgs},
     .key_specs = kReadKeySpec},
    {.name = "geosearchstore",
     .arity = -8,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclGeo | kAclSlow,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &GeoSearchStore,
     .doc = {.summary = "Query a sorted set representing a geospatial index to fetch members "
                        "inside an area of a box or a circle, and store the result in another key.",
             .since = "6.2.0",
             .group = "geo",
             .complexity = "O(N+log(M)) where N is the number of elements in the grid-aligned "
                           "bounding box area around the shape provided as the filter and M is the "
                           "number of items inside the shape",
             .history = kSearchstoreHistory,
             .arguments = kSearchstoreArgs},
     .key_specs = kSearchstoreKeySpecs},
};

}  // namespace

std::span<const CommandSpec> GeoSearchCommands() { return kGeoSearchCommands; }

}  // namespace magnetar::commands
