// How many bytes Redis 7.0's RDB format takes for a string value, without keeping the encoded
// form: DEBUG OBJECT reports this as `serializedlength`. The sizes follow the format's rules
// (integer encodings, LZF compression with rdbcompression's default `yes`, through the same
// compressor as persistence's RdbWriter) so that the figure matches Redis's for the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace magnetar::server {

// Bytes of the length prefix the RDB format writes before `length` bytes: 1, 2, 5 or 9.
size_t RdbLengthBytes(uint64_t length);

// Bytes persistence::LzfCompress (liblzf 3.6's output, as Redis 7.0 builds it) writes for
// `data` when it has `room` bytes of output, or 0 when the output would not fit (liblzf gives up
// then).
size_t LzfCompressedLength(std::string_view data, size_t room);

// Bytes of a string value in an RDB file (without its key and type byte): a short canonical
// integer as an 8, 16 or 32-bit integer, a string of more than 20 bytes LZF-compressed when the
// compressed bytes fit in 4 fewer, any other string as its length and bytes.
size_t RdbStringLength(std::string_view bytes);

}  // namespace magnetar::server
