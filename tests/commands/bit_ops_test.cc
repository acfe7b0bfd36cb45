// Every expected value here was read from a real redis-server 7.0.15 running the same command on
// the same bytes (shown in the comments as the command that produced it).
#include "magnetar/commands/bit_ops.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace magnetar::commands {
namespace {

using Replies = std::vector<std::optional<int64_t>>;
constexpr auto kByte = BitUnit::kByte;
constexpr auto kBit = BitUnit::kBit;

std::string Bytes(std::initializer_list<uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

// BITPOS ranges: from `start` to the end, or between two given ends.
BitPosRange From(int64_t start) { return {start, std::nullopt, kByte}; }
BitPosRange Between(int64_t start, int64_t end, BitUnit unit = kByte) { return {start, end, unit}; }

// A string of `size` copies of `fill` with the bits at `flipped` inverted, built through SetBit.
std::string Pattern(size_t size, uint8_t fill, std::initializer_list<uint64_t> flipped) {
  std::string value(size, static_cast<char>(fill));
  for (uint64_t bit : flipped) SetBit(value, bit, fill == 0);
  return value;
}

TEST(BitArgsTest, OffsetsFollowRedisLimits) {
  EXPECT_EQ(*ParseBitOffset("0", kDefaultMaxBulkLen), 0u);
  EXPECT_EQ(*ParseBitOffset("4294967295", kDefaultMaxBulkLen), 4294967295u);
  // SETBIT k 4294967296 0, SETBIT k -1 0, SETBIT k 01 1, "5\0a": all rejected.
  const std::string_view rejected[] = {"4294967296", "-1", "01", " 1", "", {"5\0a", 3}};
  for (std::string_view text : rejected) {
    EXPECT_EQ(ParseBitOffset(text, kDefaultMaxBulkLen).status(), OpStatus::kBitOffset) << text;
  }
  // proto-max-bulk-len 1mb: SETBIT z 8388607 works, 8388608 does not.
  EXPECT_TRUE(ParseBitOffset("8388607", 1 << 20).ok());
  EXPECT_FALSE(ParseBitOffset("8388608", 1 << 20).ok());
}

TEST(BitArgsTest, HashOffsetsMultiplyAndWrapLikeRedis) {
  EXPECT_EQ(*ParseBitOffset("#536870911", kDefaultMaxBulkLen, 8), 4294967288u);
  EXPECT_FALSE(ParseBitOffset("#536870912", kDefaultMaxBulkLen, 8).ok());
  // BITFIELD k GET i8 #2305843009213693952 answers 0: 2^61 * 8 wraps to offset 0.
  EXPECT_EQ(*ParseBitOffset("#2305843009213693952", kDefaultMaxBulkLen, 8), 0u);
  EXPECT_EQ(*ParseBitOffset("#2305843009213693953", kDefaultMaxBulkLen, 8), 8u);
  for (std::string_view text : {"#", "#-1", "##1"}) {
    EXPECT_FALSE(ParseBitOffset(text, kDefaultMaxBulkLen, 8).ok()) << text;
  }
  // Without a field width '#' is just a bad number (GETBIT k #1).
  EXPECT_FALSE(ParseBitOffset("#1", kDefaultMaxBulkLen).ok());
}

TEST(BitArgsTest, BitValuesAndUnits) {
  EXPECT_TRUE(*ParseBitValue("1"));
  EXPECT_FALSE(*ParseBitValue("0"));
  for (std::string_view text : {"2", "-1", "01", " 1", "x"}) {
    EXPECT_EQ(ParseBitValue(text).status(), OpStatus::kBitValue) << text;
  }
  EXPECT_EQ(ParseBitPosBit("2").status(), OpStatus::kBitPosArgument);
  EXPECT_EQ(ParseBitPosBit("x").status(), OpStatus::kNotInteger);
  EXPECT_EQ(ParseBitUnit("BiT"), kBit);
  EXPECT_EQ(ParseBitUnit("byte"), kByte);
  EXPECT_EQ(ParseBitUnit("bits"), std::nullopt);
}

TEST(SetBitTest, GrowsAndReportsOldBit) {
  std::string value;
  // SETBIT s 7 1 on a missing key -> 0, value "\x01".
  EXPECT_EQ(SetBit(value, 7, true).old_bit, false);
  EXPECT_EQ(value, Bytes({0x01}));
  // Setting it again: old bit 1, nothing changes.
  SetBitOutcome again = SetBit(value, 7, true);
  EXPECT_TRUE(again.old_bit);
  EXPECT_FALSE(again.changed);
  // SETBIT s 100 1 -> 0, value grows to 13 bytes ending in "\b".
  EXPECT_TRUE(SetBit(value, 100, true).changed);
  EXPECT_EQ(value, Bytes({0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08}));
  EXPECT_TRUE(GetBit(value, 100));
  EXPECT_FALSE(GetBit(value, 101));
  EXPECT_FALSE(GetBit(value, 4294967295));
  // SETBIT s 0 1 -> 0; SETBIT s 7 0 -> 1.
  EXPECT_FALSE(SetBit(value, 0, true).old_bit);
  EXPECT_TRUE(SetBit(value, 7, false).old_bit);
  EXPECT_EQ(value[0], '\x80');
  // Clearing a bit past the end still grows the string (SETBIT k 4294967295 0 -> STRLEN 536870912
  // in Redis; a short stretch here).
  std::string grown;
  EXPECT_TRUE(SetBit(grown, 23, false).changed);
  EXPECT_EQ(grown, std::string(3, '\0'));
}

TEST(BitCountTest, MatchesRedisOnFoobar) {
  const std::string fb = "foobar";
  EXPECT_EQ(BitCount(fb), 26u);
  struct Case {
    int64_t start, end;
    BitUnit unit;
    uint64_t count;
  };
  for (const Case& c : std::vector<Case>{{0, 0, kByte, 4},
                                         {1, 1, kByte, 6},
                                         {1, -2, kByte, 18},
                                         {-1, -1, kByte, 4},
                                         {5, 30, kBit, 17},
                                         {-3, -1, kBit, 1},
                                         {-5, -10, kByte, 0},
                                         {-100, -200, kByte, 0},
                                         {-200, -100, kByte, 4},
                                         {2, 1, kByte, 0},
                                         {0, -1, kBit, 26},
                                         {47, 47, kBit, 0},
                                         {1, 9, kBit, 5},
                                         {100, 200, kByte, 0},
                                         {-100, 100, kByte, 26}}) {
    EXPECT_EQ(BitCount(fb, c.start, c.end, c.unit), c.count) << c.start << " " << c.end;
  }
  EXPECT_EQ(BitCount(""), 0u);
  EXPECT_EQ(BitCount("", 0, -1, kByte), 0u);
}

TEST(BitCountTest, LongStringsCountWordsAndEdges) {
  const std::string z = Pattern(100, 0x00, {700});
  EXPECT_EQ(BitCount(z), 1u);
  EXPECT_EQ(BitCount(z, 87, 87, kByte), 1u);
  EXPECT_EQ(BitCount(z, 700, 700, kBit), 1u);
  EXPECT_EQ(BitCount(z, 0, 699, kBit), 0u);
  const std::string f = Pattern(100, 0xFF, {619});
  EXPECT_EQ(BitCount(f), 799u);
  EXPECT_EQ(BitCount(f, 3, 797, kBit), 794u);
}

TEST(BitPosTest, MatchesRedisOnShortStrings) {
  const std::string bp = Bytes({0xFF, 0xF0, 0x00});
  EXPECT_EQ(BitPos(bp, false), 12);
  EXPECT_EQ(BitPos(bp, true), 0);
  EXPECT_EQ(BitPos(bp, false, From(2)), 16);
  EXPECT_EQ(BitPos(bp, true, From(2)), -1);
  EXPECT_EQ(BitPos(bp, false, Between(0, 0)), -1);
  EXPECT_EQ(BitPos(bp, false, Between(0, 1)), 12);
  EXPECT_EQ(BitPos(bp, true, Between(1, -1)), 8);
  EXPECT_EQ(BitPos(bp, false, Between(3, 11, kBit)), -1);
  EXPECT_EQ(BitPos(bp, false, Between(3, 7, kBit)), -1);
  EXPECT_EQ(BitPos(bp, true, Between(14, 23, kBit)), -1);
  EXPECT_EQ(BitPos(bp, true, Between(-5, -1, kBit)), -1);
  EXPECT_EQ(BitPos(bp, false, Between(-1, -2)), -1);
  // Unlike BITCOUNT, BITPOS clamps both negative ends to 0 and searches byte 0.
  EXPECT_EQ(BitPos(bp, true, Between(-10, -20)), 0);
  EXPECT_EQ(BitPos(bp, false, Between(3, 12, kBit)), 12);
  EXPECT_EQ(BitPos(bp, true, Between(5, 20, kBit)), 5);
  EXPECT_EQ(BitPos(bp, false, Between(9, 9)), -1);
}

TEST(BitPosTest, ClearBitPastTheEndOnlyWithoutExplicitEnd) {
  const std::string ff = Bytes({0xFF, 0xFF});
  EXPECT_EQ(BitPos(ff, false), 16);
  EXPECT_EQ(BitPos(ff, false, From(0)), 16);
  EXPECT_EQ(BitPos(ff, false, From(1)), 16);
  EXPECT_EQ(BitPos(ff, false, Between(0, -1)), -1);
  EXPECT_EQ(BitPos(ff, false, Between(0, 15, kBit)), -1);
  EXPECT_EQ(BitPos(ff, true, Between(0, -1, kBit)), 0);
  EXPECT_EQ(BitPos(ff, false, Between(8, 8, kBit)), -1);
  EXPECT_EQ(BitPos(ff, false, Between(2, 2)), -1);
  // An existing empty string holds neither bit.
  EXPECT_EQ(BitPos("", false), -1);
  EXPECT_EQ(BitPos("", true), -1);
}

TEST(BitPosTest, LongStringsSkipWholeWords) {
  const std::string z = Pattern(100, 0x00, {700});
  EXPECT_EQ(BitPos(z, true), 700);
  EXPECT_EQ(BitPos(z, true, Between(0, 86)), -1);
  EXPECT_EQ(BitPos(z, true, From(88)), -1);
  EXPECT_EQ(BitPos(z, true, Between(701, 799, kBit)), -1);
  EXPECT_EQ(BitPos(z, false, Between(700, 700, kBit)), -1);
  const std::string f = Pattern(100, 0xFF, {619});
  EXPECT_EQ(BitPos(f, false), 619);
  EXPECT_EQ(BitPos(f, false, From(78)), 800);
  EXPECT_EQ(BitPos(f, false, Between(78, 99)), -1);
  EXPECT_EQ(BitPos(f, false, Between(620, 799, kBit)), -1);
}

TEST(BitOpTest, MatchesRedis) {
  std::string_view a1 = "foobar", a2 = "abcdefgh", a3 = "A";
  std::vector<std::string_view> and_inputs{a1, a2};
  EXPECT_EQ(BitOp(BitOpKind::kAnd, and_inputs), std::string("`bc`ab\0\0", 8));
  std::vector<std::string_view> three{a1, a2, a3};
  EXPECT_EQ(BitOp(BitOpKind::kOr, three), "goofevgh");
  EXPECT_EQ(BitOp(BitOpKind::kXor, three), "F\r\x0c\x06\x04\x14gh");
  std::vector<std::string_view> one{a1};
  EXPECT_EQ(BitOp(BitOpKind::kNot, one), Bytes({0x99, 0x90, 0x90, 0x9d, 0x9e, 0x8d}));
  // A missing key is an empty input: AND with it zeroes everything, OR of nothing is empty.
  std::vector<std::string_view> with_missing{a1, ""};
  EXPECT_EQ(BitOp(BitOpKind::kAnd, with_missing), std::string(6, '\0'));
  std::vector<std::string_view> only_missing{""};
  EXPECT_EQ(BitOp(BitOpKind::kOr, only_missing), "");
  std::vector<std::string_view> single{a3};
  EXPECT_EQ(BitOp(BitOpKind::kXor, single), "A");
  EXPECT_EQ(ParseBitOpKind("Xor"), BitOpKind::kXor);
  EXPECT_EQ(ParseBitOpKind("nand"), std::nullopt);
}

TEST(BitOpTest, WordPathsAgreeWithBytes) {
  // Long enough for the word loops and their byte tails.
  std::string x(37, '\0'), y(29, '\0');
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<char>(i * 37 + 11);
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<char>(i * 91 + 5);
  std::vector<std::string_view> inputs{x, y};
  const std::string both = BitOp(BitOpKind::kAnd, inputs);
  const std::string either = BitOp(BitOpKind::kXor, inputs);
  ASSERT_EQ(both.size(), 37u);
  for (size_t i = 0; i < x.size(); ++i) {
    const char yi = i < y.size() ? y[i] : '\0';
    EXPECT_EQ(both[i], static_cast<char>(x[i] & yi)) << i;
    EXPECT_EQ(either[i], static_cast<char>(x[i] ^ yi)) << i;
  }
}

// Runs BITFIELD's arguments against `value` the way the handler will.
Replies Bitfield(std::string& value, std::vector<std::string_view> args) {
  auto plan = ParseBitfield(args);
  EXPECT_TRUE(plan.ok()) << ErrorText(plan.status());
  if (!plan.ok()) return {};
  if (plan->read_only) {
    std::vector<int64_t> read = BitfieldRead(value, *plan);
    return {read.begin(), read.end()};
  }
  return BitfieldApply(value, *plan);
}

TEST(BitfieldTest, TypesParseLikeRedis) {
  EXPECT_EQ(ParseBitfieldType("i64")->bits, 64);
  EXPECT_TRUE(ParseBitfieldType("i64")->is_signed);
  EXPECT_FALSE(ParseBitfieldType("u63")->is_signed);
  // Redis reads the width up to a NUL byte: "i8\0x" is i8.
  EXPECT_EQ(ParseBitfieldType(std::string_view("i8\0x", 4))->bits, 8);
  for (std::string_view text : {"I8", "u64", "i0", "i65", "i08", "i", "", "x8", "i-1"}) {
    EXPECT_EQ(ParseBitfieldType(text).status(), OpStatus::kBitfieldType) << text;
  }
}

TEST(BitfieldTest, SignedWrapSatFail) {
  std::string value;
  // BITFIELD bf SET i8 0 100 GET i8 0 INCRBY i8 0 100 GET u8 0 -> 0 100 -56 200.
  EXPECT_EQ(Bitfield(value, {"set", "i8", "0", "100", "get", "i8", "0", "incrby", "i8", "0", "100",
                             "get", "u8", "0"}),
            (Replies{0, 100, -56, 200}));
  EXPECT_EQ(value, Bytes({0xC8}));
  // OVERFLOW SAT INCRBY i8 0 100 / -300, OVERFLOW FAIL INCRBY i8 0 -1, GET -> 44 -128 nil -128.
  EXPECT_EQ(
      Bitfield(value, {"overflow", "sat", "incrby", "i8", "0", "100", "incrby", "i8", "0", "-300",
                       "overflow", "fail", "incrby", "i8", "0", "-1", "get", "i8", "0"}),
      (Replies{44, -128, std::nullopt, -128}));
  // i5 at bit 3: SET -7, GET i5, GET u5, SET 16 (wraps to -16), SAT SET 16, SAT SET -17.
  value.clear();
  EXPECT_EQ(Bitfield(value, {"set", "i5", "3",   "-7", "get", "i5", "3",        "get",
                             "u5",  "3",  "set", "i5", "3",   "16", "overflow", "sat",
                             "set", "i5", "3",   "16", "set", "i5", "3",        "-17"}),
            (Replies{0, -7, 25, -7, -16, 15}));
  EXPECT_EQ(value, Bytes({0x10}));
}

TEST(BitfieldTest, SixtyFourBitFields) {
  std::string value;
  EXPECT_EQ(Bitfield(value, {"set",      "i64",
                             "0",        "-1",
                             "incrby",   "i64",
                             "0",        "1",
                             "set",      "i64",
                             "0",        "9223372036854775807",
                             "incrby",   "i64",
                             "0",        "1",
                             "overflow", "sat",
                             "incrby",   "i64",
                             "0",        "-9223372036854775808",
                             "incrby",   "i64",
                             "0",        "-1",
                             "overflow", "fail",
                             "incrby",   "i64",
                             "0",        "-1"}),
            (Replies{0, 0, 0, INT64_MIN, INT64_MIN, INT64_MIN, std::nullopt}));
  EXPECT_EQ(value, Bytes({0x80, 0, 0, 0, 0, 0, 0, 0}));
  value.clear();
  EXPECT_EQ(Bitfield(value, {"set",    "u63", "1",        "9223372036854775807",
                             "get",    "u63", "1",        "get",
                             "i64",    "0",   "incrby",   "u63",
                             "1",      "1",   "overflow", "sat",
                             "incrby", "u63", "1",        "-5"}),
            (Replies{0, INT64_MAX, INT64_MAX, 0, 0}));
  EXPECT_EQ(value, std::string(8, '\0'));
}

TEST(BitfieldTest, UnsignedSetsOfNegativeValues) {
  std::string value = Bytes({0x80});
  // SET u4 #1 15, INCRBY u4 #1 1 (wraps), SAT INCRBY 100, FAIL INCRBY 1, GET u4 4.
  EXPECT_EQ(Bitfield(value, {"set",      "u4",  "#1",     "15", "incrby", "u4",  "#1",       "1",
                             "overflow", "sat", "incrby", "u4", "#1",     "100", "overflow", "fail",
                             "incrby",   "u4",  "#1",     "1",  "get",    "u4",  "4"}),
            (Replies{0, 0, 15, std::nullopt, 15}));
  EXPECT_EQ(value, Bytes({0x8F}));
  // A negative SET into an unsigned field counts as too large: SAT stores the maximum.
  value.clear();
  EXPECT_EQ(Bitfield(value, {"overflow", "sat",      "set",  "u8",  "0",   "-1",       "overflow",
                             "wrap",     "set",      "u8",   "8",   "-1",  "overflow", "fail",
                             "set",      "u8",       "16",   "-1",  "set", "u8",       "16",
                             "256",      "overflow", "wrap", "set", "u8",  "16",       "257"}),
            (Replies{0, 0, std::nullopt, std::nullopt, 0}));
  EXPECT_EQ(value, Bytes({0xFF, 0xFF, 0x01}));
}

TEST(BitfieldTest, SaturatingNearInt64MinReproducesRedis) {
  // Redis's headroom arithmetic wraps for these: INT64_MIN..INT64_MIN+127 saturate to 127.
  std::string value;
  EXPECT_EQ(Bitfield(value, {"overflow", "sat", "set", "i8", "0", "-9223372036854775808", "get",
                             "i8", "0"}),
            (Replies{0, 127}));
  EXPECT_EQ(Bitfield(value, {"overflow", "sat", "set", "i8", "0", "-9223372036854775681", "get",
                             "i8", "0"}),
            (Replies{127, 127}));
  EXPECT_EQ(Bitfield(value, {"overflow", "sat", "set", "i8", "0", "-9223372036854775680", "get",
                             "i8", "0"}),
            (Replies{127, -128}));
}

TEST(BitfieldTest, FailStillGrowsAndReadsNeedNoKey) {
  std::string value;
  // BITFIELD bf OVERFLOW FAIL SET u2 0 4 -> nil, yet the key now holds "\x00".
  EXPECT_EQ(Bitfield(value, {"overflow", "fail", "set", "u2", "0", "4"}), (Replies{std::nullopt}));
  EXPECT_EQ(value, std::string(1, '\0'));
  // GETs alone read a missing key as zeros without creating it.
  std::vector<std::string_view> args{"get", "i8", "0", "get", "u4", "#3"};
  auto plan = ParseBitfield(args);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->read_only);
  EXPECT_EQ(BitfieldRead("", *plan), (std::vector<int64_t>{0, 0}));
}

TEST(BitfieldTest, ParseErrorsInRedisOrder) {
  auto status = [](std::vector<std::string_view> args) { return ParseBitfield(args).status(); };
  EXPECT_EQ(status({"get", "u8", "0", "overflow", "foo"}), OpStatus::kBitfieldOverflowType);
  EXPECT_EQ(status({"get", "u8"}), OpStatus::kSyntaxError);
  EXPECT_EQ(status({"get", "u8", "0", "incrby"}), OpStatus::kSyntaxError);
  EXPECT_EQ(status({"set", "u8", "0", "x"}), OpStatus::kNotInteger);
  EXPECT_EQ(status({"bogus"}), OpStatus::kSyntaxError);
  EXPECT_EQ(status({"incrby", "u8", "0", "1.5"}), OpStatus::kNotInteger);
  EXPECT_EQ(status({"get", "u64", "0", "get", "x", "0"}), OpStatus::kBitfieldType);
  EXPECT_EQ(status({"get", "i8", "-1"}), OpStatus::kBitOffset);
  EXPECT_EQ(status({"overflow"}), OpStatus::kSyntaxError);
  // The type is checked before the offset, the offset before the value.
  EXPECT_EQ(status({"set", "u99", "-1", "x"}), OpStatus::kBitfieldType);
  EXPECT_EQ(status({"set", "u8", "-1", "x"}), OpStatus::kBitOffset);
  // BITFIELD bf and BITFIELD bf OVERFLOW SAT answer an empty array.
  EXPECT_TRUE(ParseBitfield({}).ok());
  std::vector<std::string_view> only_overflow{"overflow", "sat"};
  EXPECT_TRUE(ParseBitfield(only_overflow)->ops.empty());
  std::vector<std::string_view> writes{"get", "u8", "0", "set", "u8", "#2", "1"};
  auto plan = ParseBitfield(writes);
  EXPECT_FALSE(plan->read_only);  // BITFIELD_RO replies kBitfieldReadOnly
  EXPECT_EQ(plan->highest_write_bit, 23u);
}

}  // namespace
}  // namespace magnetar::commands
