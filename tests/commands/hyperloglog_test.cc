// The HyperLogLog codec: the hash, the sparse opcodes and their rewriting, promotion to dense,
// the estimator, and corrupt strings read without going out of bounds. Expected bytes, registers
// and counts were read from redis-server 7.0.15 (PFADD, then GET or PFDEBUG DECODE / PFCOUNT).
#include "magnetar/commands/hyperloglog.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace magnetar::commands::hll {
namespace {

std::string Header(Encoding encoding) {
  std::string header("HYLL\0\0\0\0\0\0\0\0\0\0\0\x80", 16);
  header[4] = static_cast<char>(encoding);
  return header;
}
std::string Sparse(std::string_view opcodes) {
  return Header(Encoding::kSparse) + std::string(opcodes);
}

std::string Elements(std::string& hll, int from, int to,
                     uint64_t max_bytes = kDefaultSparseMaxBytes) {
  for (int i = from; i < to; ++i) Add(hll, std::to_string(i), max_bytes);
  return hll;
}

TEST(HyperLogLogTest, HashPicksRedisRegisterAndValue) {
  // PFADD x a, then PFDEBUG DECODE x: "Z:12711 v:2,1 Z:3672".
  Pattern a = PatternOf("a");
  EXPECT_EQ(a.index, 12711u);
  EXPECT_EQ(a.value, 2);
  // The published test vector of MurmurHash64A with seed 0 over the empty input.
  EXPECT_EQ(MurmurHash64A("", 0), 0u);
}

TEST(HyperLogLogTest, NewHllIsOneXZero) {
  std::string hll = CreateSparse();
  EXPECT_EQ(hll, std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18));
  EXPECT_EQ(CachedCount(hll), 0u);
  EXPECT_EQ(Decode(hll), "Z:16384");
}

TEST(HyperLogLogTest, AddsSplitRunsAsRedisDoes) {
  std::string hll = CreateSparse();
  EXPECT_EQ(Add(hll, "a", kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(hll.substr(16), "\x71\xa6\x84\x4e\x57");
  EXPECT_EQ(Add(hll, "a", kDefaultSparseMaxBytes), AddResult::kUnchanged);
  Add(hll, "b", kDefaultSparseMaxBytes);
  Add(hll, "c", kDefaultSparseMaxBytes);
  EXPECT_EQ(hll.substr(16), "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a");
  EXPECT_EQ(Decode(hll), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  EXPECT_EQ(Count(hll), 3u);
}

// Redis merges from the opcode before the one it rewrote, so two equal VALs left unmerged ahead of
// it stay apart. Read from Redis: SET of these opcodes, then PFADD of k40151, k89444 and k100547
// (registers 2, 3 and 4, value 1).
TEST(HyperLogLogTest, EqualNeighbouringValsMerge) {
  std::string hll = Sparse("\x80\x80\x7f\xfd");  // v:1,1 v:1,1 Z:16382
  EXPECT_EQ(SetRegister(hll, 2, 1, kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(Decode(hll), "v:1,1 v:1,2 Z:16381");
  EXPECT_EQ(SetRegister(hll, 3, 1, kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(Decode(hll), "v:1,1 v:1,3 Z:16380");
  EXPECT_EQ(SetRegister(hll, 4, 1, kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(Decode(hll), "v:1,1 v:1,4 Z:16379");
  // Splitting a VAL keeps its value on both sides, and the part before merges with the VAL ahead.
  EXPECT_EQ(SetRegister(hll, 2, 3, kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(Decode(hll), "v:1,2 v:3,1 v:1,2 Z:16379");
  EXPECT_EQ(SetRegister(hll, 2, 2, kDefaultSparseMaxBytes), AddResult::kUnchanged);
}

TEST(HyperLogLogTest, PromotesAtTheByteLimitAndAboveValue32) {
  std::string hll = CreateSparse();
  Elements(hll, 0, 1000);
  EXPECT_EQ(EncodingOf(hll), Encoding::kSparse);
  EXPECT_EQ(hll.size(), 1923u);  // STRLEN after PFADD of "0".."999"
  std::string small = CreateSparse();
  Elements(small, 0, 1000, 1000);
  EXPECT_EQ(EncodingOf(small), Encoding::kDense);
  EXPECT_EQ(small.size(), kDenseSize);
  EXPECT_EQ(Count(small), Count(hll));

  std::string high = CreateSparse();
  EXPECT_EQ(SetRegister(high, 5, 33, kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(EncodingOf(high), Encoding::kDense);
  EXPECT_EQ(DenseRegister(high, 5), 33);
  EXPECT_EQ(DenseRegister(high, 4), 0);
  EXPECT_EQ(DenseRegister(high, 6), 0);
}

TEST(HyperLogLogTest, DenseRegistersPackSixBits) {
  std::string hll = CreateSparse();
  ASSERT_TRUE(ToDense(hll));
  for (uint32_t i : {0u, 1u, 2u, 3u, 16382u, 16383u}) SetRegister(hll, i, 63, 0);
  EXPECT_EQ(hll.substr(16, 3), "\xff\xff\xff");
  EXPECT_EQ(hll.substr(kDenseSize - 2), "\xf0\xff");
  EXPECT_EQ(DenseRegister(hll, 16383), 63);
  EXPECT_EQ(DenseRegister(hll, 16381), 0);
}

TEST(HyperLogLogTest, EstimatesMatchRedis) {
  std::string hll = CreateSparse();
  EXPECT_EQ(Count(hll), 0u);
  Elements(hll, 0, 1000);
  EXPECT_EQ(Count(hll), 1001u);
  Elements(hll, 1000, 100000);
  EXPECT_EQ(EncodingOf(hll), Encoding::kDense);
  EXPECT_EQ(Count(hll), 99565u);
  Registers registers{};
  ASSERT_TRUE(MergeInto(hll, registers));
  EXPECT_EQ(Count(registers), 99565u);
}

TEST(HyperLogLogTest, CacheHoldsTheCountLittleEndian) {
  std::string hll = CreateSparse();
  InvalidateCache(hll);
  EXPECT_EQ(CachedCount(hll), std::nullopt);
  StoreCount(hll, 0x0102030405);
  EXPECT_EQ(hll.substr(8, 8), std::string("\x05\x04\x03\x02\x01\0\0\0", 8));
  EXPECT_EQ(CachedCount(hll), 0x0102030405u);
}

TEST(HyperLogLogTest, ValidatesTheHeaderOnly) {
  EXPECT_TRUE(IsHll(CreateSparse()));
  EXPECT_TRUE(IsHll(Header(Encoding::kSparse)));  // the opcodes are checked when read
  EXPECT_FALSE(IsHll("HYLL\x01"));
  EXPECT_FALSE(IsHll("HYLX" + CreateSparse().substr(4)));
  std::string bad_encoding = CreateSparse();
  bad_encoding[4] = 2;
  EXPECT_FALSE(IsHll(bad_encoding));
  EXPECT_FALSE(IsHll(Header(Encoding::kDense) + std::string(100, '\0')));
  EXPECT_TRUE(IsHll(Header(Encoding::kDense) + std::string(kDenseSize - 16, '\0')));
}

TEST(HyperLogLogTest, CorruptSparseIsReportedNotOverrun) {
  const std::vector<std::string> corrupt = {
      Sparse(""),                              // no opcodes
      Sparse("\x7f"),                          // XZERO cut short: 16129 registers
      Sparse("\x7f\xfe"),                      // 16383 registers
      Sparse("\x7f\xff\x80"),                  // a VAL past the end
      Sparse(std::string("\x7f\xff\x00", 3)),  // a ZERO past the end
      Sparse(std::string(4097, '\xff')),       // VALs of 4 registers, one too many
  };
  for (const std::string& hll : corrupt) {
    SCOPED_TRACE(Decode(hll));
    EXPECT_EQ(Count(hll), std::nullopt);
    Registers registers{};
    EXPECT_FALSE(MergeInto(hll, registers));
    std::string copy = hll;
    EXPECT_FALSE(ToDense(copy));
    EXPECT_EQ(copy, hll);
  }
  // An add beyond the opcodes finds no run to change.
  std::string few = Sparse("\x7f\xfe");
  EXPECT_EQ(SetRegister(few, 16383, 1, kDefaultSparseMaxBytes), AddResult::kCorrupt);
  // A promotion of a corrupt HLL fails.
  std::string past = Sparse("\x7f\xff\x80");
  EXPECT_EQ(SetRegister(past, 0, 40, kDefaultSparseMaxBytes), AddResult::kCorrupt);
}

// A last XZERO missing its second byte reads it as 0, as Redis reads its string's terminator:
// 255 zero registers and 0x3f00 + 1 more make a valid HLL, and an add into the cut opcode
// rewrites it, leaving the string one byte short of the full rewrite.
TEST(HyperLogLogTest, CutXZeroReadsAsRedisDoes) {
  std::string hll = Sparse("\x3f\x3f\x3f\x3e\x7f");
  EXPECT_EQ(Decode(hll), "z:64 z:64 z:64 z:63 Z:16129");
  EXPECT_EQ(Count(hll), 0u);
  EXPECT_EQ(SetRegister(hll, 300, 2, kDefaultSparseMaxBytes), AddResult::kChanged);
  EXPECT_EQ(hll.substr(16), "\x3f\x3f\x3f\x3e\x2c\x84\x7e");
}

// Random damage to valid HLLs (bytes changed, the string cut or lengthened): every reader must
// stay inside the string (the ASan build checks) and the readers must agree on what is corrupt.
TEST(HyperLogLogTest, DamagedStringsAreReadSafely) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 3000; ++round) {
    std::string hll = CreateSparse();
    Elements(hll, 0, static_cast<int>(random() % 400));
    if (random() % 4 == 0) ToDense(hll);
    for (int damage = 0; damage < 3; ++damage) {
      switch (random() % 3) {
        case 0:
          if (hll.size() > 16) hll[16 + random() % (hll.size() - 16)] = static_cast<char>(random());
          break;
        case 1:
          hll.resize(16 + random() % (hll.size() - 15));
          break;
        default:
          hll.push_back(static_cast<char>(random()));
      }
    }
    if (!IsHll(hll)) continue;
    Registers registers{};
    bool merged = MergeInto(hll, registers);
    EXPECT_EQ(Count(hll).has_value(), merged) << Decode(hll);
    Decode(hll);
    std::string dense = hll;
    EXPECT_EQ(ToDense(dense), merged);
    for (int i = 0; i < 20; ++i) Add(hll, std::to_string(random()), kDefaultSparseMaxBytes);
  }
}

TEST(HyperLogLogTest, SelfTestPasses) { EXPECT_EQ(SelfTest(), std::nullopt); }

}  // namespace
}  // namespace magnetar::commands::hll
