// Expected values were read from a real redis-server 7.0.15 (LCS a b [LEN|IDX ...]).
#include "magnetar/commands/lcs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace magnetar::commands {
namespace {

// The IDX reply's matches as flat numbers, as redis-cli prints them.
std::vector<uint32_t> Flat(const LcsResult& result, bool with_length) {
  std::vector<uint32_t> flat;
  for (const LcsMatch& m : result.matches) {
    flat.insert(flat.end(), {m.a_start, m.a_end, m.b_start, m.b_end});
    if (with_length) flat.push_back(m.length);
  }
  return flat;
}

LcsOptions Options(LcsOutput output, int64_t min_match_len = 0,
                   uint64_t max_table_bytes = 512ull << 20) {
  return {output, min_match_len, max_table_bytes};
}

LcsResult Idx(std::string_view a, std::string_view b, int64_t min_match_len = 0) {
  auto result = Lcs(a, b, Options(LcsOutput::kMatches, min_match_len));
  EXPECT_TRUE(result.ok());
  return result.ok() ? *result : LcsResult{};
}

TEST(LcsTest, SequenceAndLength) {
  EXPECT_EQ(Lcs("ohmytext", "mynewtext")->sequence, "mytext");
  EXPECT_EQ(Lcs("ohmytext", "mynewtext", Options(LcsOutput::kLength))->length, 6u);
  // Among equally long subsequences Redis's walk picks these.
  EXPECT_EQ(Lcs("abcab", "bacba")->sequence, "bab");
  EXPECT_EQ(Lcs("bacba", "abcab")->sequence, "aba");
  EXPECT_EQ(Lcs("", "ohmytext")->sequence, "");
  EXPECT_EQ(Lcs("", "ohmytext", Options(LcsOutput::kLength))->length, 0u);
  std::string binary_a("\0\xff\0x", 4), binary_b("\xff\0", 2);
  EXPECT_EQ(Lcs(binary_a, binary_b)->sequence, std::string("\xff\0", 2));
}

TEST(LcsTest, IdxRangesFromTheEndBackwards) {
  LcsResult r = Idx("ohmytext", "mynewtext");
  EXPECT_EQ(r.length, 6u);
  EXPECT_TRUE(r.sequence.empty());
  EXPECT_EQ(Flat(r, false), (std::vector<uint32_t>{4, 7, 5, 8, 2, 3, 0, 1}));
  EXPECT_EQ(Flat(r, true), (std::vector<uint32_t>{4, 7, 5, 8, 4, 2, 3, 0, 1, 2}));
  EXPECT_EQ(Flat(Idx("ohmytext", "mynewtext", 4), false), (std::vector<uint32_t>{4, 7, 5, 8}));
  EXPECT_EQ(Flat(Idx("ohmytext", "mynewtext", 3), true), (std::vector<uint32_t>{4, 7, 5, 8, 4}));
  // A negative MINMATCHLEN counts as 0.
  EXPECT_EQ(Flat(Idx("ohmytext", "mynewtext", -5), false),
            (std::vector<uint32_t>{4, 7, 5, 8, 2, 3, 0, 1}));
  EXPECT_EQ(Flat(Idx("abcab", "bacba"), true),
            (std::vector<uint32_t>{4, 4, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 0, 0, 1}));
  EXPECT_EQ(Flat(Idx("AAAA", "AA"), true), (std::vector<uint32_t>{2, 3, 0, 1, 2}));
  EXPECT_EQ(Flat(Idx("AA", "AAAA"), true), (std::vector<uint32_t>{0, 1, 2, 3, 2}));
  LcsResult empty = Idx("", "ohmytext");
  EXPECT_EQ(empty.length, 0u);
  EXPECT_TRUE(empty.matches.empty());
}

TEST(LcsTest, RefusesTablesOverProtoMaxBulkLen) {
  // With proto-max-bulk-len 1mb Redis accepts LCS of two 511-byte strings (512*512*4 bytes of
  // table) and refuses 511 x 512, for LEN as well as for the other forms.
  const std::string a511(511, 'a'), a512(512, 'a');
  const uint64_t one_mb = 1 << 20;
  auto fits = Lcs(a511, a511, Options(LcsOutput::kLength, 0, one_mb));
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->length, 511u);
  for (LcsOutput output : {LcsOutput::kLength, LcsOutput::kSequence, LcsOutput::kMatches}) {
    EXPECT_EQ(Lcs(a511, a512, Options(output, 0, one_mb)).status(), OpStatus::kLcsTableTooBig);
  }
  EXPECT_EQ(ErrorText(OpStatus::kLcsTableTooBig),
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
}

}  // namespace
}  // namespace magnetar::commands
