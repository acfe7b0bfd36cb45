#include "magnetar/persistence/lzf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace magnetar::persistence {
namespace {

// Compresses `text` with `room` bytes of output; the compressed bytes, or "" when LZF gave up.
std::vector<uint8_t> Compress(std::string_view text, size_t room) {
  std::vector<uint8_t> out(room);
  out.resize(LzfCompress(text, out));
  return out;
}

std::string RandomBytes(size_t n, uint32_t seed, int alphabet = 256) {
  std::mt19937 random(seed);
  std::string text(n, '\0');
  for (char& c : text) c = static_cast<char>(random() % alphabet);
  return text;
}

// Round-trips `text` through the compressor and the decompressor.
void ExpectRoundTrip(const std::string& text) {
  // Incompressible data grows by one header per 32 literals at worst.
  std::vector<uint8_t> compressed = Compress(text, text.size() + text.size() / 32 + 4);
  ASSERT_FALSE(compressed.empty()) << "size " << text.size();
  std::vector<uint8_t> back(text.size());
  ASSERT_TRUE(LzfDecompress(compressed, back)) << "size " << text.size();
  EXPECT_EQ(std::string(back.begin(), back.end()), text);
}

TEST(Lzf, RoundTripsEverySmallSize) {
  for (size_t n = 1; n <= 300; ++n) {
    ExpectRoundTrip(std::string(n, 'a'));
    ExpectRoundTrip(RandomBytes(n, static_cast<uint32_t>(n)));
    ExpectRoundTrip(RandomBytes(n, static_cast<uint32_t>(n), 3));
  }
}

TEST(Lzf, RoundTripsPeriodicInputs) {
  // A reference shorter than the match it makes overlaps its own output: "abcabc..." copies from
  // 3 bytes back, over and over.
  for (size_t period = 1; period <= 12; ++period) {
    const std::string unit = RandomBytes(period, static_cast<uint32_t>(period));
    for (size_t n : {period * 2 + 1, size_t{50}, size_t{300}, size_t{5000}}) {
      std::string text;
      while (text.size() < n) text += unit;
      ExpectRoundTrip(text.substr(0, n));
    }
  }
}

TEST(Lzf, RoundTripsLongInputs) {
  // Past the 8 KiB window, longer than the longest match, and mixed runs of both kinds.
  std::string mixed;
  for (int i = 0; i < 2000; ++i) {
    mixed += "field:" + std::to_string(i % 37) + RandomBytes(i % 11, i) + std::string(i % 300, 'q');
  }
  ExpectRoundTrip(mixed);
  ExpectRoundTrip(std::string(100000, 'z'));
  ExpectRoundTrip(RandomBytes(70000, 7));
  ExpectRoundTrip(RandomBytes(70000, 8, 4));
}

TEST(Lzf, KnownOutput) {
  // 21 'x': two literals (position 0 is never a reference), then 19 bytes from one byte back:
  // length 19 - 2 = 7 + 10.
  std::vector<uint8_t> expected = {0x01, 'x', 'x', 0xe0, 0x0a, 0x00};
  EXPECT_EQ(Compress(std::string(21, 'x'), 17), expected);
  // No repetition: one run of 5 literals.
  expected = {0x04, 'a', 'b', 'c', 'd', 'e'};
  EXPECT_EQ(Compress("abcde", 16), expected);
}

TEST(Lzf, GivesUpWhenTheOutputDoesNotFit) {
  std::string text = RandomBytes(100, 1);
  EXPECT_TRUE(Compress(text, 100).empty());
  std::string runs(100, 'z');
  size_t needed = Compress(runs, 100).size();
  ASSERT_GT(needed, 0u);
  for (size_t room = 0; room < needed; ++room) EXPECT_TRUE(Compress(runs, room).empty()) << room;
  EXPECT_EQ(Compress(runs, needed + 8).size(), needed);
  EXPECT_TRUE(Compress("", 10).empty());
}

TEST(Lzf, RepeatedCallsDoNotSeeEachOthersInput) {
  // A position left in the hash table by one input must not become a reference in the next.
  std::string first = RandomBytes(5000, 3, 4);
  std::string second = RandomBytes(300, 4, 4);
  std::vector<uint8_t> alone = Compress(second, 400);
  Compress(first, 6000);
  EXPECT_EQ(Compress(second, 400), alone);
}

bool Decompresses(std::vector<uint8_t> in, size_t out_size) {
  std::vector<uint8_t> out(out_size);
  return LzfDecompress(in, out);
}

TEST(Lzf, DecompressorRefusesMalformedInput) {
  EXPECT_TRUE(Decompresses({0x02, 'a', 'b', 'c'}, 3));
  EXPECT_FALSE(Decompresses({0x02, 'a', 'b'}, 3)) << "literal run cut short";
  EXPECT_FALSE(Decompresses({0x02, 'a', 'b', 'c'}, 2)) << "output too small";
  EXPECT_FALSE(Decompresses({0x02, 'a', 'b', 'c'}, 4)) << "output not filled";
  EXPECT_FALSE(Decompresses({0x20, 0x00}, 3)) << "reference before the start";
  EXPECT_FALSE(Decompresses({0x00, 'a', 0x20, 0x01}, 4)) << "reference two bytes back of one";
  EXPECT_TRUE(Decompresses({0x00, 'a', 0x20, 0x00}, 4));
  EXPECT_FALSE(Decompresses({0x00, 'a', 0x20, 0x00}, 3)) << "reference past the output";
  EXPECT_FALSE(Decompresses({0x00, 'a', 0xe0}, 20)) << "long reference without its length";
  EXPECT_FALSE(Decompresses({0x00, 'a', 0xe0, 0x00}, 20)) << "reference without its offset";
  EXPECT_FALSE(Decompresses({0x00, 'a', 0x20}, 4)) << "reference without its offset";
  EXPECT_TRUE(Decompresses({}, 0));
  EXPECT_FALSE(Decompresses({}, 1));
}

TEST(Lzf, DecompressorSurvivesGarbage) {
  // Random bytes and corrupted compressed data: any answer is fine, but no access out of bounds
  // (the sanitizer build checks that) and a true answer only for a filled output.
  std::mt19937 random(42);
  std::vector<uint8_t> good = Compress(std::string(500, 'k') + RandomBytes(200, 5, 3), 800);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> in = good;
    if (round % 2) {
      in.resize(random() % 64);
      for (uint8_t& b : in) b = static_cast<uint8_t>(random());
    } else {
      in[random() % in.size()] = static_cast<uint8_t>(random());
      in.resize(in.size() - random() % 3);
    }
    std::vector<uint8_t> out(random() % 800);
    LzfDecompress(in, out);
  }
}

}  // namespace
}  // namespace magnetar::persistence
