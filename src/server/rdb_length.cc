#include "rdb_length.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "magnetar/common/numbers.h"

namespace magnetar::server {
namespace {

// The LZF format: a literal run is a header byte and 1 to 32 bytes; a back reference is 2 bytes
// (3 for lengths above 8) naming up to 264 bytes at most 8 KiB back.
constexpr size_t kMaxLiteralRun = 32;
constexpr size_t kMaxBackOffset = size_t{1} << 13;
constexpr size_t kMaxMatch = (size_t{1} << 8) + (size_t{1} << 3);
constexpr int kHashBits = 16;
constexpr size_t kHashSlots = size_t{1} << kHashBits;

// The compressor's hash of the three bytes at `p`: it picks which earlier position (the last one
// with the same slot) is tried as a match, so the compressed size depends on it exactly.
uint32_t HashSlot(const uint8_t* p) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return ((v >> (24 - kHashBits)) - v * 5) & (kHashSlots - 1);
}

// The RDB integer encodings of a value stored as a string: 1 type byte and 1, 2 or 4 bytes.
size_t IntegerEncodingBytes(int64_t value) {
  if (value >= INT8_MIN && value <= INT8_MAX) return 2;
  if (value >= INT16_MIN && value <= INT16_MAX) return 3;
  if (value >= INT32_MIN && value <= INT32_MAX) return 5;
  return 0;
}

// Redis tries the integer encodings only on texts of up to 11 bytes that read back identically.
size_t TryIntegerEncoding(std::string_view bytes) {
  constexpr size_t kMaxIntegerText = 11;
  if (bytes.size() > kMaxIntegerText) return 0;
  std::optional<int64_t> value = ParseInt64(bytes);
  if (!value) return 0;
  char text[kMaxInt64Chars];
  if (std::string_view(text, FormatInt64(*value, text)) != bytes) return 0;
  return IntegerEncodingBytes(*value);
}

}  // namespace

size_t RdbLengthBytes(uint64_t length) {
  if (length < (uint64_t{1} << 6)) return 1;
  if (length < (uint64_t{1} << 14)) return 2;
  if (length <= UINT32_MAX) return 5;
  return 9;
}

size_t LzfCompressedLength(std::string_view data, size_t room) {
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  if (n == 0 || room == 0) return 0;
  // The last position whose three bytes hashed to each slot. Position 0 is never used as a
  // reference by the compressor, so 0 also stands for "none".
  std::vector<uint32_t> last(kHashSlots, 0);
  size_t out = 1;  // the open literal run's header
  size_t literals = 0;
  auto add_literal = [&] {
    ++literals;
    ++out;
    if (literals == kMaxLiteralRun) {
      literals = 0;
      ++out;
    }
  };
  size_t ip = 0;
  while (ip + 2 < n) {
    uint32_t& slot = last[HashSlot(in + ip)];
    size_t ref = slot;
    slot = static_cast<uint32_t>(ip);
    bool match = ref > 0 && ip - ref - 1 < kMaxBackOffset && std::memcmp(in + ref, in + ip, 3) == 0;
    if (!match) {
      if (out >= room) return 0;
      add_literal();
      ++ip;
      continue;
    }
    // An empty run's header is taken back; the reference needs up to 3 bytes and the next
    // run's header one more.
    if (out - (literals == 0) + 4 >= room) return 0;
    out -= literals == 0;
    const size_t max_length = std::min(n - ip - 2, kMaxMatch);
    // The compressor compares 16 bytes unchecked before it looks at the limit when more than 16
    // may match, so a match can then run past max_length to the end of the input; its sizes
    // follow from that, so it is reproduced.
    size_t length = 2;
    bool mismatch = false;
    if (max_length > 16) {
      for (int i = 0; i < 16 && !mismatch; ++i) {
        ++length;
        mismatch = in[ref + length] != in[ip + length];
      }
    }
    if (!mismatch) {
      do {
        ++length;
      } while (length < max_length && in[ref + length] == in[ip + length]);
    }
    // `length` bytes match; the encoded length is length - 2, in the first byte below 7.
    out += length - 2 < 7 ? 2 : 3;
    literals = 0;
    ++out;
    ip += length;
    if (ip + 2 >= n) break;
    // The "very fast" variant hashes only the last two positions inside the match.
    last[HashSlot(in + ip - 2)] = static_cast<uint32_t>(ip - 2);
    last[HashSlot(in + ip - 1)] = static_cast<uint32_t>(ip - 1);
  }
  // At most three bytes are left, copied without further checks after this one.
  if (out + 3 > room) return 0;
  while (ip < n) {
    add_literal();
    ++ip;
  }
  return out - (literals == 0);
}

size_t RdbStringLength(std::string_view bytes) {
  if (size_t integer = TryIntegerEncoding(bytes)) return integer;
  // Redis does not try to compress 20 bytes or fewer, and keeps the compressed form only when it
  // saves more than 4 bytes.
  constexpr size_t kMinCompressed = 21;
  constexpr size_t kMinSaving = 4;
  if (bytes.size() >= kMinCompressed) {
    size_t compressed = LzfCompressedLength(bytes, bytes.size() - kMinSaving);
    if (compressed > 0) {
      // The encoding byte, the compressed and original lengths, then the compressed bytes.
      return 1 + RdbLengthBytes(compressed) + RdbLengthBytes(bytes.size()) + compressed;
    }
  }
  return RdbLengthBytes(bytes.size()) + bytes.size();
}

}  // namespace magnetar::server
