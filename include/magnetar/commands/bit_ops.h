// The algorithms behind GETBIT, SETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD, over plain byte
// strings so they know nothing of the keyspace: a handler loads the value, calls one of these,
// stores the result and replies. Bit order is Redis's: bit 0 is the most significant bit of byte
// 0, bit 8 the most significant bit of byte 1, and so on. Bytes past the end of a string read as
// zero everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/common/status.h"

namespace magnetar::commands {

// proto-max-bulk-len's default. Bit commands refuse offsets whose byte lies at or past it.
inline constexpr uint64_t kDefaultMaxBulkLen = 512ull * 1024 * 1024;

// ---- Argument parsing (each returns the exact error Redis replies with) ----

// Parses a bit offset: an integer in [0, max_bulk_len * 8). With `hash_bits` non-zero (BITFIELD),
// "#N" means N * hash_bits, multiplied in 64 bits with wraparound as Redis does. Fails with
// kBitOffset.
Result<uint64_t> ParseBitOffset(std::string_view text, uint64_t max_bulk_len,
                                unsigned hash_bits = 0);

// SETBIT's value: "0" or "1". Fails with kBitValue.
Result<bool> ParseBitValue(std::string_view text);

// BITPOS's bit: an integer (else kNotInteger) that is 0 or 1 (else kBitPosArgument).
Result<bool> ParseBitPosBit(std::string_view text);

// Unit of BITCOUNT / BITPOS ranges.
enum class BitUnit : uint8_t { kByte, kBit };

// "BYTE" or "BIT", any case; nullopt means Redis's syntax error.
std::optional<BitUnit> ParseBitUnit(std::string_view text);

// ---- Single bits ----

// The bit at `offset`; false past the end.
bool GetBit(std::string_view value, uint64_t offset);

struct SetBitOutcome {
  bool old_bit;
  // The string grew or the bit flipped: what makes Redis signal a change and count it as dirty.
  bool changed;
};

// Sets the bit at `offset`, first growing `value` with zero bytes to hold it.
SetBitOutcome SetBit(std::string& value, uint64_t offset, bool bit);

// Sets the bit at `offset` of a string edited in place and returns the old bit.
// REQUIRES: value.size() > offset / 8.
bool SetBit(std::span<char> value, uint64_t offset, bool bit);

// ---- BITCOUNT ----

// Set bits in the whole string. Counts 64-bit words with the CPU's popcount.
uint64_t BitCount(std::string_view value);

// Set bits between `start` and `end` inclusive, counted in `unit`s. Negative indexes count from
// the end; the range is clamped to the string; an empty range (start > end after normalising, or
// both negative with start > end) counts 0.
uint64_t BitCount(std::string_view value, int64_t start, int64_t end, BitUnit unit);

// ---- BITPOS ----

struct BitPosRange {
  int64_t start = 0;
  // Absent means "to the end of the string". It matters beyond the default end: looking for a 0
  // in a string of ones answers the first bit past the string when no end was given, but -1 when
  // one was.
  std::optional<int64_t> end;
  BitUnit unit = BitUnit::kByte;
};

// The position (in bits from the start of the string) of the first bit equal to `bit` inside the
// range, or -1 when there is none (see BitPosRange::end for the one exception). An empty value is
// handled as Redis handles an existing empty string (-1 for both bits); a missing key is the
// handler's business (Redis answers 0 when looking for 0 and -1 when looking for 1).
int64_t BitPos(std::string_view value, bool bit, const BitPosRange& range = {});

// ---- BITOP ----

enum class BitOpKind : uint8_t { kAnd, kOr, kXor, kNot };

// "AND", "OR", "XOR" or "NOT", any case; nullopt means Redis's syntax error.
std::optional<BitOpKind> ParseBitOpKind(std::string_view text);

// The result of BITOP over `inputs` (a missing key is an empty input). The result is as long as
// the longest input, shorter inputs count as zero-padded. An empty result means the destination
// key is to be deleted. REQUIRES: exactly one input for kNot (the handler replies
// kBitOpNotSingleKey before looking keys up otherwise), at least one for the others.
std::string BitOp(BitOpKind op, std::span<const std::string_view> inputs);

// ---- BITFIELD ----

struct BitfieldType {
  bool is_signed;
  uint8_t bits;  // 1..64 signed, 1..63 unsigned
};

// "i1".."i64" or "u1".."u63" (lowercase prefix only). Fails with kBitfieldType.
Result<BitfieldType> ParseBitfieldType(std::string_view text);

enum class BitfieldOverflow : uint8_t { kWrap, kSat, kFail };
enum class BitfieldOpcode : uint8_t { kGet, kSet, kIncrBy };

struct BitfieldOp {
  BitfieldOpcode opcode;
  BitfieldType type;
  uint64_t offset;   // in bits, '#' already multiplied out
  int64_t argument;  // SET's value or INCRBY's increment; 0 for GET
  BitfieldOverflow overflow;
};

struct BitfieldPlan {
  std::vector<BitfieldOp> ops;
  bool read_only = true;  // only GETs: the key is neither created nor grown
  // Last bit any SET/INCRBY touches; the string must reach it before the ops run.
  uint64_t highest_write_bit = 0;
};

// Parses BITFIELD's subcommands (the arguments after the key) in Redis's order, stopping at the
// first error: kSyntaxError, kBitfieldOverflowType, kBitfieldType, kBitOffset or kNotInteger.
// The handler replies kBitfieldReadOnly for BITFIELD_RO when !read_only.
Result<BitfieldPlan> ParseBitfield(std::span<const std::string_view> args,
                                   uint64_t max_bulk_len = kDefaultMaxBulkLen);

// Reads one field; bits past the end read as zero. Unsigned fields (at most 63 bits) fit too.
int64_t BitfieldGet(std::string_view value, BitfieldType type, uint64_t offset);

// Runs a plan with writes: grows `value` with zero bytes to reach plan.highest_write_bit, then
// runs every op in order. Each reply is the field's value (GET), the old value (SET), the new
// value (INCRBY), or nullopt (nil) where OVERFLOW FAIL refused a write. Every SET and INCRBY
// counts as a change for Redis, refused ones included.
std::vector<std::optional<int64_t>> BitfieldApply(std::string& value, const BitfieldPlan& plan);

// BitfieldApply on a string edited in place. REQUIRES: for a plan with writes, value.size() >
// plan.highest_write_bit / 8 (the caller grew it).
std::vector<std::optional<int64_t>> BitfieldApply(std::span<char> value, const BitfieldPlan& plan);

// Runs a read-only plan against a value that may be missing (pass an empty view).
std::vector<int64_t> BitfieldRead(std::string_view value, const BitfieldPlan& plan);

}  // namespace magnetar::commands
