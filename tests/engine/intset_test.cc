// The intset codec: Redis's byte layout, widening, ordering and removal.
#include "magnetar/engine/intset.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace magnetar::engine {
namespace {

class IntsetTest : public ::testing::Test {
 protected:
  ~IntsetTest() override { intset::Free(blob_); }

  std::vector<uint8_t> Bytes() const {
    auto bytes = intset::Bytes(blob_);
    return {bytes.begin(), bytes.end()};
  }
  std::vector<int64_t> Elements() const {
    std::vector<int64_t> elements;
    for (size_t i = 0; i < intset::Size(blob_); ++i) elements.push_back(intset::At(blob_, i));
    return elements;
  }

  uint8_t* blob_ = intset::New();
};

TEST_F(IntsetTest, EmptyIsAHeaderWithTwoByteEncoding) {
  EXPECT_EQ(Bytes(), (std::vector<uint8_t>{2, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(intset::IsValid(intset::Bytes(blob_)));
}

TEST_F(IntsetTest, LayoutIsRedisIntset) {
  EXPECT_TRUE(intset::Insert(blob_, 3));
  EXPECT_TRUE(intset::Insert(blob_, -1));
  EXPECT_FALSE(intset::Insert(blob_, 3));
  // encoding 2, length 2, then -1 and 3 as little-endian int16, ascending.
  EXPECT_EQ(Bytes(), (std::vector<uint8_t>{2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 3, 0}));
}

TEST_F(IntsetTest, WidensForLargeValuesAtEitherEnd) {
  intset::Insert(blob_, 1);
  intset::Insert(blob_, 70000);
  EXPECT_EQ(intset::Width(blob_), 4u);
  EXPECT_EQ(Elements(), (std::vector<int64_t>{1, 70000}));
  intset::Insert(blob_, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(intset::Width(blob_), 8u);
  EXPECT_EQ(Elements(), (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 1, 70000}));
  // Removing the wide value does not narrow the encoding (as Redis).
  EXPECT_TRUE(intset::Erase(blob_, std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(intset::Width(blob_), 8u);
  EXPECT_EQ(Elements(), (std::vector<int64_t>{1, 70000}));
  EXPECT_TRUE(intset::IsValid(intset::Bytes(blob_)));
}

TEST_F(IntsetTest, ContainsAndEraseRespectWidth) {
  intset::Insert(blob_, 5);
  EXPECT_FALSE(intset::Contains(blob_, 70000));
  EXPECT_FALSE(intset::Erase(blob_, 70000));
  EXPECT_FALSE(intset::Erase(blob_, 6));
  EXPECT_TRUE(intset::Contains(blob_, 5));
  EXPECT_TRUE(intset::Erase(blob_, 5));
  EXPECT_EQ(intset::Size(blob_), 0u);
}

TEST_F(IntsetTest, MatchesAnOrderedSetUnderRandomOperations) {
  std::mt19937_64 random(7);
  std::set<int64_t> model;
  const int64_t ranges[] = {100, 40000, 1ll << 40, std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 20000; ++i) {
    int64_t range = ranges[(i / 5000) % 4];
    auto value = static_cast<int64_t>(random() % static_cast<uint64_t>(range)) -
                 static_cast<int64_t>(random() % static_cast<uint64_t>(range));
    if (random() % 3 == 0) {
      EXPECT_EQ(intset::Erase(blob_, value), model.erase(value) == 1);
    } else {
      EXPECT_EQ(intset::Insert(blob_, value), model.insert(value).second);
    }
  }
  EXPECT_EQ(Elements(), std::vector<int64_t>(model.begin(), model.end()));
  EXPECT_TRUE(intset::IsValid(intset::Bytes(blob_)));
}

TEST(IntsetValidity, RejectsMalformedBytes) {
  EXPECT_FALSE(intset::IsValid(std::vector<uint8_t>{2, 0, 0}));
  EXPECT_FALSE(intset::IsValid(std::vector<uint8_t>{3, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(intset::IsValid(std::vector<uint8_t>{2, 0, 0, 0, 1, 0, 0, 0}));
  // Not ascending.
  EXPECT_FALSE(intset::IsValid(std::vector<uint8_t>{2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 0}));
  std::vector<uint8_t> good{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 3, 0};
  EXPECT_TRUE(intset::IsValid(good));
  uint8_t* copy = intset::FromBytes(good);
  EXPECT_EQ(intset::At(copy, 1), 3);
  intset::Free(copy);
}

}  // namespace
}  // namespace magnetar::engine
