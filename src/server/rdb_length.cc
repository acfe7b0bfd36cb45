#include "rdb_length.h"

#include <optional>
#include <vector>

#include "magnetar/common/numbers.h"
#include "magnetar/persistence/lzf.h"

namespace magnetar::server {
namespace {

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
  // DEBUG OBJECT is rare; compressing into a scratch buffer keeps one LZF algorithm, the one
  // snapshots write with.
  std::vector<uint8_t> scratch(room);
  return persistence::LzfCompress(data, scratch);
}

size_t RdbStringLength(std::string_view bytes) {
  if (size_t integer = TryIntegerEncoding(bytes)) return integer;
  // Redis does not try to compress 20 bytes or fewer, and keeps the compressed form only when it
  // fits in 4 bytes fewer than the string.
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
