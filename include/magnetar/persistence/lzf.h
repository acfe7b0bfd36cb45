// LZF compression as RDB files use it for strings (rdbcompression yes). The compressor makes the
// same choices as liblzf 3.6 as Redis builds it, so a value compresses to the same bytes and
// DEBUG OBJECT's serializedlength agrees with Redis's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace magnetar::persistence {

// Compresses `in` into `out`; returns the compressed size, or 0 when it does not fit in
// out.size() bytes (the caller then stores the string as it is).
size_t LzfCompress(std::string_view in, std::span<uint8_t> out);

// Decompresses `in` into `out`, which must be exactly the original length. False when the input
// is malformed or does not produce exactly out.size() bytes (a corrupt file or payload).
bool LzfDecompress(std::span<const uint8_t> in, std::span<uint8_t> out);

}  // namespace magnetar::persistence
