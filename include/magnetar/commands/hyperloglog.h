// HyperLogLog strings in Redis 7.0's exact format, so that the bytes GET returns match Redis's
// after the same adds and an HLL built by either server counts the same in the other.
//
// A HyperLogLog is a plain string value:
//
//   "HYLL" | encoding (1) | 3 unused bytes | cached cardinality (8, little-endian) | registers
//
// - encoding 0 is dense, 1 sparse; any other byte makes the string no HyperLogLog. A dense
//   string is exactly 16 + 12288 bytes: 16384 registers of 6 bits, register i at bit 6*i of the
//   register bytes, least significant bits first.
// - The most significant bit of the cardinality's last byte marks the cache invalid; every
//   change sets it, and PFCOUNT of one key writes the count it computes back into the string.
// - Sparse registers are run-length opcodes: ZERO `00xxxxxx` (1..64 zero registers), XZERO
//   `01xxxxxx yyyyyyyy` (1..16384 zero registers, 14 bits), VAL `1vvvvvxx` (1..4 registers of
//   value 1..32). A new key is sparse: one XZERO of 16384. An add that needs a value above 32,
//   or would make the string longer than hll-sparse-max-bytes, converts it to dense first; an
//   add rewrites the opcode covering its register and then merges equal neighbouring VALs, as
//   Redis does, which is what keeps the bytes identical.
//
// An element's register and value come from MurmurHash64A (seed 0xadc83b19): the low 14 bits
// choose the register, and the value is the position of the lowest set bit of the remaining 50
// bits (51 when all are zero). The count is Ertl's improved estimator ("New cardinality
// estimation algorithms for HyperLogLog sketches", 2017) over the histogram of register values.
//
// Every function that reads a string checks the bounds of what it reads: a corrupt HLL (whose
// opcodes do not cover exactly 16384 registers) is reported, never read past. Like Redis, a
// reader treats a byte past the end of the string as 0 (Redis reads its string's terminator).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace magnetar::commands::hll {

inline constexpr size_t kHeaderSize = 16;
inline constexpr uint32_t kRegisters = 16384;
inline constexpr size_t kDenseSize = kHeaderSize + kRegisters * 6 / 8;
inline constexpr uint64_t kDefaultSparseMaxBytes = 3000;  // hll-sparse-max-bytes

enum class Encoding : uint8_t { kDense = 0, kSparse = 1 };

// Austin Appleby's 64-bit MurmurHash2 for 64-bit platforms, reading blocks little-endian.
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// The register an element updates and the value it offers it (1..51).
struct Pattern {
  uint32_t index;
  uint8_t value;
};
Pattern PatternOf(std::string_view element);

// True when `bytes` passes Redis's check of an HLL value: long enough for the header, the magic,
// a known encoding, and a dense one of exactly kDenseSize bytes. The registers of a sparse one
// are checked only when read.
bool IsHll(std::string_view bytes);
// REQUIRES (for the functions below that take an HLL): IsHll(hll).
Encoding EncodingOf(std::string_view hll);

// A new, empty sparse HLL whose cache says 0.
std::string CreateSparse();

// The cached cardinality, or nullopt when the cache is marked invalid.
std::optional<uint64_t> CachedCount(std::string_view hll);
void StoreCount(std::span<char> hll, uint64_t count);
void InvalidateCache(std::span<char> hll);

enum class AddResult : uint8_t { kUnchanged, kChanged, kCorrupt };

// Raises register `index` to `value` if it is lower. Sparse strings are edited (and converted to
// dense) as Redis does; see the file comment. Leaves the cache alone.
AddResult SetRegister(std::string& hll, uint32_t index, uint8_t value, uint64_t sparse_max_bytes);
// SetRegister with the element's pattern.
AddResult Add(std::string& hll, std::string_view element, uint64_t sparse_max_bytes);
// Add on a dense HLL edited in place. REQUIRES: EncodingOf(hll) == kDense.
bool AddDense(std::span<char> hll, std::string_view element);
// Converts a sparse HLL to dense (the cache kept); false, leaving it alone, when it is corrupt.
bool ToDense(std::string& hll);

// One byte per register: PFCOUNT and PFMERGE of several keys collect the maximum of each here.
using Registers = std::array<uint8_t, kRegisters>;
// Raises each of `max` to `hll`'s register; false when `hll` is corrupt.
bool MergeInto(std::string_view hll, Registers& max);
// The register values of a dense HLL (PFDEBUG GETREG).
uint8_t DenseRegister(std::string_view hll, uint32_t index);

// The estimate from the registers; nullopt when a sparse HLL is corrupt. Ignores the cache.
std::optional<uint64_t> Count(std::string_view hll);
uint64_t Count(const Registers& registers);

// PFDEBUG DECODE's text of a sparse HLL: "z:<len>", "Z:<len>" and "v:<value>,<len>" opcodes.
std::string Decode(std::string_view hll);

// PFSELFTEST: checks the dense register layout and the estimator's error; nullopt when all
// passed, else Redis-style error text.
std::optional<std::string> SelfTest();

}  // namespace magnetar::commands::hll
