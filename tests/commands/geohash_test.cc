// The geohash arithmetic (src/commands/geohash.h) on values Redis 7.0 produces for the same input.
#include "commands/geohash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

namespace magnetar::commands::geo {
namespace {

// Redis: GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania.
constexpr Point kPalermo{13.361389, 38.115556};
constexpr Point kCatania{15.087269, 37.502669};
constexpr double kPalermoScore = 3479099956230698;
constexpr double kCataniaScore = 3479447370796909;

TEST(GeohashTest, ScoreIsTheInterleavedCellIndex) {
  EXPECT_EQ(ScoreOf(kPalermo), kPalermoScore);
  EXPECT_EQ(ScoreOf(kCatania), kCataniaScore);
  EXPECT_EQ(ScoreOf({kLongitudeMin, kLatitudeMin}), 0);
}

TEST(GeohashTest, ScoreDecodesToTheCellCentre) {
  Point p = PointOf(kPalermoScore);
  char text[64];
  // GEOPOS replies "%.17Lf" of these.
  std::snprintf(text, sizeof(text), "%.17Lf", static_cast<long double>(p.longitude));
  EXPECT_STREQ(text, "13.36138933897018433");
  std::snprintf(text, sizeof(text), "%.17Lf", static_cast<long double>(p.latitude));
  EXPECT_STREQ(text, "38.11555639549629859");
}

TEST(GeohashTest, DecodeThenEncodeIsTheIdentity) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 10000; ++i) {
    const double score = static_cast<double>(random() & ((uint64_t{1} << 52) - 1));
    EXPECT_EQ(ScoreOf(PointOf(score)), score);
  }
}

TEST(GeohashTest, StandardGeohashUsesTheFullLatitudeRange) {
  EXPECT_EQ(StandardGeohash(kPalermoScore), "sqc8b49rny0");
  EXPECT_EQ(StandardGeohash(kCataniaScore), "sqdtr74hyu0");
}

TEST(GeohashTest, HaversineDistance) {
  EXPECT_NEAR(Distance(PointOf(kPalermoScore), PointOf(kCataniaScore)), 166274.1516, 1e-4);
  EXPECT_EQ(Distance(kPalermo, kPalermo), 0);
  // Along a meridian: the latitude difference times the radius.
  EXPECT_DOUBLE_EQ(Distance({10, 0}, {10, 1}), kEarthRadiusMeters * std::numbers::pi / 180);
}

TEST(GeohashTest, InsideCircleAndBox) {
  const Point palermo = PointOf(kPalermoScore), catania = PointOf(kCataniaScore);
  Shape circle{.center = palermo, .radius = 166.3, .unit_meters = 1000};
  EXPECT_GT(DistanceIfInside(circle, catania), 166274);
  circle.radius = 166.2;
  EXPECT_LT(DistanceIfInside(circle, catania), 0);
  // Catania is ~68 km south and ~151 km east of Palermo.
  Shape box{.center = palermo, .is_box = true, .width = 310, .height = 140, .unit_meters = 1000};
  EXPECT_GT(DistanceIfInside(box, catania), 0);
  box.width = 290;
  EXPECT_LT(DistanceIfInside(box, catania), 0);
  box.width = 310;
  box.height = 130;
  EXPECT_LT(DistanceIfInside(box, catania), 0);
}

TEST(GeohashTest, CellsCoverTheShape) {
  // Every point within the radius lies in one of the cells scanned.
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> lon(-179, 179), lat(-84, 84), unit(0, 1);
  for (int i = 0; i < 300; ++i) {
    Shape shape{.center = {lon(random), lat(random)}, .radius = 1 + unit(random) * 500000};
    const auto cells = SearchCells(shape);
    for (int j = 0; j < 50; ++j) {
      const double bearing = unit(random) * 2 * std::numbers::pi;
      const double reach =
          unit(random) * shape.radius / kEarthRadiusMeters * 180 / std::numbers::pi;
      Point p{shape.center.longitude + reach * std::sin(bearing) /
                                           std::cos(shape.center.latitude * std::numbers::pi / 180),
              shape.center.latitude + reach * std::cos(bearing)};
      if (!ValidPosition(p.longitude, p.latitude)) continue;
      const double score = ScoreOf(p);
      if (DistanceIfInside(shape, PointOf(score)) < 0) continue;
      bool covered = false;
      for (const Cell& cell : cells) {
        if (cell.step == 0) continue;
        ScoreInterval scores = ScoresOf(cell);
        covered = covered || (score >= scores.min && score < scores.max);
      }
      EXPECT_TRUE(covered) << "center " << shape.center.longitude << "," << shape.center.latitude
                           << " radius " << shape.radius;
    }
  }
}

TEST(GeohashTest, ScoresOfACellAreItsLevelAligned) {
  const Cell cell = Encode(kPalermo, 10);
  ScoreInterval scores = ScoresOf(cell);
  EXPECT_EQ(scores.max - scores.min, std::ldexp(1, 32));
  EXPECT_GE(kPalermoScore, scores.min);
  EXPECT_LT(kPalermoScore, scores.max);
}

}  // namespace
}  // namespace magnetar::commands::geo
