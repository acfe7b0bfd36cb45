#include "magnetar/common/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace magnetar {
namespace {

TEST(ParseInt64Test, AcceptsRedisIntegers) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInt64Test, RejectsWhatRedisRejects) {
  for (const char* text : {"", "-", "+1", "01", "-0", " 1", "1 ", "1a", "9223372036854775808",
                           "-9223372036854775809", "1.0", "123456789012345678901"}) {
    EXPECT_FALSE(ParseInt64(text).has_value()) << text;
  }
}

TEST(ParseDoubleTest, AcceptsAndRejects) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-inf"), -INFINITY);
  EXPECT_EQ(ParseDouble("1e3"), 1000);
  for (const char* text : {"", " 1", "1 ", "nan", "abc", "1e999"}) {
    EXPECT_FALSE(ParseDouble(text).has_value()) << text;
  }
}

TEST(FormatTest, IntegersAndDoubles) {
  char buffer[kMaxDoubleChars];
  EXPECT_EQ(std::string_view(buffer, FormatInt64(INT64_MIN, buffer)), "-9223372036854775808");
  EXPECT_EQ(std::string_view(buffer, FormatInt64(0, buffer)), "0");
  for (int64_t value : {INT64_MAX, int64_t{-1}, int64_t{9}, int64_t{10}, int64_t{-99}, int64_t{100},
                        int64_t{1000001}}) {
    EXPECT_EQ(std::string_view(buffer, FormatInt64(value, buffer)), std::to_string(value));
  }
  EXPECT_EQ(std::string_view(buffer, FormatDouble(3.0, buffer)), "3");
  EXPECT_EQ(std::string_view(buffer, FormatDouble(INFINITY, buffer)), "inf");
}

// FormatDouble must write exactly what "%.17g" writes, which Redis's replies and d2string use:
// checked on doubles of every magnitude, integral and not, and the edges.
TEST(NumbersTest, FormatDoubleWritesWhatPrintfWrites) {
  std::mt19937_64 random(17);
  std::vector<double> values = {0.0,
                                -0.0,
                                1.5,
                                -2.25,
                                0.1,
                                1e17,
                                1e16,
                                123456789012345678.0,
                                1e-5,
                                5e-324,
                                1.7976931348623157e308,
                                -1e-300,
                                3.0,
                                100.0,
                                1e21,
                                4.5e15,
                                0.3};
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = random();
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    if (std::isfinite(value)) values.push_back(value);
    values.push_back(static_cast<double>(static_cast<int64_t>(random() >> (random() % 64))));
    values.push_back(static_cast<double>(random() % 100000) / 1000.0);
  }
  char ours[kMaxDoubleChars];
  char theirs[64];
  for (double value : values) {
    const int length = std::snprintf(theirs, sizeof(theirs), "%.17g", value);
    ASSERT_EQ(std::string_view(ours, FormatDouble(value, ours)),
              std::string_view(theirs, static_cast<size_t>(length)));
  }
}

}  // namespace
}  // namespace magnetar
