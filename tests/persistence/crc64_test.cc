#include "magnetar/persistence/crc64.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace magnetar::persistence {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(Crc64, MatchesTheJonesCheckValue) {
  EXPECT_EQ(Crc64(0, Bytes("123456789")), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64, ExtendsAcrossPiecesOfAnyLength) {
  std::string_view text = "The quick brown fox jumps over the lazy dog, twice over: 0123456789";
  uint64_t whole = Crc64(0, Bytes(text));
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(Crc64(Crc64(0, Bytes(text.substr(0, cut))), Bytes(text.substr(cut))), whole);
  }
}

// One bit at a time, straight from the definition: independent of both of Crc64's methods.
uint64_t BitByBit(uint64_t crc, std::span<const uint8_t> bytes) {
  for (uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
  }
  return crc;
}

// Long inputs take the carry-less multiplication path where the CPU has it: every length around
// its 64-byte lanes and 16-byte blocks, at every alignment, from any CRC so far.
TEST(Crc64, AgreesWithTheDefinitionAtEveryLengthAlignmentAndStart) {
  std::mt19937_64 random(7);
  std::vector<uint8_t> data(4096 + 64);
  for (uint8_t& byte : data) byte = static_cast<uint8_t>(random());
  for (size_t length :
       {0, 1, 15, 16, 63, 64, 65, 79, 80, 127, 128, 129, 191, 200, 255, 256, 1000, 4095, 4096}) {
    for (size_t offset = 0; offset < 16; ++offset) {
      const uint64_t start = offset == 0 ? 0 : random();
      std::span<const uint8_t> bytes(data.data() + offset, length);
      ASSERT_EQ(Crc64(start, bytes), BitByBit(start, bytes)) << length << " at " << offset;
    }
  }
}

}  // namespace
}  // namespace magnetar::persistence
