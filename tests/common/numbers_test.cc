#include "magnetar/common/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

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

}  // namespace
}  // namespace magnetar
