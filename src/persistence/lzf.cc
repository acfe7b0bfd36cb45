#include "magnetar/persistence/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace magnetar::persistence {
namespace {

// The LZF format is a sequence of chunks, each starting with a control byte:
//   000LLLLL                      a literal run: the next L + 1 bytes (1 to 32) are copied
//   LLLOOOOO [LLLLLLLL] OOOOOOOO  a back reference: copy L + 2 bytes from O + 1 bytes back
//                                 (O has 13 bits); L == 7 means the next byte adds to it
constexpr size_t kMaxLiteralRun = 32;
constexpr size_t kMaxBackOffset = size_t{1} << 13;
constexpr size_t kMaxMatch = (size_t{1} << 8) + (size_t{1} << 3);
constexpr size_t kShortLengthLimit = 7;
constexpr int kHashBits = 16;
constexpr size_t kHashSlots = size_t{1} << kHashBits;

// The compressor's hash of the three bytes at `p`. It decides which earlier position (the last
// one with the same slot) is tried as a match, so it must be the reference's to give its bytes.
uint32_t HashSlot(const uint8_t* p) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return ((v >> (24 - kHashBits)) - v * 5) & (kHashSlots - 1);
}

constexpr size_t kNoPosition = 0;

// The last position whose three bytes hashed to each slot. The table is 256 KiB and a snapshot
// compresses every string of more than 20 bytes, so it is not cleared for each input: a call's
// positions are stored offset by a base that grows from call to call, and a slot below the
// current base is stale, read as empty. Position 0 is never taken as a reference by the reference
// compressor, so it also reads as empty (kNoPosition). One table per thread: snapshots may
// compress on a thread of their own.
class HashTable {
 public:
  HashTable() : slots_(kHashSlots, 0) {}

  // Starts an input of `n` bytes (n < 2^31).
  void Begin(size_t n) {
    base_ = next_base_;
    if (UINT32_MAX - base_ <= n) {
      std::fill(slots_.begin(), slots_.end(), 0);
      base_ = 1;
    }
    next_base_ = base_ + static_cast<uint32_t>(n) + 1;
  }
  // Stores `pos` in `slot` and returns the position it held, or kNoPosition.
  size_t Swap(uint32_t slot, size_t pos) {
    uint32_t previous = slots_[slot];
    slots_[slot] = base_ + static_cast<uint32_t>(pos);
    return previous > base_ ? previous - base_ : kNoPosition;
  }

 private:
  std::vector<uint32_t> slots_;
  uint32_t base_ = 1;
  uint32_t next_base_ = 1;
};

HashTable& Table() {
  thread_local HashTable table;
  return table;
}

// The output side of the compressor: a literal run stays open (its header byte reserved at
// `header`) until a back reference or the 32nd byte closes it.
class LzfOutput {
 public:
  explicit LzfOutput(std::span<uint8_t> out) : out_(out) {}

  size_t size() const { return size_; }
  size_t literals() const { return literals_; }

  // Reserves the header of a new run.
  void OpenRun() {
    header_ = size_++;
    literals_ = 0;
  }
  // Writes the run's header, or takes the reserved byte back when the run is empty.
  void CloseRun() {
    if (literals_ == 0) {
      --size_;
    } else {
      out_[header_] = static_cast<uint8_t>(literals_ - 1);
    }
  }
  // REQUIRES: room for the byte (the caller checks as the reference compressor does).
  void Literal(uint8_t byte) {
    out_[size_++] = byte;
    if (++literals_ == kMaxLiteralRun) {
      CloseRun();
      OpenRun();
    }
  }
  // A reference to `length` (>= 3) bytes starting `distance` (>= 1) bytes back.
  void BackReference(size_t length, size_t distance) {
    const size_t l = length - 2;
    const size_t o = distance - 1;
    if (l < kShortLengthLimit) {
      out_[size_++] = static_cast<uint8_t>((o >> 8) + (l << 5));
    } else {
      out_[size_++] = static_cast<uint8_t>((o >> 8) + (kShortLengthLimit << 5));
      out_[size_++] = static_cast<uint8_t>(l - kShortLengthLimit);
    }
    out_[size_++] = static_cast<uint8_t>(o);
  }

 private:
  std::span<uint8_t> out_;
  size_t size_ = 0;
  size_t header_ = 0;
  size_t literals_ = 0;
};

}  // namespace

size_t LzfCompress(std::string_view data, std::span<uint8_t> out) {
  const auto* in = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  const size_t room = out.size();
  if (n == 0 || room == 0) return 0;
  // liblzf's lengths are 32-bit, and the table's positions must fit beside a base: strings of
  // 2 GiB or more (four times proto-max-bulk-len's default) are left uncompressed.
  if (n >= UINT32_MAX / 2) return 0;
  HashTable& table = Table();
  table.Begin(n);
  LzfOutput o(out);
  o.OpenRun();
  size_t ip = 0;
  while (ip + 2 < n) {
    const size_t ref = table.Swap(HashSlot(in + ip), ip);
    const bool match = ref != kNoPosition && ip - ref - 1 < kMaxBackOffset &&
                       std::memcmp(in + ref, in + ip, 3) == 0;
    if (!match) {
      if (o.size() >= room) return 0;
      o.Literal(in[ip++]);
      continue;
    }
    // The reference needs up to 3 bytes and the run after it a header: the reference compressor
    // gives up unless all of that fits with a byte to spare (an empty run's header is reused).
    if (o.size() - (o.literals() == 0) + 4 >= room) return 0;
    const size_t max_length = std::min(n - ip - 2, kMaxMatch);
    // When more than 16 bytes may match, the reference compares 16 more bytes before it looks at
    // the limit, so a match near the end can pass max_length (up to the input's end). The
    // output depends on it, so this does the same.
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
    o.CloseRun();
    o.BackReference(length, ip - ref);
    o.OpenRun();
    ip += length;
    if (ip + 2 >= n) break;
    // The "very fast" variant hashes only the last two positions inside the match.
    table.Swap(HashSlot(in + ip - 2), ip - 2);
    table.Swap(HashSlot(in + ip - 1), ip - 1);
  }
  // At most two bytes are left; the reference checks for three before copying them.
  if (o.size() + 3 > room) return 0;
  while (ip < n) o.Literal(in[ip++]);
  o.CloseRun();
  return o.size();
}

bool LzfDecompress(std::span<const uint8_t> in, std::span<uint8_t> out) {
  size_t ip = 0;
  size_t op = 0;
  while (ip < in.size()) {
    const size_t control = in[ip++];
    if (control < kMaxLiteralRun) {
      const size_t run = control + 1;
      if (run > in.size() - ip || run > out.size() - op) return false;
      std::memcpy(out.data() + op, in.data() + ip, run);
      ip += run;
      op += run;
      continue;
    }
    size_t length = control >> 5;
    if (length == kShortLengthLimit) {
      if (ip >= in.size()) return false;
      length += in[ip++];
    }
    length += 2;
    if (ip >= in.size()) return false;
    const size_t distance = ((control & 0x1f) << 8) + in[ip++] + 1;
    if (distance > op || length > out.size() - op) return false;
    // A reference may overlap the bytes it produces (a run of one repeated byte, the commonest,
    // has distance 1): the output is then periodic with period `distance`, so each copy takes a
    // whole period from behind, and the period available doubles with every copy.
    if (distance == 1) {
      std::memset(out.data() + op, out[op - 1], length);
      op += length;
      continue;
    }
    for (size_t period = distance; length > 0; period *= 2) {
      const size_t chunk = std::min(period, length);
      std::memcpy(out.data() + op, out.data() + op - period, chunk);
      op += chunk;
      length -= chunk;
    }
  }
  return op == out.size();
}

}  // namespace magnetar::persistence
