// The constants of Redis's RDB format, version 10 (Redis 7.0), as its documentation and file
// layout define them. docs/persistence.md describes the format and what Magnetar writes.
#pragma once

#include <cstdint>
#include <string_view>

namespace magnetar::persistence {

// "REDIS" followed by the version as four ASCII digits.
inline constexpr std::string_view kRdbMagic = "REDIS";
inline constexpr int kRdbVersion = 10;
// Redis 7.0 refuses files newer than its own version; older ones load (their encodings included).
inline constexpr int kRdbOldestVersion = 1;

// Value type bytes.
enum RdbType : uint8_t {
  kRdbString = 0,
  kRdbList = 1,
  kRdbSet = 2,
  kRdbZSet = 3,
  kRdbHash = 4,
  kRdbZSet2 = 5,  // scores as binary doubles
  kRdbModule = 6,
  kRdbModule2 = 7,
  kRdbHashZipmap = 9,
  kRdbListZiplist = 10,
  kRdbSetIntset = 11,
  kRdbZSetZiplist = 12,
  kRdbHashZiplist = 13,
  kRdbListQuicklist = 14,
  kRdbStreamListpacks = 15,
  kRdbHashListpack = 16,
  kRdbZSetListpack = 17,
  kRdbListQuicklist2 = 18,
  kRdbStreamListpacks2 = 19,
};

// Opcodes that precede keys or stand between them.
enum RdbOpcode : uint8_t {
  kRdbOpFunction2 = 245,
  kRdbOpFunction = 246,
  kRdbOpModuleAux = 247,
  kRdbOpIdle = 248,
  kRdbOpFreq = 249,
  kRdbOpAux = 250,
  kRdbOpResizeDb = 251,
  kRdbOpExpireTimeMs = 252,
  kRdbOpExpireTime = 253,
  kRdbOpSelectDb = 254,
  kRdbOpEof = 255,
};

// Length encoding: the top two bits of the first byte.
inline constexpr uint8_t kRdb6BitLength = 0;      // 00xxxxxx
inline constexpr uint8_t kRdb14BitLength = 1;     // 01xxxxxx xxxxxxxx (big end first)
inline constexpr uint8_t kRdb32BitLength = 0x80;  // then 4 bytes, big end first
inline constexpr uint8_t kRdb64BitLength = 0x81;  // then 8 bytes, big end first
inline constexpr uint8_t kRdbEncodedValue = 3;    // 11xxxxxx: a special string encoding
// The special string encodings (the low 6 bits after 11).
inline constexpr uint8_t kRdbEncInt8 = 0;
inline constexpr uint8_t kRdbEncInt16 = 1;
inline constexpr uint8_t kRdbEncInt32 = 2;
inline constexpr uint8_t kRdbEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// A DUMP payload: the value (type byte and encoding), then the RDB version as 2 bytes little
// endian, then the CRC64 of everything before it, 8 bytes little endian.
inline constexpr size_t kDumpFooterBytes = 10;

}  // namespace magnetar::persistence
