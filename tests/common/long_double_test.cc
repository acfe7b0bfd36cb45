// INCRBYFLOAT's arithmetic: parse both operands as long doubles, add, print human-friendly.
// Every expected text was read from a real redis-server 7.0.15: SET k <base>; INCRBYFLOAT k <incr>.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <string>

#include "magnetar/common/numbers.h"

namespace magnetar {
namespace {

std::string Format(long double value) {
  char buffer[kMaxLongDoubleChars];
  return std::string(buffer, FormatLongDouble(value, buffer));
}

// What INCRBYFLOAT replies for `base` + `increment`, or "!" where Redis replies an error.
std::string IncrByFloat(std::string_view base, std::string_view increment) {
  auto a = ParseLongDouble(base);
  auto b = ParseLongDouble(increment);
  if (!a || !b) return "!";
  long double sum = *a + *b;
  if (std::isnan(sum) || std::isinf(sum)) return "!";
  return Format(sum);
}

TEST(LongDoubleTest, IncrByFloatMatchesRedis) {
  struct Case {
    const char* base;
    const char* increment;
    const char* reply;
  };
  const Case cases[] = {
      {"0.1", "0.2", "0.3"},
      {"10.50", "0.1", "10.6"},
      {"5.0e3", "0", "5000"},
      {"3.0", "0", "3"},
      {"1", "-1", "0"},
      {"1.1", "-1.1", "0"},
      {"-1", "0.9", "-0.1"},
      {"0", "-5e-18", "0"},
      {"0", "1.5e-17", "0.00000000000000002"},
      {"1e20", "1", "100000000000000000000"},
      {"123456789012345678901234567890", "0", "123456789012345678899921813504"},
      {"3", "1e-20", "3"},
      {"0", "3.14159265358979323846", "3.14159265358979324"},
      {"0", "1.23456789012345678901234", "1.23456789012345679"},
      {"0", "0x1p-3", "0.125"},
      {"0", "+.5", "0.5"},
      {"0", "5.", "5"},
      {"2.5", "-0.000000000000000001", "2.5"},
      {"9223372036854775807", "1", "9223372036854775808"},
      {"-9223372036854775808", "-1", "-9223372036854775809"},
      {"0.1", "0.7", "0.8"},
      {"1e-17", "1e-17", "0.00000000000000002"},
      {"100", "-100.0000000000000001", "-0.0000000000000001"},
      {"0", "1e-4940", "0"},
      {"1e4932", "-1e4932", "0"},
      {"0", "-0", "0"},
      {"3", "-5", "-2"},
      {"0", "0.000000000000000005", "0"},
      {"0", "-0.000000000000000004", "0"},
      {"0", "100000000000000000000000", "100000000000000000000000"},
      {"0", "1.7976931348623157e308",
       "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701"
       "868608387085564428793419425520689308708363451136055357897278026477617073498977686288394"
       "835618163294045594434929537447290627480669417384648879122776218333598953852832103282504"
       "751611691208117720159985926376802466863339536384"},
      // Errors: "ERR value is not a valid float" (unparsable) and "ERR increment would produce NaN
      // or Infinity" (an infinite sum).
      {"0", "inf", "!"},
      {"0", "-inf", "!"},
      {"0", "infinity", "!"},
      {"1e4932", "1e4932", "!"},
      {"0", "nan", "!"},
      {"0", " 1", "!"},
      {"0", "1 ", "!"},
      {"0", "1e", "!"},
      {"0", "1e4933", "!"},
      {"0", "1e-5000", "!"},
      {"abc", "1", "!"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IncrByFloat(c.base, c.increment), c.reply) << c.base << " + " << c.increment;
  }
}

TEST(LongDoubleTest, ParseRules) {
  EXPECT_EQ(ParseLongDouble("inf"), HUGE_VALL);  // accepted; INCRBYFLOAT then refuses the sum
  EXPECT_FALSE(ParseLongDouble("").has_value());
  EXPECT_FALSE(ParseLongDouble(std::string_view("1\0", 2)).has_value());
  EXPECT_FALSE(ParseLongDouble("\t1").has_value());
  // Redis's 5120-byte buffer: "1." followed by zeros parses up to 5119 characters.
  EXPECT_EQ(ParseLongDouble("1." + std::string(5117, '0')), 1.0L);
  EXPECT_FALSE(ParseLongDouble("1." + std::string(5118, '0')).has_value());
}

TEST(LongDoubleTest, FormatHumanFriendly) {
  EXPECT_EQ(Format(HUGE_VALL), "inf");
  EXPECT_EQ(Format(-HUGE_VALL), "-inf");
  EXPECT_EQ(Format(-0.0L), "0");
  EXPECT_EQ(Format(-1e-30L), "0");
  EXPECT_EQ(Format(100.0L), "100");
  EXPECT_EQ(Format(-2.5L), "-2.5");
  // The largest long double fits the buffer.
  EXPECT_EQ(Format(LDBL_MAX).size(), 4933u);
}

}  // namespace
}  // namespace magnetar
