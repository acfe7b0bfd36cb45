// The geohash arithmetic behind the GEO commands, with Redis 7.0's conventions so that scores,
// positions and distances match it digit for digit:
//
//  - a position is a cell of a 2^26 x 2^26 grid over longitude [-180, 180] and latitude
//    [-85.05112878, 85.05112878] (the Web Mercator limits); its 52-bit hash interleaves the cell's
//    latitude index (even bits) with its longitude index (odd bits), and a geo set stores that
//    hash as the member's score;
//  - a hash decodes to the centre of its cell, clamped to the ranges;
//  - distances are haversine great-circle distances on a sphere of 6372797.560856 m;
//  - a search covers the cell containing the centre at a level coarse enough for the shape, plus
//    its 8 neighbours, dropping neighbours the shape's bounding box does not reach, then filters
//    each candidate by exact distance.
//
// Pure functions: no RESP, no keys. Private to src/commands (and its unit tests).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace magnetar::commands::geo {

inline constexpr double kLongitudeMin = -180;
inline constexpr double kLongitudeMax = 180;
inline constexpr double kLatitudeMin = -85.05112878;
inline constexpr double kLatitudeMax = 85.05112878;
inline constexpr int kMaxStep = 26;  // bits per coordinate: 52-bit scores
inline constexpr double kEarthRadiusMeters = 6372797.560856;

struct Point {
  double longitude = 0, latitude = 0;
};

// A cell: its interleaved index at `step` bits per coordinate (step 0 marks "no cell").
struct Cell {
  uint64_t bits = 0;
  int step = 0;
  bool operator==(const Cell&) const = default;
};

struct Range {
  double min = 0, max = 0;
};

struct Area {
  Range longitude, latitude;
};

// Whether (longitude, latitude) lies within the ranges GEOADD accepts.
bool ValidPosition(double longitude, double latitude);

// The cell containing `point` at `step`, over the given ranges. REQUIRES: point within them.
Cell Encode(Point point, int step, Range longitude = {kLongitudeMin, kLongitudeMax},
            Range latitude = {kLatitudeMin, kLatitudeMax});
// The bounds of `cell` over the geo ranges.
Area Decode(Cell cell);
// The centre of `area`, clamped to the geo ranges.
Point Center(const Area& area);

// A member's score for `point` (a 26-step cell aligned to 52 bits), and back.
double ScoreOf(Point point);
Point PointOf(double score);

// The 11-character standard geohash (latitude over [-90, 90]) of a stored score, as GEOHASH
// replies it.
std::string StandardGeohash(double score);

// Great-circle distance in meters.
double Distance(Point a, Point b);

// A search shape: a circle of `radius`, or a `width` x `height` box, in units of `unit_meters`
// meters each, around `center`.
struct Shape {
  Point center;
  bool is_box = false;
  double radius = 0;
  double width = 0, height = 0;
  double unit_meters = 1;
};

// The distance in meters from the shape's centre to `point` when the point lies inside the
// shape, or a negative number.
double DistanceIfInside(const Shape& shape, Point point);

// The cells a search of `shape` scans, in the order Redis scans them: the centre's cell, then
// north, south, east, west, north-east, north-west, south-east, south-west. Cells the shape cannot
// reach have step 0.
std::array<Cell, 9> SearchCells(const Shape& shape);

// The score interval [min, max) of the members inside `cell`.
struct ScoreInterval {
  double min = 0, max = 0;
};
ScoreInterval ScoresOf(Cell cell);

}  // namespace magnetar::commands::geo
