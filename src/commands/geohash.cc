#include "geohash.h"

#include <cmath>
#include <numbers>

namespace magnetar::commands::geo {
namespace {

constexpr double kDegreesToRadians = std::numbers::pi / 180.0;
// Half the Earth's circumference in Web Mercator meters: the span a level-1 cell covers.
constexpr double kMercatorMax = 20037726.37;

double ToRadians(double degrees) { return degrees * kDegreesToRadians; }
double ToDegrees(double radians) { return radians / kDegreesToRadians; }

// Moves the bits of `value` to the even positions of the result.
uint64_t Spread(uint32_t value) {
  uint64_t x = value;
  x = (x | (x << 16)) & 0x0000ffff0000ffffULL;
  x = (x | (x << 8)) & 0x00ff00ff00ff00ffULL;
  x = (x | (x << 4)) & 0x0f0f0f0f0f0f0f0fULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// Gathers the even bits of `bits` into the low 32 bits: Spread's inverse.
uint32_t Compact(uint64_t bits) {
  uint64_t x = bits & 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0f0f0f0f0f0f0f0fULL;
  x = (x | (x >> 4)) & 0x00ff00ff00ff00ffULL;
  x = (x | (x >> 8)) & 0x0000ffff0000ffffULL;
  x = (x | (x >> 16)) & 0x00000000ffffffffULL;
  return static_cast<uint32_t>(x);
}

uint64_t Interleave(uint32_t latitude_index, uint32_t longitude_index) {
  return Spread(latitude_index) | (Spread(longitude_index) << 1);
}

// `cell` moved by (dx, dy) cells, wrapping around the grid at its level. A coordinate that does
// not move is kept as it is: at longitude 180 (or the top latitude) a position encodes to the
// index one past the grid's last, and Redis keeps that index, so the cells east or north of it
// fall outside the grid rather than wrapping to the other side.
Cell Neighbor(Cell cell, int dx, int dy) {
  const uint64_t mask = (uint64_t{1} << cell.step) - 1;
  uint64_t latitude = Compact(cell.bits);
  uint64_t longitude = Compact(cell.bits >> 1);
  if (dy != 0) latitude = (latitude + static_cast<uint64_t>(dy)) & mask;
  if (dx != 0) longitude = (longitude + static_cast<uint64_t>(dx)) & mask;
  return {Interleave(static_cast<uint32_t>(latitude), static_cast<uint32_t>(longitude)), cell.step};
}

// Meters along a meridian between two latitudes.
double LatitudeDistance(double latitude1, double latitude2) {
  return kEarthRadiusMeters * std::fabs(ToRadians(latitude2) - ToRadians(latitude1));
}

// The coarsest level whose cells, with their neighbours, still cover `radius_meters` around a
// point at `latitude`: each level halves a cell's span, and cells narrow towards the poles.
int StepsForRadius(double radius_meters, double latitude) {
  if (radius_meters == 0) return kMaxStep;
  int step = 1;
  while (radius_meters < kMercatorMax) {
    radius_meters *= 2;
    step++;
  }
  step -= 2;
  if (latitude > 66 || latitude < -66) {
    step--;
    if (latitude > 80 || latitude < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > kMaxStep) step = kMaxStep;
  return step;
}

// The shape's bounding box in degrees: a box's half sides (a circle's radius) turned into
// latitude and longitude spans. The longitude span is taken at the box's edge nearer the pole,
// where a degree is shortest, so the box holds the whole shape.
Area BoundingBox(const Shape& shape) {
  const Point c = shape.center;
  const double half_height = shape.unit_meters * (shape.is_box ? shape.height / 2 : shape.radius);
  const double half_width = shape.unit_meters * (shape.is_box ? shape.width / 2 : shape.radius);
  const double lat_delta = ToDegrees(half_height / kEarthRadiusMeters);
  const double lon_delta_top =
      ToDegrees(half_width / kEarthRadiusMeters / std::cos(ToRadians(c.latitude + lat_delta)));
  const double lon_delta_bottom =
      ToDegrees(half_width / kEarthRadiusMeters / std::cos(ToRadians(c.latitude - lat_delta)));
  const double lon_delta = c.latitude < 0 ? lon_delta_bottom : lon_delta_top;
  return {{c.longitude - lon_delta, c.longitude + lon_delta},
          {c.latitude - lat_delta, c.latitude + lat_delta}};
}

// A score as the 64-bit integer x86-64 code compiled from Redis's (uint64_t) cast reads it: scores
// a geo set did not write (ZADD) still decode. Below 2^63 the conversion truncates as a signed
// integer (out of range: 2^63); from 2^63 it converts the excess and sets the top bit, so 2^64 and
// beyond, infinity included, read as 0.
uint64_t BitsOf(double score) {
  constexpr uint64_t kTopBit = uint64_t{1} << 63;
  if (score < 0x1p63) {
    if (!(score > -0x1p63)) return kTopBit;
    return static_cast<uint64_t>(static_cast<int64_t>(score));
  }
  const double excess = score - 0x1p63;
  if (!(excess < 0x1p63)) return 0;
  return static_cast<uint64_t>(static_cast<int64_t>(excess)) ^ kTopBit;
}

}  // namespace

bool ValidPosition(double longitude, double latitude) {
  return longitude >= kLongitudeMin && longitude <= kLongitudeMax && latitude >= kLatitudeMin &&
         latitude <= kLatitudeMax;
}

Cell Encode(Point point, int step, Range longitude, Range latitude) {
  const double scale = static_cast<double>(uint64_t{1} << step);
  double lat_offset = (point.latitude - latitude.min) / (latitude.max - latitude.min) * scale;
  double lon_offset = (point.longitude - longitude.min) / (longitude.max - longitude.min) * scale;
  return {Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset)), step};
}

Area Decode(Cell cell) {
  const double scale = static_cast<double>(uint64_t{1} << cell.step);
  const double lat_span = kLatitudeMax - kLatitudeMin;
  const double lon_span = kLongitudeMax - kLongitudeMin;
  const uint32_t lat_index = Compact(cell.bits);
  const uint32_t lon_index = Compact(cell.bits >> 1);
  Area area;
  area.latitude.min = kLatitudeMin + (lat_index * 1.0 / scale) * lat_span;
  area.latitude.max = kLatitudeMin + ((lat_index + 1) * 1.0 / scale) * lat_span;
  area.longitude.min = kLongitudeMin + (lon_index * 1.0 / scale) * lon_span;
  area.longitude.max = kLongitudeMin + ((lon_index + 1) * 1.0 / scale) * lon_span;
  return area;
}

Point Center(const Area& area) {
  Point p{(area.longitude.min + area.longitude.max) / 2,
          (area.latitude.min + area.latitude.max) / 2};
  p.longitude = std::fmin(std::fmax(p.longitude, kLongitudeMin), kLongitudeMax);
  p.latitude = std::fmin(std::fmax(p.latitude, kLatitudeMin), kLatitudeMax);
  return p;
}

double ScoreOf(Point point) { return static_cast<double>(Encode(point, kMaxStep).bits); }

Point PointOf(double score) { return Center(Decode({BitsOf(score), kMaxStep})); }

std::string StandardGeohash(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const Cell cell = Encode(PointOf(score), kMaxStep, {-180, 180}, {-90, 90});
  // 52 bits make ten 5-bit characters; the eleventh, which older versions printed, is '0'.
  std::string text(11, kAlphabet[0]);
  for (int i = 0; i < 10; ++i) text[i] = kAlphabet[(cell.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return text;
}

double Distance(Point a, Point b) {
  const double v = std::sin((ToRadians(b.longitude) - ToRadians(a.longitude)) / 2);
  // On one meridian the haversine reduces to the latitude difference.
  if (v == 0.0) return LatitudeDistance(a.latitude, b.latitude);
  const double lat1 = ToRadians(a.latitude);
  const double lat2 = ToRadians(b.latitude);
  const double u = std::sin((lat2 - lat1) / 2);
  return 2.0 * kEarthRadiusMeters *
         std::asin(std::sqrt(u * u + std::cos(lat1) * std::cos(lat2) * v * v));
}

double DistanceIfInside(const Shape& shape, Point point) {
  const Point c = shape.center;
  if (!shape.is_box) {
    double distance = Distance(c, point);
    return distance > shape.radius * shape.unit_meters ? -1 : distance;
  }
  // The cheap latitude test first.
  if (LatitudeDistance(point.latitude, c.latitude) > shape.height * shape.unit_meters / 2) {
    return -1;
  }
  if (Distance(point, {c.longitude, point.latitude}) > shape.width * shape.unit_meters / 2) {
    return -1;
  }
  return Distance(c, point);
}

std::array<Cell, 9> SearchCells(const Shape& shape) {
  const Area bounds = BoundingBox(shape);
  const double half_width = shape.width / 2, half_height = shape.height / 2;
  const double radius_meters =
      shape.unit_meters * (shape.is_box
                               ? std::sqrt(half_width * half_width + half_height * half_height)
                               : shape.radius);
  int steps = StepsForRadius(radius_meters, shape.center.latitude);
  Cell center = Encode(shape.center, steps);
  // The estimate can leave the shape's box poking out past a neighbour near the centre cell's
  // edge: then one level coarser.
  {
    const bool too_small = Decode(Neighbor(center, 0, 1)).latitude.max < bounds.latitude.max ||
                           Decode(Neighbor(center, 0, -1)).latitude.min > bounds.latitude.min ||
                           Decode(Neighbor(center, 1, 0)).longitude.max < bounds.longitude.max ||
                           Decode(Neighbor(center, -1, 0)).longitude.min > bounds.longitude.min;
    if (steps > 1 && too_small) center = Encode(shape.center, --steps);
  }
  static constexpr int kOffsets[9][2] = {{0, 0}, {0, 1},  {0, -1}, {1, 0},  {-1, 0},
                                         {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  std::array<Cell, 9> cells;
  for (int i = 0; i < 9; ++i) cells[i] = Neighbor(center, kOffsets[i][0], kOffsets[i][1]);
  // Neighbours on a side the shape's box does not reach are dropped.
  if (steps >= 2) {
    const Area area = Decode(center);
    for (int i = 1; i < 9; ++i) {
      const int dx = kOffsets[i][0], dy = kOffsets[i][1];
      if ((dy < 0 && area.latitude.min < bounds.latitude.min) ||
          (dy > 0 && area.latitude.max > bounds.latitude.max) ||
          (dx < 0 && area.longitude.min < bounds.longitude.min) ||
          (dx > 0 && area.longitude.max > bounds.longitude.max)) {
        cells[i] = {};
      }
    }
  }
  // Huge shapes make neighbours coincide: a cell equal to the last one kept after the centre is
  // scanned once (Redis compares with the previous kept neighbour only, never the centre).
  int last = 0;
  for (int i = 1; i < 9; ++i) {
    if (cells[i].step == 0) continue;
    if (last != 0 && cells[i] == cells[last]) {
      cells[i] = {};
      continue;
    }
    last = i;
  }
  return cells;
}

ScoreInterval ScoresOf(Cell cell) {
  const int shift = 52 - cell.step * 2;
  return {static_cast<double>(cell.bits << shift), static_cast<double>((cell.bits + 1) << shift)};
}

}  // namespace magnetar::commands::geo
