#include "magnetar/engine/key_table.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "magnetar/engine/lazy_free.h"

namespace magnetar::engine {

struct alignas(64) KeyTable::Bucket {
  uint8_t used;  // bits 0-6: slot holds an entry; bit 7: chained (slot 6 points to a child)
  uint8_t tags[7];
  void* slots[7];
};

namespace {

using Bucket = KeyTable::Bucket;
static_assert(sizeof(Bucket) == 64, "a bucket is one cache line");

constexpr uint8_t kChained = 0x80;
constexpr unsigned kEntryBits = 0x7f;
constexpr int kChildSlot = 6;
// Grow when the average chain would hold more keys than this (71% of 7 slots)...
constexpr size_t kGrowAt = 5;
// ...and shrink below 7/8 of a key per bucket, to about 4 keys per bucket.
constexpr size_t kShrinkTo = 4;
// Arrays at least this large are freed on the lazy-free thread.
constexpr size_t kLazyFreeArrayBytes = 1 << 20;

bool Chained(const Bucket* b) { return b->used & kChained; }
Bucket* Child(const Bucket* b) {
  return Chained(b) ? static_cast<Bucket*>(b->slots[kChildSlot]) : nullptr;
}
unsigned FreeSlots(const Bucket* b) { return ~b->used & (Chained(b) ? 0x3fu : kEntryBits); }
unsigned UsedSlots(const Bucket* b) { return b->used & kEntryBits; }
Entry* EntryAt(const Bucket* b, int slot) { return static_cast<Entry*>(b->slots[slot]); }

void* AllocateAligned(size_t bytes) {
  void* p = std::aligned_alloc(alignof(Bucket), bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// A table of millions of keys is read at random: with 4 KB pages almost every probe of its array
// misses the TLB as well as the cache, and on a virtual machine the page walk costs as much as the
// miss (an RDB load spent a third of its time there; a prefetch does not hide it). An array
// allocated whole (Reserve) of at least one 2 MB page asks for transparent huge pages, which
// cover it with few TLB entries. A growing table's arrays stay on small pages: their buckets are
// zeroed a few at a time, and a fault on a huge page would clear 2 MB at once.
constexpr size_t kHugePageBytes = 2 << 20;

Bucket* AllocateZeroedArray(size_t count) {
  size_t bytes = count * sizeof(Bucket);
  void* p;
  if (bytes >= kHugePageBytes) {
    p = std::aligned_alloc(kHugePageBytes, bytes);
    if (p == nullptr) throw std::bad_alloc();
    ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: small pages work too
  } else {
    p = AllocateAligned(bytes);
  }
  std::memset(p, 0, bytes);
  return static_cast<Bucket*>(p);
}

Bucket* NewChild() {
  auto* b = static_cast<Bucket*>(AllocateAligned(sizeof(Bucket)));
  std::memset(b, 0, sizeof(Bucket));
  return b;
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

// Increments the bucket bits of `cursor` (those in `mask`) as a number read from the top bit
// down, clearing the bits above them.
uint64_t NextCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  return ReverseBits(ReverseBits(cursor) + 1);
}

size_t UniformBelow(uint64_t random, size_t bound) {
  return static_cast<size_t>((static_cast<unsigned __int128>(random) * bound) >> 64);
}

// Frees a big bucket array on the lazy-free thread, its pages first, 1 MB at a time. jemalloc
// hands an allocation of 8 MB or more back to the kernel as soon as it is freed, and a single
// madvise over tens of MB holds the process's memory-map lock for milliseconds, while the event
// loop's next mmap (jemalloc growing an arena) waits for it: traced at 1.9-2.5 ms, as a
// 10,000,000-member set's table finished a resize. Between pieces the lock is free.
class ArrayFreeJob final : public LazyFreeJob {
 public:
  ArrayFreeJob(void* array, size_t bytes) : array_(array), bytes_(bytes) {}
  ~ArrayFreeJob() override {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(array_) + page - 1) & ~(page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(array_) + bytes_) & ~(page - 1);
    constexpr uintptr_t kPieceBytes = 1 << 20;
    for (uintptr_t p = begin; p < end; p += kPieceBytes) {
      ::madvise(reinterpret_cast<void*>(p), std::min(kPieceBytes, end - p), MADV_DONTNEED);
    }
    std::free(array_);
  }

 private:
  void* array_;
  size_t bytes_;
};

}  // namespace

KeyTable::KeyTable(LazyFreer* freer, HashKey hash_key) : hash_key_(hash_key), freer_(freer) {}

KeyTable::~KeyTable() { Clear(); }

KeyTable::KeyTable(KeyTable&& other) noexcept
    : hash_key_(other.hash_key_),
      freer_(other.freer_),
      gate_(other.gate_),
      current_(std::exchange(other.current_, {})),
      old_(std::exchange(other.old_, {})),
      resize_index_(std::exchange(other.resize_index_, 0)),
      size_(std::exchange(other.size_, 0)),
      children_(std::exchange(other.children_, 0)),
      moved_by_traffic_(std::exchange(other.moved_by_traffic_, 0)) {}

KeyTable::Bucket* KeyTable::HomeBucket(uint32_t record) const {
  if (resizing()) {
    size_t index = record & old_.mask();
    if (index >= resize_index_) return &old_.buckets[index];
  }
  return &current_.buckets[record & current_.mask()];
}

bool KeyTable::Ready(size_t index) const {
  return !resizing() || (index & old_.mask()) < resize_index_;
}

void KeyTable::StepWithTraffic() {
  if (!resizing()) return;
  RehashStep(1);
  ++moved_by_traffic_;
}

Entry* KeyTable::FindInChain(Bucket* head, std::string_view key, uint8_t tag, Position* position) {
  for (Bucket* b = head; b != nullptr; b = Child(b)) {
    for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1) {
      int slot = std::countr_zero(bits);
      if (b->tags[slot] != tag) continue;
      Entry* entry = EntryAt(b, slot);
      if (entry->key() == key) {
        *position = {head, b, slot};
        return entry;
      }
    }
  }
  return nullptr;
}

Entry* KeyTable::Find(std::string_view key, uint64_t hash, Position* position) {
  StepWithTraffic();
  if (size_ == 0) return nullptr;
  uint32_t record = RecordOf(hash);
  return FindInChain(HomeBucket(record), key, static_cast<uint8_t>(record >> 24), position);
}

KeyTable::Bucket* KeyTable::PrepareInsert(uint32_t record) {
  StepWithTraffic();
  if (current_.count == 0) {
    StartResize(1);
  } else if (!resizing() && size_ + 1 > current_.count * kGrowAt && MayGrow()) {
    StartResize(current_.count * 2);
  }
  return HomeBucket(record);
}

void KeyTable::Insert(Entry* entry, uint64_t hash) {
  uint32_t record = RecordOf(hash);
  InsertIntoChain(PrepareInsert(record), entry, static_cast<uint8_t>(record >> 24));
  ++size_;
}

Entry* KeyTable::InsertUnique(Entry* entry, uint64_t hash) {
  uint32_t record = RecordOf(hash);
  auto tag = static_cast<uint8_t>(record >> 24);
  Bucket* head = PrepareInsert(record);
  Position position;
  if (Entry* present = FindInChain(head, entry->key(), tag, &position)) return present;
  InsertIntoChain(head, entry, tag);
  ++size_;
  return nullptr;
}

void KeyTable::Reserve(size_t keys) {
  size_t count = std::bit_ceil(std::max<size_t>(1, (keys + kGrowAt - 1) / kGrowAt));
  if (resizing() || count <= current_.count) return;
  if (gate_ != nullptr && !gate_->AllowGrowth(count * sizeof(Bucket))) return;
  if (current_.count != 0) {
    StartResize(count);
    return;
  }
  current_.buckets = AllocateZeroedArray(count);
  current_.count = count;
}

void KeyTable::InsertIntoChain(Bucket* b, Entry* entry, uint8_t tag) {
  while (FreeSlots(b) == 0 && Chained(b)) b = Child(b);
  if (FreeSlots(b) == 0) {
    // Full and last in its chain: its last entry moves to a new child, whose pointer takes the
    // slot.
    Bucket* child = NewChild();
    ++children_;
    child->slots[0] = b->slots[kChildSlot];
    child->tags[0] = b->tags[kChildSlot];
    child->used = 1;
    b->slots[kChildSlot] = child;
    b->used = (b->used & ~(1u << kChildSlot)) | kChained;
    b = child;
  }
  // FreeSlots(b) is non-zero here, so the slot is at most kChildSlot; the min tells the compiler.
  int slot = std::min(std::countr_zero(FreeSlots(b)), kChildSlot);
  b->slots[slot] = entry;
  b->tags[slot] = tag;
  b->used |= 1u << slot;
}

void KeyTable::Replace(const Position& position, Entry* entry) {
  position.bucket->slots[position.slot] = entry;
}

void KeyTable::Erase(const Position& position) {
  Bucket* b = position.bucket;
  b->used &= ~(1u << position.slot);
  --size_;
  // Keep chains dense: the chain's last entry fills the hole, and an emptied child goes away.
  Bucket* parent = nullptr;
  Bucket* last = position.head;
  while (Chained(last)) {
    parent = last;
    last = Child(last);
  }
  if (last != b) {
    int from = std::countr_zero(UsedSlots(last));
    b->slots[position.slot] = last->slots[from];
    b->tags[position.slot] = last->tags[from];
    b->used |= 1u << position.slot;
    last->used &= ~(1u << from);
  }
  if (parent != nullptr && UsedSlots(last) == 0) {
    std::free(last);
    --children_;
    parent->slots[kChildSlot] = nullptr;
    parent->used &= ~kChained;
  }
  MaybeShrink();
}

void KeyTable::ForEachWithRecord(uint32_t record, const std::function<void(Entry*)>& fn) const {
  if (size_ == 0) return;
  auto tag = static_cast<uint8_t>(record >> 24);
  for (const Bucket* b = HomeBucket(record); b != nullptr; b = Child(b)) {
    for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1) {
      int slot = std::countr_zero(bits);
      if (b->tags[slot] != tag) continue;
      Entry* entry = EntryAt(b, slot);
      if (RecordOf(Hash(entry->key())) == record) fn(entry);
    }
  }
}

uint64_t KeyTable::Scan(uint64_t cursor, const std::function<void(const Entry&)>& fn) const {
  if (size_ == 0) return 0;
  auto visit = [&](const Array& array, size_t index) {
    if (&array == &current_ && !Ready(index)) return;
    for (const Bucket* b = &array.buckets[index]; b != nullptr; b = Child(b)) {
      for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1) {
        fn(*EntryAt(b, std::countr_zero(bits)));
      }
    }
  };
  if (!resizing()) {
    visit(current_, cursor & current_.mask());
    return NextCursor(cursor, current_.mask());
  }
  const Array* small = &old_;
  const Array* large = &current_;
  if (small->count > large->count) std::swap(small, large);
  visit(*small, cursor & small->mask());
  // Every bucket of the larger array that the smaller one's bucket splits into. The loop ends
  // when the increment carries out of the extra bits, which leaves the next cursor.
  do {
    visit(*large, cursor & large->mask());
    cursor = NextCursor(cursor, large->mask());
  } while (cursor & (small->mask() ^ large->mask()));
  return cursor;
}

const KeyTable::Bucket* KeyTable::RandomBucket(const std::function<uint64_t()>& random) const {
  // Positions 0..old count-1 are old buckets, the rest current ones; moved or not yet prepared
  // buckets count as empty.
  size_t positions = old_.count + current_.count;
  auto bucket_at = [&](size_t position) -> const Bucket* {
    if (position < old_.count) return position >= resize_index_ ? &old_.buckets[position] : nullptr;
    position -= old_.count;
    return Ready(position) ? &current_.buckets[position] : nullptr;
  };
  const Bucket* head = nullptr;
  for (int attempt = 0; attempt < 64 && head == nullptr; ++attempt) {
    const Bucket* b = bucket_at(UniformBelow(random(), positions));
    if (b != nullptr && UsedSlots(b) != 0) head = b;
  }
  // Only an unusually sparse table gets here: walk to the next non-empty bucket.
  for (size_t start = UniformBelow(random(), positions), i = 0; head == nullptr; ++i) {
    const Bucket* b = bucket_at((start + i) % positions);
    if (b != nullptr && UsedSlots(b) != 0) head = b;
  }
  return head;
}

Entry* KeyTable::Random(const std::function<uint64_t()>& random) const {
  if (size_ == 0) return nullptr;
  const Bucket* head = RandomBucket(random);
  size_t count = 0;
  for (const Bucket* b = head; b != nullptr; b = Child(b)) count += std::popcount(UsedSlots(b));
  size_t pick = UniformBelow(random(), count);
  for (const Bucket* b = head;; b = Child(b)) {
    auto in_bucket = static_cast<size_t>(std::popcount(UsedSlots(b)));
    if (pick < in_bucket) {
      unsigned bits = UsedSlots(b);
      for (size_t i = 0; i < pick; ++i) bits &= bits - 1;
      return EntryAt(b, std::countr_zero(bits));
    }
    pick -= in_bucket;
  }
}

size_t KeyTable::SampleBucket(const std::function<uint64_t()>& random,
                              const std::function<void(Entry*)>& fn) const {
  if (size_ == 0) return 0;
  size_t count = 0;
  for (const Bucket* b = RandomBucket(random); b != nullptr; b = Child(b)) {
    for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1, ++count) {
      fn(EntryAt(b, std::countr_zero(bits)));
    }
  }
  return count;
}

bool KeyTable::RehashStep(size_t buckets) {
  if (!resizing()) return false;
  // Empty buckets are cheap to pass but not free (their targets get zeroed): bound them too.
  size_t empty_visits = buckets * 10;
  while (resize_index_ < old_.count) {
    bool empty = old_.buckets[resize_index_].used == 0;
    MoveBucket(resize_index_++);
    if (empty ? --empty_visits == 0 : --buckets == 0) break;
  }
  if (resize_index_ == old_.count) FinishResize();
  return resizing();
}

void KeyTable::StartResize(size_t count) {
  if (current_.count == 0) {
    current_.buckets = static_cast<Bucket*>(AllocateAligned(count * sizeof(Bucket)));
    std::memset(current_.buckets, 0, count * sizeof(Bucket));
    current_.count = count;
    return;
  }
  old_ = current_;
  current_.buckets = static_cast<Bucket*>(AllocateAligned(count * sizeof(Bucket)));
  current_.count = count;
  resize_index_ = 0;
}

void KeyTable::MoveBucket(size_t index) {
  // The new buckets this old one is the first to feed have never been written: zero them now.
  if (current_.count > old_.count) {
    for (size_t j = index; j < current_.count; j += old_.count) {
      std::memset(&current_.buckets[j], 0, sizeof(Bucket));
    }
  } else if (index < current_.count) {
    std::memset(&current_.buckets[index], 0, sizeof(Bucket));
  }
  Bucket* head = &old_.buckets[index];
  for (Bucket* b = head; b != nullptr;) {
    Bucket* next = Child(b);
    // Rehashing reads every key: start all of the bucket's cache misses at once.
    for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1) {
      __builtin_prefetch(b->slots[std::countr_zero(bits)]);
    }
    for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1) {
      int slot = std::countr_zero(bits);
      Entry* entry = EntryAt(b, slot);
      uint32_t record = RecordOf(Hash(entry->key()));
      InsertIntoChain(&current_.buckets[record & current_.mask()], entry, b->tags[slot]);
    }
    if (b != head) {
      std::free(b);
      --children_;
    }
    b = next;
  }
  std::memset(head, 0, sizeof(Bucket));
}

bool KeyTable::MayGrow() const {
  return gate_ == nullptr || size_ >= current_.count * kGrowAt * 2 ||
         gate_->AllowGrowth(current_.count * 2 * sizeof(Bucket));
}

void KeyTable::FinishResize() {
  FreeArray(old_);
  resize_index_ = 0;
  if (size_ > current_.count * kGrowAt && MayGrow()) {
    StartResize(current_.count * 2);
  } else {
    MaybeShrink();
  }
}

void KeyTable::MaybeShrink() {
  if (resizing() || current_.count <= 1 || size_ * 8 >= current_.count * 7) return;
  StartResize(std::bit_ceil(std::max<size_t>(1, size_ / kShrinkTo)));
}

void KeyTable::FreeArray(Array& array) {
  if (freer_ != nullptr && array.count * sizeof(Bucket) >= kLazyFreeArrayBytes) {
    freer_->Submit(std::make_unique<ArrayFreeJob>(array.buckets, array.count * sizeof(Bucket)), 0);
  } else {
    std::free(array.buckets);
  }
  array = {};
}

void KeyTable::FreeChain(Bucket* head) {
  for (Bucket* b = head; b != nullptr;) {
    Bucket* next = Child(b);
    for (unsigned bits = UsedSlots(b); bits != 0; bits &= bits - 1) {
      Entry::Destroy(EntryAt(b, std::countr_zero(bits)));
    }
    if (b != head) std::free(b);
    b = next;
  }
}

void KeyTable::Clear() {
  for (size_t i = 0; i < current_.count; ++i) {
    if (Ready(i)) FreeChain(&current_.buckets[i]);
  }
  for (size_t i = resize_index_; i < old_.count; ++i) FreeChain(&old_.buckets[i]);
  std::free(current_.buckets);
  std::free(old_.buckets);
  current_ = {};
  old_ = {};
  resize_index_ = 0;
  size_ = 0;
  children_ = 0;
  moved_by_traffic_ = 0;
}

size_t KeyTable::BucketBytes() const {
  return (current_.count + old_.count + children_) * sizeof(Bucket);
}

}  // namespace magnetar::engine
