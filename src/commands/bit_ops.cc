// Bit algorithms over byte strings. The hot paths (BITCOUNT, BITPOS, BITOP) work on 64-bit words
// loaded with memcpy, so they need no alignment and compile to plain loads; bytes are only touched
// one by one at the ragged edges of a range. Range normalisation and overflow handling follow
// Redis 7.0 step by step, including its quirks, because replies must match byte for byte.
#include "magnetar/commands/bit_ops.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"

namespace magnetar::commands {
namespace {

const uint8_t* Bytes(std::string_view value) {
  return reinterpret_cast<const uint8_t*>(value.data());
}

uint64_t LoadWord(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

void StoreWord(uint8_t* p, uint64_t word) { std::memcpy(p, &word, sizeof(word)); }

// Compiled twice, with and without the POPCNT instruction, and picked at load time: without the
// instruction, __builtin_popcountll becomes a slow library call on baseline x86-64.
__attribute__((target_clones("popcnt", "default"))) uint64_t PopcountBytes(const uint8_t* p,
                                                                           size_t n) {
  uint64_t count = 0;
  size_t i = 0;
  // Four independent words per step keep several popcounts in flight.
  for (; i + 32 <= n; i += 32) {
    count += __builtin_popcountll(LoadWord(p + i)) + __builtin_popcountll(LoadWord(p + i + 8)) +
             __builtin_popcountll(LoadWord(p + i + 16)) +
             __builtin_popcountll(LoadWord(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) count += __builtin_popcountll(LoadWord(p + i));
  for (; i < n; ++i) count += __builtin_popcount(p[i]);
  return count;
}

// An inclusive range of bit positions inside a string.
struct BitSpan {
  uint64_t first;
  uint64_t last;
};

// Redis's range normalisation for BITCOUNT and BITPOS: negative indexes count from the end, then
// both ends are clamped into the string. nullopt for an empty range.
std::optional<BitSpan> NormalizeRange(int64_t start, int64_t end, size_t size, BitUnit unit) {
  const int64_t length = static_cast<int64_t>(unit == BitUnit::kBit ? size * 8 : size);
  if (start < 0) start += length;
  if (end < 0) end += length;
  start = std::max<int64_t>(start, 0);
  end = std::max<int64_t>(end, 0);
  if (end >= length) end = length - 1;
  if (start > end) return std::nullopt;
  const auto first = static_cast<uint64_t>(start);
  const auto last = static_cast<uint64_t>(end);
  if (unit == BitUnit::kBit) return BitSpan{first, last};
  return BitSpan{first * 8, last * 8 + 7};
}

// Mask of the bits of a byte at or after bit `index & 7`, and at or before it.
uint8_t BitsFrom(uint64_t index) { return static_cast<uint8_t>(0xFF >> (index & 7)); }
uint8_t BitsUpTo(uint64_t index) { return static_cast<uint8_t>(0xFF << (7 - (index & 7))); }

uint64_t CountSpan(const uint8_t* p, BitSpan span) {
  const uint64_t first_byte = span.first >> 3;
  const uint64_t last_byte = span.last >> 3;
  uint64_t count = PopcountBytes(p + first_byte, last_byte - first_byte + 1);
  // Take back the bits of the edge bytes that lie outside the span (disjoint masks, so this is
  // right even when both edges are the same byte).
  count -= std::popcount(static_cast<uint8_t>(p[first_byte] & ~BitsFrom(span.first)));
  count -= std::popcount(static_cast<uint8_t>(p[last_byte] & ~BitsUpTo(span.last)));
  return count;
}

// First bit equal to `bit` inside `span`, or -1. Searching for 0 is searching for 1 in the
// complemented bytes, hence `flip`.
int64_t FindBit(const uint8_t* p, BitSpan span, bool bit) {
  const uint8_t flip = bit ? 0x00 : 0xFF;
  const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
  const uint64_t last_byte = span.last >> 3;
  uint64_t byte = span.first >> 3;
  auto hit = [](uint64_t at, uint8_t bits) {
    return static_cast<int64_t>(at * 8 + std::countl_zero(bits));
  };

  uint8_t head = BitsFrom(span.first);
  if (byte == last_byte) head &= BitsUpTo(span.last);
  if (uint8_t found = (p[byte] ^ flip) & head) return hit(byte, found);
  if (byte == last_byte) return -1;
  ++byte;
  // Skip whole words holding no candidate, then finish byte by byte up to the last byte.
  while (byte + 8 <= last_byte && LoadWord(p + byte) == skip_word) byte += 8;
  for (; byte < last_byte; ++byte) {
    if (uint8_t found = p[byte] ^ flip) return hit(byte, found);
  }
  if (uint8_t found = (p[last_byte] ^ flip) & BitsUpTo(span.last)) return hit(last_byte, found);
  return -1;
}

// Applies `combine(out_word, in_word)` over the first `n` bytes of `out`, a word at a time.
template <typename Combine>
void CombineInto(uint8_t* out, const uint8_t* in, size_t n, Combine combine) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) StoreWord(out + i, combine(LoadWord(out + i), LoadWord(in + i)));
  for (; i < n; ++i) out[i] = static_cast<uint8_t>(combine(uint64_t{out[i]}, uint64_t{in[i]}));
}

// Bitfield access one bit at a time: fields are at most 64 bits and may start anywhere.
uint64_t ReadBits(std::string_view value, uint64_t offset, unsigned bits) {
  const uint8_t* p = Bytes(value);
  uint64_t field = 0;
  for (uint64_t i = offset; i < offset + bits; ++i) {
    const uint64_t byte = i >> 3;
    const uint64_t bit = byte < value.size() ? (p[byte] >> (7 - (i & 7))) & 1 : 0;
    field = (field << 1) | bit;
  }
  return field;
}

// REQUIRES: `value` already holds bit offset + bits - 1.
void WriteBits(std::span<char> value, uint64_t offset, unsigned bits, uint64_t field) {
  for (unsigned i = 0; i < bits; ++i) {
    const uint64_t at = offset + i;
    const auto mask = static_cast<uint8_t>(0x80 >> (at & 7));
    auto& byte = reinterpret_cast<uint8_t&>(value[at >> 3]);
    if ((field >> (bits - 1 - i)) & 1) {
      byte |= mask;
    } else {
      byte &= static_cast<uint8_t>(~mask);
    }
  }
}

int64_t SignExtend(uint64_t field, unsigned bits) {
  if (bits < 64 && ((field >> (bits - 1)) & 1)) field |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(field);
}

uint64_t LowBits(unsigned bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// The value a SET or INCRBY stores: `value + increment` kept in the field's range as OVERFLOW
// says, or nullopt when FAIL refuses it. Field values travel as raw 64-bit patterns.
std::optional<uint64_t> Fit(uint64_t value, int64_t increment, BitfieldType type,
                            BitfieldOverflow overflow) {
  const unsigned bits = type.bits;
  const auto inc = static_cast<uint64_t>(increment);
  bool above = false;
  bool below = false;
  uint64_t max_raw = 0;
  uint64_t min_raw = 0;
  if (type.is_signed) {
    const int64_t v = static_cast<int64_t>(value);
    const auto max = static_cast<int64_t>(LowBits(bits - 1));
    const int64_t min = -max - 1;
    // Redis measures the room left as max - v and min - v in wrapping 64-bit arithmetic. For a
    // SET of a value near INT64_MIN into a narrow field, max - v wraps negative and the value
    // counts as too large (OVERFLOW SAT then stores max); reproduced on purpose.
    const auto room_up = static_cast<int64_t>(static_cast<uint64_t>(max) - value);
    const auto room_down = static_cast<int64_t>(static_cast<uint64_t>(min) - value);
    above = v > max || (bits != 64 && increment > room_up) ||
            (v >= 0 && increment > 0 && increment > room_up);
    below = !above && (v < min || (bits != 64 && increment < room_down) ||
                       (v < 0 && increment < 0 && increment < room_down));
    max_raw = static_cast<uint64_t>(max);
    min_raw = static_cast<uint64_t>(min);
  } else {
    const uint64_t max = LowBits(bits);
    above = value > max || (increment > 0 && increment > static_cast<int64_t>(max - value));
    below = !above && increment < 0 && increment < static_cast<int64_t>(0 - value);
    max_raw = max;
  }
  if (!above && !below) return value + inc;
  switch (overflow) {
    case BitfieldOverflow::kWrap: {
      const uint64_t wrapped = (value + inc) & LowBits(bits);
      return type.is_signed ? static_cast<uint64_t>(SignExtend(wrapped, bits)) : wrapped;
    }
    case BitfieldOverflow::kSat:
      return above ? max_raw : min_raw;
    case BitfieldOverflow::kFail:
      break;
  }
  return std::nullopt;
}

int64_t AsReply(uint64_t field, BitfieldType type) {
  return type.is_signed ? SignExtend(field, type.bits) : static_cast<int64_t>(field);
}

// One SET or INCRBY: SET replies the old value, INCRBY the new one, FAIL nil.
std::optional<int64_t> RunWrite(std::span<char> value, const BitfieldOp& op) {
  const std::string_view bytes(value.data(), value.size());
  const int64_t old_value = AsReply(ReadBits(bytes, op.offset, op.type.bits), op.type);
  const bool is_set = op.opcode == BitfieldOpcode::kSet;
  const std::optional<uint64_t> stored =
      is_set ? Fit(static_cast<uint64_t>(op.argument), 0, op.type, op.overflow)
             : Fit(static_cast<uint64_t>(old_value), op.argument, op.type, op.overflow);
  if (!stored) return std::nullopt;
  WriteBits(value, op.offset, op.type.bits, *stored);
  return is_set ? old_value : AsReply(*stored & LowBits(op.type.bits), op.type);
}

}  // namespace

Result<uint64_t> ParseBitOffset(std::string_view text, uint64_t max_bulk_len, unsigned hash_bits) {
  const bool multiply = hash_bits != 0 && text.size() > 1 && text[0] == '#';
  auto number = ParseInt64(multiply ? text.substr(1) : text);
  if (!number) return OpStatus::kBitOffset;
  int64_t offset = *number;
  if (multiply) offset = static_cast<int64_t>(static_cast<uint64_t>(offset) * hash_bits);
  if (offset < 0 || static_cast<uint64_t>(offset >> 3) >= max_bulk_len) {
    return OpStatus::kBitOffset;
  }
  return static_cast<uint64_t>(offset);
}

Result<bool> ParseBitValue(std::string_view text) {
  auto number = ParseInt64(text);
  if (!number || (*number != 0 && *number != 1)) return OpStatus::kBitValue;
  return *number == 1;
}

Result<bool> ParseBitPosBit(std::string_view text) {
  auto number = ParseInt64(text);
  if (!number) return OpStatus::kNotInteger;
  if (*number != 0 && *number != 1) return OpStatus::kBitPosArgument;
  return *number == 1;
}

std::optional<BitUnit> ParseBitUnit(std::string_view text) {
  if (EqualsIgnoreCase(text, "byte")) return BitUnit::kByte;
  if (EqualsIgnoreCase(text, "bit")) return BitUnit::kBit;
  return std::nullopt;
}

bool GetBit(std::string_view value, uint64_t offset) {
  const uint64_t byte = offset >> 3;
  return byte < value.size() && ((Bytes(value)[byte] >> (7 - (offset & 7))) & 1);
}

bool SetBit(std::span<char> value, uint64_t offset, bool bit) {
  const uint64_t byte = offset >> 3;
  const bool old_bit = GetBit(std::string_view(value.data(), value.size()), offset);
  const auto mask = static_cast<char>(0x80 >> (offset & 7));
  if (bit) {
    value[byte] = static_cast<char>(value[byte] | mask);
  } else {
    value[byte] = static_cast<char>(value[byte] & ~mask);
  }
  return old_bit;
}

SetBitOutcome SetBit(std::string& value, uint64_t offset, bool bit) {
  const bool grew = (offset >> 3) >= value.size();
  if (grew) value.resize((offset >> 3) + 1, '\0');
  const bool old_bit = SetBit(std::span<char>(value), offset, bit);
  return {old_bit, grew || old_bit != bit};
}

uint64_t BitCount(std::string_view value) { return PopcountBytes(Bytes(value), value.size()); }

uint64_t BitCount(std::string_view value, int64_t start, int64_t end, BitUnit unit) {
  // Redis answers 0 here before normalising; normalising could clamp both ends to 0 and count
  // the first byte.
  if (start < 0 && end < 0 && start > end) return 0;
  auto span = NormalizeRange(start, end, value.size(), unit);
  return span ? CountSpan(Bytes(value), *span) : 0;
}

int64_t BitPos(std::string_view value, bool bit, const BitPosRange& range) {
  // A missing end normalises exactly like -1; it only changes the not-found answer below.
  auto span = NormalizeRange(range.start, range.end.value_or(-1), value.size(), range.unit);
  if (!span) return -1;
  const int64_t found = FindBit(Bytes(value), *span, bit);
  // Without an explicit end the string counts as followed by zeros, so the first clear bit is the
  // one just past it.
  if (found == -1 && !bit && !range.end) return static_cast<int64_t>(span->last + 1);
  return found;
}

std::optional<BitOpKind> ParseBitOpKind(std::string_view text) {
  if (EqualsIgnoreCase(text, "and")) return BitOpKind::kAnd;
  if (EqualsIgnoreCase(text, "or")) return BitOpKind::kOr;
  if (EqualsIgnoreCase(text, "xor")) return BitOpKind::kXor;
  if (EqualsIgnoreCase(text, "not")) return BitOpKind::kNot;
  return std::nullopt;
}

std::string BitOp(BitOpKind op, std::span<const std::string_view> inputs) {
  size_t max_len = 0;
  for (std::string_view input : inputs) max_len = std::max(max_len, input.size());
  std::string result(max_len, '\0');
  if (max_len == 0) return result;
  auto* out = reinterpret_cast<uint8_t*>(result.data());

  if (op == BitOpKind::kNot) {
    CombineInto(out, Bytes(inputs[0]), max_len, [](uint64_t, uint64_t in) { return ~in; });
    return result;
  }
  inputs[0].copy(reinterpret_cast<char*>(out), inputs[0].size());  // safe for an empty view
  for (std::string_view input : inputs.subspan(1)) {
    switch (op) {
      case BitOpKind::kAnd:
        CombineInto(out, Bytes(input), input.size(), [](uint64_t a, uint64_t b) { return a & b; });
        // The input's missing tail counts as zeros.
        std::memset(out + input.size(), 0, max_len - input.size());
        break;
      case BitOpKind::kOr:
        CombineInto(out, Bytes(input), input.size(), [](uint64_t a, uint64_t b) { return a | b; });
        break;
      case BitOpKind::kXor:
        CombineInto(out, Bytes(input), input.size(), [](uint64_t a, uint64_t b) { return a ^ b; });
        break;
      case BitOpKind::kNot:
        break;
    }
  }
  return result;
}

Result<BitfieldType> ParseBitfieldType(std::string_view text) {
  // Redis reads the width as a C string, so anything from a NUL byte on is ignored.
  text = text.substr(0, text.find('\0'));
  if (text.empty() || (text[0] != 'i' && text[0] != 'u')) return OpStatus::kBitfieldType;
  const bool is_signed = text[0] == 'i';
  auto bits = ParseInt64(text.substr(1));
  if (!bits || *bits < 1 || *bits > (is_signed ? 64 : 63)) return OpStatus::kBitfieldType;
  return BitfieldType{is_signed, static_cast<uint8_t>(*bits)};
}

Result<BitfieldPlan> ParseBitfield(std::span<const std::string_view> args, uint64_t max_bulk_len) {
  BitfieldPlan plan;
  BitfieldOverflow overflow = BitfieldOverflow::kWrap;
  for (size_t i = 0; i < args.size(); ++i) {
    const size_t remaining = args.size() - i - 1;
    BitfieldOpcode opcode;
    if (EqualsIgnoreCase(args[i], "get") && remaining >= 2) {
      opcode = BitfieldOpcode::kGet;
    } else if (EqualsIgnoreCase(args[i], "set") && remaining >= 3) {
      opcode = BitfieldOpcode::kSet;
    } else if (EqualsIgnoreCase(args[i], "incrby") && remaining >= 3) {
      opcode = BitfieldOpcode::kIncrBy;
    } else if (EqualsIgnoreCase(args[i], "overflow") && remaining >= 1) {
      std::string_view name = args[++i];
      if (EqualsIgnoreCase(name, "wrap")) {
        overflow = BitfieldOverflow::kWrap;
      } else if (EqualsIgnoreCase(name, "sat")) {
        overflow = BitfieldOverflow::kSat;
      } else if (EqualsIgnoreCase(name, "fail")) {
        overflow = BitfieldOverflow::kFail;
      } else {
        return OpStatus::kBitfieldOverflowType;
      }
      continue;
    } else {
      return OpStatus::kSyntaxError;
    }

    auto type = ParseBitfieldType(args[i + 1]);
    if (!type) return type.status();
    auto offset = ParseBitOffset(args[i + 2], max_bulk_len, type->bits);
    if (!offset) return offset.status();
    int64_t argument = 0;
    if (opcode != BitfieldOpcode::kGet) {
      plan.read_only = false;
      plan.highest_write_bit = std::max(plan.highest_write_bit, *offset + type->bits - 1);
      auto number = ParseInt64(args[i + 3]);
      if (!number) return OpStatus::kNotInteger;
      argument = *number;
    }
    plan.ops.push_back({opcode, *type, *offset, argument, overflow});
    i += opcode == BitfieldOpcode::kGet ? 2 : 3;
  }
  return plan;
}

int64_t BitfieldGet(std::string_view value, BitfieldType type, uint64_t offset) {
  return AsReply(ReadBits(value, offset, type.bits), type);
}

std::vector<std::optional<int64_t>> BitfieldApply(std::span<char> value, const BitfieldPlan& plan) {
  const std::string_view bytes(value.data(), value.size());
  std::vector<std::optional<int64_t>> replies;
  replies.reserve(plan.ops.size());
  for (const BitfieldOp& op : plan.ops) {
    if (op.opcode == BitfieldOpcode::kGet) {
      replies.emplace_back(BitfieldGet(bytes, op.type, op.offset));
    } else {
      replies.push_back(RunWrite(value, op));
    }
  }
  return replies;
}

std::vector<std::optional<int64_t>> BitfieldApply(std::string& value, const BitfieldPlan& plan) {
  if (!plan.read_only && value.size() <= (plan.highest_write_bit >> 3)) {
    value.resize((plan.highest_write_bit >> 3) + 1, '\0');
  }
  return BitfieldApply(std::span<char>(value), plan);
}

std::vector<int64_t> BitfieldRead(std::string_view value, const BitfieldPlan& plan) {
  std::vector<int64_t> replies;
  replies.reserve(plan.ops.size());
  for (const BitfieldOp& op : plan.ops) replies.push_back(BitfieldGet(value, op.type, op.offset));
  return replies;
}

}  // namespace magnetar::commands
