// The HyperLogLog codec: hashing, dense and sparse registers, the estimator (hyperloglog.h has
// the format).
#include "magnetar/commands/hyperloglog.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <random>

namespace magnetar::commands::hll {
namespace {

constexpr uint64_t kSeed = 0xadc83b19ULL;
constexpr int kPrecision = 14;              // log2 of kRegisters
constexpr int kHashBits = 64 - kPrecision;  // bits left to draw a value from
constexpr uint8_t kMaxSparseValue = 32;     // the largest value a VAL opcode holds
constexpr uint32_t kMaxZeroRun = 64;        // ZERO's longest run; longer runs take an XZERO
constexpr uint32_t kMaxValRun = 4;          // VAL's longest run
constexpr uint8_t kCacheInvalid = 0x80;     // in the cardinality's last byte
constexpr size_t kEncodingOffset = 4;
constexpr size_t kCardinalityOffset = 8;
constexpr size_t kDenseBytes = kDenseSize - kHeaderSize;
using Histogram = std::array<uint32_t, 64>;  // how many registers hold each value

uint8_t Byte(std::string_view bytes, size_t pos) {
  return pos < bytes.size() ? static_cast<uint8_t>(bytes[pos]) : 0;
}

// Dense registers: `regs` points at the register bytes (kDenseBytes of them). Register i spans
// bits 6i..6i+5, possibly across two bytes; the last register ends inside the last byte.
uint8_t GetDense(const uint8_t* regs, uint32_t index) {
  uint32_t bit = index * 6;
  uint32_t byte = bit / 8;
  uint32_t shift = bit % 8;
  uint32_t both = regs[byte];
  if (byte + 1 < kDenseBytes) both |= static_cast<uint32_t>(regs[byte + 1]) << 8;
  return static_cast<uint8_t>((both >> shift) & 63);
}

void SetDense(uint8_t* regs, uint32_t index, uint8_t value) {
  uint32_t bit = index * 6;
  uint32_t byte = bit / 8;
  uint32_t shift = bit % 8;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(63u << shift)) | (value << shift));
  if (byte + 1 < kDenseBytes) {
    uint32_t high = 8 - shift;
    regs[byte + 1] = static_cast<uint8_t>((regs[byte + 1] & ~(63u >> high)) | (value >> high));
  }
}

uint8_t* DenseRegisters(std::span<char> hll) {
  return reinterpret_cast<uint8_t*>(hll.data()) + kHeaderSize;
}
const uint8_t* DenseRegisters(std::string_view hll) {
  return reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
}

bool RaiseDense(uint8_t* regs, uint32_t index, uint8_t value) {
  if (GetDense(regs, index) >= value) return false;
  SetDense(regs, index, value);
  return true;
}

// One sparse opcode: a run of `run` registers holding `value` (0 for ZERO and XZERO).
struct Op {
  enum Kind : uint8_t { kZero, kXZero, kVal } kind;
  uint32_t run;
  uint8_t value;
  uint8_t size;  // bytes of the opcode
};

Op ReadOp(std::string_view hll, size_t pos) {
  uint8_t b = Byte(hll, pos);
  if ((b & 0xc0) == 0) return {Op::kZero, (b & 0x3fu) + 1, 0, 1};
  if ((b & 0xc0) == 0x40) {
    return {Op::kXZero, (((b & 0x3fu) << 8) | Byte(hll, pos + 1)) + 1, 0, 2};
  }
  return {Op::kVal, (b & 3u) + 1, static_cast<uint8_t>(((b >> 2) & 0x1f) + 1), 1};
}

char ValByte(uint8_t value, uint32_t run) {
  return static_cast<char>(0x80 | ((value - 1) << 2) | (run - 1));
}

// Appends the opcode(s) of a zero run of 1..16384 registers.
size_t PutZeroRun(char* out, uint32_t run) {
  if (run > kMaxZeroRun) {
    out[0] = static_cast<char>(0x40 | ((run - 1) >> 8));
    out[1] = static_cast<char>((run - 1) & 0xff);
    return 2;
  }
  out[0] = static_cast<char>(run - 1);
  return 1;
}

// Calls fn(first, run, value) for each VAL run of a sparse HLL, in order. False when the opcodes
// do not cover exactly kRegisters registers; a VAL that would pass the end stops the walk
// before fn sees it.
template <typename Fn>
bool ForEachValRun(std::string_view hll, Fn&& fn) {
  uint64_t index = 0;
  for (size_t pos = kHeaderSize; pos < hll.size();) {
    Op op = ReadOp(hll, pos);
    if (op.kind == Op::kVal) {
      if (index + op.run > kRegisters) return false;
      fn(static_cast<uint32_t>(index), op.run, op.value);
    }
    index += op.run;
    pos += op.size;
  }
  return index == kRegisters;
}

// Merges equal neighbouring VALs whose runs fit one opcode, looking at up to five opcodes from
// `pos`, the opcode before the one just changed.
void MergeVals(std::string& hll, size_t pos) {
  for (int budget = 5; pos < hll.size() && budget > 0; --budget) {
    Op op = ReadOp(hll, pos);
    if (op.kind != Op::kVal) {
      pos += op.size;
      continue;
    }
    if (pos + 1 < hll.size()) {
      Op next = ReadOp(hll, pos + 1);
      if (next.kind == Op::kVal && next.value == op.value && op.run + next.run <= kMaxValRun) {
        hll[pos + 1] = ValByte(op.value, op.run + next.run);
        hll.erase(pos, 1);
        continue;  // the merged opcode may merge with the following one too
      }
    }
    ++pos;
  }
}

AddResult PromoteAndSet(std::string& hll, uint32_t index, uint8_t value) {
  if (!ToDense(hll)) return AddResult::kCorrupt;
  return RaiseDense(DenseRegisters(std::span<char>(hll)), index, value) ? AddResult::kChanged
                                                                        : AddResult::kUnchanged;
}

AddResult SetSparse(std::string& hll, uint32_t index, uint8_t value, uint64_t sparse_max_bytes) {
  if (value > kMaxSparseValue) return PromoteAndSet(hll, index, value);
  // Find the opcode whose run covers `index`, and the one before it.
  size_t pos = kHeaderSize;
  size_t prev = std::string::npos;
  uint64_t first = 0;
  Op op{};
  for (;; pos += op.size) {
    if (pos >= hll.size()) return AddResult::kCorrupt;
    op = ReadOp(hll, pos);
    if (index < first + op.run) break;
    prev = pos;
    first += op.run;
  }
  const size_t merge_from = prev == std::string::npos ? kHeaderSize : prev;
  if (op.kind == Op::kVal && op.value >= value) return AddResult::kUnchanged;
  if (op.run == 1 && op.kind != Op::kXZero) {
    hll[pos] = ValByte(value, 1);
    MergeVals(hll, merge_from);
    return AddResult::kChanged;
  }
  // Split the run into what precedes `index`, the register itself, and what follows.
  char seq[5];
  size_t n = 0;
  auto put_run = [&](uint64_t run) {
    if (op.kind == Op::kVal) {
      seq[n++] = ValByte(op.value, static_cast<uint32_t>(run));
    } else {
      n += PutZeroRun(seq + n, static_cast<uint32_t>(run));
    }
  };
  uint64_t last = first + op.run - 1;
  if (index != first) put_run(index - first);
  seq[n++] = ValByte(value, 1);
  if (index != last) put_run(last - index);
  // An XZERO cut short by the end of the string reads its missing byte as 0 and is rewritten
  // as if that byte were there, then the string is cut to its old end plus the growth, which is
  // what Redis's in-place edit of its string leaves.
  const bool truncated = pos + op.size > hll.size();
  const size_t old_size = hll.size();
  if (n > op.size && old_size + (n - op.size) > sparse_max_bytes) {
    return PromoteAndSet(hll, index, value);
  }
  if (truncated) hll.push_back('\0');
  hll.replace(pos, op.size, seq, n);
  if (truncated) hll.pop_back();
  MergeVals(hll, merge_from);
  return AddResult::kChanged;
}

double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1;
  double z = x;
  double previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1 - x;
  double previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (previous != z);
  return z / 3;
}

// Ertl's improved estimator. Values above kHashBits + 1 cannot come from a hash; a corrupt
// dense HLL may hold them, and they count for nothing, as in Redis.
uint64_t Estimate(const Histogram& histogram) {
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  const double m = kRegisters;
  double z = m * Tau((m - histogram[kHashBits + 1]) / m);
  for (int j = kHashBits; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * Sigma(histogram[0] / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t kMul = 0xc6a4a7935bd1e995ULL;
  constexpr int kShift = 47;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t blocks = data.size() / 8;
  uint64_t h = seed ^ (data.size() * kMul);
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | bytes[i * 8 + b];
    k *= kMul;
    k ^= k >> kShift;
    k *= kMul;
    h ^= k;
    h *= kMul;
  }
  const size_t tail = data.size() % 8;
  if (tail != 0) {
    for (size_t b = tail; b-- > 0;) h ^= static_cast<uint64_t>(bytes[blocks * 8 + b]) << (8 * b);
    h *= kMul;
  }
  h ^= h >> kShift;
  h *= kMul;
  h ^= h >> kShift;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element, kSeed);
  auto index = static_cast<uint32_t>(hash & (kRegisters - 1));
  // A sentinel bit past the kHashBits drawn bits bounds the value at kHashBits + 1.
  uint64_t bits = (hash >> kPrecision) | (1ULL << kHashBits);
  return {index, static_cast<uint8_t>(std::countr_zero(bits) + 1)};
}

bool IsHll(std::string_view bytes) {
  if (bytes.size() < kHeaderSize || bytes.substr(0, 4) != "HYLL") return false;
  uint8_t encoding = Byte(bytes, kEncodingOffset);
  if (encoding == static_cast<uint8_t>(Encoding::kDense)) return bytes.size() == kDenseSize;
  return encoding == static_cast<uint8_t>(Encoding::kSparse);
}

Encoding EncodingOf(std::string_view hll) { return static_cast<Encoding>(hll[kEncodingOffset]); }

std::string CreateSparse() {
  std::string hll(kHeaderSize, '\0');
  std::memcpy(hll.data(), "HYLL", 4);
  hll[kEncodingOffset] = static_cast<char>(Encoding::kSparse);
  char run[2];
  hll.append(run, PutZeroRun(run, kRegisters));
  return hll;
}

std::optional<uint64_t> CachedCount(std::string_view hll) {
  if (Byte(hll, kCardinalityOffset + 7) & kCacheInvalid) return std::nullopt;
  uint64_t count = 0;
  for (int b = 7; b >= 0; --b) count = (count << 8) | Byte(hll, kCardinalityOffset + b);
  return count;
}

void StoreCount(std::span<char> hll, uint64_t count) {
  for (size_t b = 0; b < 8; ++b) hll[kCardinalityOffset + b] = static_cast<char>(count >> (8 * b));
}

void InvalidateCache(std::span<char> hll) { hll[kCardinalityOffset + 7] |= kCacheInvalid; }

AddResult SetRegister(std::string& hll, uint32_t index, uint8_t value, uint64_t sparse_max_bytes) {
  if (EncodingOf(hll) == Encoding::kSparse) return SetSparse(hll, index, value, sparse_max_bytes);
  return RaiseDense(DenseRegisters(std::span<char>(hll)), index, value) ? AddResult::kChanged
                                                                        : AddResult::kUnchanged;
}

AddResult Add(std::string& hll, std::string_view element, uint64_t sparse_max_bytes) {
  Pattern pattern = PatternOf(element);
  return SetRegister(hll, pattern.index, pattern.value, sparse_max_bytes);
}

bool AddDense(std::span<char> hll, std::string_view element) {
  Pattern pattern = PatternOf(element);
  return RaiseDense(DenseRegisters(hll), pattern.index, pattern.value);
}

bool ToDense(std::string& hll) {
  if (EncodingOf(hll) == Encoding::kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), hll.data(), kHeaderSize);  // magic and cache
  dense[kEncodingOffset] = static_cast<char>(Encoding::kDense);
  uint8_t* regs = DenseRegisters(std::span<char>(dense));
  bool valid = ForEachValRun(hll, [&](uint32_t first, uint32_t run, uint8_t value) {
    for (uint32_t i = first; i < first + run; ++i) SetDense(regs, i, value);
  });
  if (!valid) return false;
  hll = std::move(dense);
  return true;
}

bool MergeInto(std::string_view hll, Registers& max) {
  if (EncodingOf(hll) == Encoding::kDense) {
    const uint8_t* regs = DenseRegisters(hll);
    for (uint32_t i = 0; i < kRegisters; ++i) max[i] = std::max(max[i], GetDense(regs, i));
    return true;
  }
  return ForEachValRun(hll, [&](uint32_t first, uint32_t run, uint8_t value) {
    for (uint32_t i = first; i < first + run; ++i) max[i] = std::max(max[i], value);
  });
}

uint8_t DenseRegister(std::string_view hll, uint32_t index) {
  return GetDense(DenseRegisters(hll), index);
}

std::optional<uint64_t> Count(std::string_view hll) {
  Histogram histogram{};
  if (EncodingOf(hll) == Encoding::kDense) {
    const uint8_t* regs = DenseRegisters(hll);
    for (uint32_t i = 0; i < kRegisters; ++i) ++histogram[GetDense(regs, i)];
    return Estimate(histogram);
  }
  uint32_t nonzero = 0;
  bool valid = ForEachValRun(hll, [&](uint32_t, uint32_t run, uint8_t value) {
    histogram[value] += run;
    nonzero += run;
  });
  if (!valid) return std::nullopt;
  histogram[0] = kRegisters - nonzero;
  return Estimate(histogram);
}

uint64_t Count(const Registers& registers) {
  Histogram histogram{};
  for (uint8_t value : registers) ++histogram[value & 63];
  return Estimate(histogram);
}

std::string Decode(std::string_view hll) {
  std::string text;
  for (size_t pos = kHeaderSize; pos < hll.size();) {
    Op op = ReadOp(hll, pos);
    if (!text.empty()) text += ' ';
    switch (op.kind) {
      case Op::kZero:
        text += fmt::format("z:{}", op.run);
        break;
      case Op::kXZero:
        text += fmt::format("Z:{}", op.run);
        break;
      case Op::kVal:
        text += fmt::format("v:{},{}", op.value, op.run);
        break;
    }
    pos += op.size;
  }
  return text;
}

std::optional<std::string> SelfTest() {
  std::mt19937_64 random(0x5eed);
  // The dense layout: registers written in random order read back, neighbours untouched.
  std::string dense = CreateSparse();
  if (!ToDense(dense)) return "TESTFAILED the empty HLL does not convert to dense";
  uint8_t* regs = DenseRegisters(std::span<char>(dense));
  Registers expected{};
  for (int round = 0; round < 4; ++round) {
    for (uint32_t i = 0; i < kRegisters; ++i) {
      expected[i] = static_cast<uint8_t>(random() & 63);
      SetDense(regs, i, expected[i]);
    }
    for (uint32_t i = 0; i < kRegisters; ++i) {
      if (GetDense(regs, i) != expected[i])
        return fmt::format("TESTFAILED Register error at {}", i);
    }
  }
  // The estimate: a sparse and a dense HLL fed the same elements agree, and stay within six
  // standard errors (1.04 / sqrt(m)) of the true count.
  std::string sparse = CreateSparse();
  dense = CreateSparse();
  ToDense(dense);
  const double relative_error = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  uint64_t checkpoint = 1;
  for (uint64_t added = 1; added <= 20000; ++added) {
    uint64_t element = random();
    std::string_view bytes(reinterpret_cast<const char*>(&element), sizeof element);
    Add(sparse, bytes, kDenseSize);
    Add(dense, bytes, kDenseSize);
    if (added != checkpoint) continue;
    checkpoint = checkpoint < 10 ? checkpoint + 1 : checkpoint * 2;
    std::optional<uint64_t> from_sparse = Count(sparse);
    uint64_t from_dense = *Count(dense);
    if (from_sparse != from_dense) {
      return fmt::format("TESTFAILED sparse and dense counts differ at {}", added);
    }
    double max_error = added < 10 ? 1 : std::ceil(relative_error * 6 * static_cast<double>(added));
    double error = std::fabs(static_cast<double>(from_dense) - static_cast<double>(added));
    if (error > max_error) {
      return fmt::format("TESTFAILED too big error. card:{} error:{}", added, error);
    }
  }
  return std::nullopt;
}

}  // namespace magnetar::commands::hll
