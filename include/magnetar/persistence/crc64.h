// CRC-64 as RDB files and DUMP payloads use it: the Jones polynomial (0xad93d23594c935a9),
// reflected, initial value 0, no final xor. Crc64(0, "123456789") is 0xe9c6d914c4b8d9ca.
#pragma once

#include <cstdint>
#include <span>

namespace magnetar::persistence {

// Extends `crc` (0 to start) over `bytes`. Table-driven, 8 bytes per step, so a snapshot's
// checksum does not limit its save rate.
uint64_t Crc64(uint64_t crc, std::span<const uint8_t> bytes);

}  // namespace magnetar::persistence
