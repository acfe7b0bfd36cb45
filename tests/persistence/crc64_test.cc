#include "magnetar/persistence/crc64.h"

#include <gtest/gtest.h>

#include <string_view>

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

}  // namespace
}  // namespace magnetar::persistence
