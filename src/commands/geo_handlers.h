// What the GEO commands' two files share: reading positions and units as Redis does, a member's
// position, and replying coordinates and distances in Redis 7.0's text. Private to src/commands.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "geohash.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/engine/zset_value.h"

namespace magnetar::commands::geo {

// A longitude and latitude from two arguments; replies the error and returns nothing when either
// is not a number or the pair is outside the geo ranges.
std::optional<Point> ParsePosition(CommandContext& ctx, std::string_view longitude,
                                   std::string_view latitude);
// Meters per `unit` (m, km, ft, mi, any case); replies the error and returns nothing otherwise.
std::optional<double> ParseUnit(CommandContext& ctx, std::string_view unit);
// A non-negative number read as a radius, width or height; replies "ERR <what>" when it is not a
// number.
std::optional<double> ParseLength(CommandContext& ctx, std::string_view text,
                                  std::string_view what);

// Where `member` of `zset` lies, or nothing when it is not there.
std::optional<Point> PositionOf(engine::ZSetValue& zset, std::string_view member);

// A coordinate as GEOPOS and WITHCOORD reply it: "%.17Lf" trimmed, a bulk string in RESP2 and a
// double in RESP3.
void ReplyCoordinate(CommandContext& ctx, double value);
// A distance as GEODIST and WITHDIST reply it: four decimals, a bulk string in both protocols.
void ReplyDistance(CommandContext& ctx, double value);

}  // namespace magnetar::commands::geo
