#include "magnetar/engine/expiry_index.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

#include "magnetar/common/clock.h"

namespace magnetar::engine {
namespace {

// Garbage allowed beyond 1.5 records per key, so small indexes are never swept.
constexpr size_t kGarbageSlack = 1024;
// Records swept per TTL set while garbage is high: each sweep step drops garbage with
// probability at least 1/3 then, so 4 steps outpace the one record a set adds.
constexpr size_t kSweepPerSet = 4;
// Step reads the monotonic clock once per this many records.
constexpr unsigned kClockEvery = 32;

}  // namespace

bool RecordSet::Insert(uint32_t record) {
  if (record == 0) return !std::exchange(has_zero_, true);
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  for (size_t i = Home(record);; i = i + 1 == slots_.size() ? 0 : i + 1) {
    if (slots_[i] == record) return false;
    if (slots_[i] == 0) {
      slots_[i] = record;
      ++size_;
      return true;
    }
  }
}

void RecordSet::Grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, old.size() + old.size() / 2), 0);
  size_ = 0;
  for (uint32_t record : old) {
    if (record != 0) Insert(record);
  }
}

void RecordSet::Clear() {
  std::vector<uint32_t>().swap(slots_);
  size_ = 0;
  has_zero_ = false;
}

ExpiryIndex::Place ExpiryIndex::Locate(int64_t deadline) const {
  if (deadline <= time_) return {-1, 0};
  // Both are non-negative here (time_ is a clock reading), so the top bit never differs.
  uint64_t differ = static_cast<uint64_t>(deadline) ^ static_cast<uint64_t>(time_);
  int level = (63 - std::countl_zero(differ)) / kSlotBits;
  int slot =
      static_cast<int>((static_cast<uint64_t>(deadline) >> (kSlotBits * level)) & (kSlots - 1));
  return {level, slot};
}

void ExpiryIndex::File(uint32_t record, int64_t deadline) {
  ++records_;
  Place place = Locate(deadline);
  if (place.level < 0) {
    due_.push_back(record);
    return;
  }
  std::unique_ptr<Level>& level = levels_[place.level];
  if (!level) level = std::make_unique<Level>();
  std::vector<uint32_t>& records = level->slots[place.slot];
  // A quarter more at a time, not twice as much: one TTL for every key (a cache's) puts nearly
  // all records in one slot, whose spare capacity would otherwise be as big as the slot.
  if (records.size() == records.capacity()) {
    records.reserve(records.size() + records.size() / 4 + 16);
  }
  records.push_back(record);
  level->occupied |= uint64_t{1} << place.slot;
}

void ExpiryIndex::OnDeadlineSet(Host& host, uint32_t record, std::optional<int64_t> old_deadline,
                                int64_t deadline) {
  deadline_sum_ += deadline - static_cast<__int128>(old_deadline.value_or(0));
  if (!old_deadline) {
    ++live_;
  } else if (Locate(*old_deadline) == Locate(deadline)) {
    // The record filed for the old deadline is where the new one would go.
    return;
  }
  File(record, deadline);
  if (GarbageHigh()) Sweep(host, kSweepPerSet);
}

int64_t ExpiryIndex::SlotStart(int level, int slot) const {
  int shift = kSlotBits * level;
  int above = shift + kSlotBits;
  uint64_t high = above >= 64 ? 0 : (static_cast<uint64_t>(time_) >> above) << above;
  return static_cast<int64_t>(high | (static_cast<uint64_t>(slot) << shift));
}

int64_t ExpiryIndex::SlotMax(int level, int slot) const {
  return SlotStart(level, slot) + static_cast<int64_t>((uint64_t{1} << (kSlotBits * level)) - 1);
}

std::optional<ExpiryIndex::Event> ExpiryIndex::NextEvent() const {
  for (int level = 0; level < kLevels; ++level) {
    if (!levels_[level] || levels_[level]->occupied == 0) continue;
    int slot = std::countr_zero(levels_[level]->occupied);
    return Event{level, slot, SlotStart(level, slot)};
  }
  return std::nullopt;
}

void ExpiryIndex::Advance(const Event& event) {
  if (sweep_.level == event.level && sweep_.slot == event.slot) FinishSweepSlot();
  int64_t max = SlotMax(event.level, event.slot);
  Level& level = *levels_[event.level];
  level.occupied &= ~(uint64_t{1} << event.slot);
  std::vector<uint32_t> records = std::move(level.slots[event.slot]);
  level.slots[event.slot] = {};
  time_ = event.start;
  if (event.level == 0) {
    // A 1-ms slot: every key in it is due now.
    if (due_.empty()) {
      due_ = std::move(records);
    } else {
      due_.insert(due_.end(), records.begin(), records.end());
    }
    return;
  }
  cascade_ = std::move(records);
  cascade_next_ = 0;
  cascade_max_ = max;
}

ExpiryIndex::StepResult ExpiryIndex::Step(Host& host, int64_t now_ms, int64_t stop_at_us) {
  StepResult result;
  // Nothing can be due before the clock passes T (it may even have stepped back).
  if (now_ms <= time_) return result;
  for (unsigned ops = 1;; ++ops) {
    if (ops % kClockEvery == 0 && MonotonicUs() >= stop_at_us) {
      result.done = false;
      return result;
    }
    if (!due_.empty()) {
      uint32_t record = due_.back();
      due_.pop_back();
      --records_;
      result.expired += host.ExpireRecord(record, now_ms);
      continue;
    }
    if (cascade_next_ < cascade_.size()) {
      uint32_t record = cascade_[cascade_next_++];
      --records_;
      // Keys whose deadline is before the slot (a TTL lowered while this record was waiting
      // here) are due: take them too.
      host.VisitDeadlines(record, std::numeric_limits<int64_t>::min(), cascade_max_,
                          [&](int64_t deadline) { File(record, deadline); });
      if (cascade_next_ == cascade_.size()) {
        std::vector<uint32_t>().swap(cascade_);
        cascade_next_ = 0;
      }
      continue;
    }
    std::optional<Event> event = NextEvent();
    // T stays behind the clock, so whatever is filed as due at T is expired at now_ms.
    if (event && event->start < now_ms) {
      Advance(*event);
      continue;
    }
    if (!GarbageHigh()) return result;
    Sweep(host, 1);
  }
}

std::optional<int64_t> ExpiryIndex::NextWakeMs() const {
  // Step acts once the clock is past these times.
  if (!due_.empty() || cascade_next_ < cascade_.size()) return time_ + 1;
  std::optional<Event> event = NextEvent();
  if (!event) return std::nullopt;
  return event->start + 1;
}

bool ExpiryIndex::GarbageHigh() const { return WheelRecords() > live_ + live_ / 2 + kGarbageSlack; }

void ExpiryIndex::Sweep(Host& host, size_t steps) {
  for (; steps > 0 && GarbageHigh(); --steps) {
    Level* level = levels_[sweep_.level].get();
    if (level == nullptr || sweep_.unswept == 0) {
      FinishSweepSlot();
      // On to the next occupied slot, level by level, wrapping around.
      ++sweep_.slot;
      while (true) {
        Level* candidate = levels_[sweep_.level].get();
        uint64_t rest = candidate == nullptr || sweep_.slot >= kSlots
                            ? 0
                            : candidate->occupied & (~uint64_t{0} << sweep_.slot);
        if (rest != 0) {
          sweep_.slot = std::countr_zero(rest);
          sweep_.unswept = candidate->slots[sweep_.slot].size();
          break;
        }
        sweep_.level = (sweep_.level + 1) % kLevels;
        sweep_.slot = 0;
      }
      continue;
    }
    std::vector<uint32_t>& records = level->slots[sweep_.slot];
    const size_t at = --sweep_.unswept;
    const uint32_t record = records[at];
    bool keep = false;
    host.VisitDeadlines(record, SlotStart(sweep_.level, sweep_.slot),
                        SlotMax(sweep_.level, sweep_.slot), [&](int64_t) { keep = true; });
    // Only kept records enter the set: it never holds more than the slot's live keys.
    if (keep && sweep_.seen.Insert(record)) continue;
    // Dropped: the last record (kept already, or filed since the sweep began) takes its place,
    // so the slot shrinks at once rather than when its sweep ends.
    records[at] = records.back();
    records.pop_back();
    --records_;
  }
}

void ExpiryIndex::FinishSweepSlot() {
  Level* level = levels_[sweep_.level].get();
  if (level != nullptr) {
    std::vector<uint32_t>& records = level->slots[sweep_.slot];
    if (records.empty()) {
      std::vector<uint32_t>().swap(records);
      level->occupied &= ~(uint64_t{1} << sweep_.slot);
    } else if (records.capacity() > records.size() + records.size() / 4) {
      records.shrink_to_fit();
    }
  }
  sweep_.unswept = 0;
  sweep_.seen.Clear();
}

size_t ExpiryIndex::MemoryBytes() const {
  size_t bytes =
      (due_.capacity() + cascade_.capacity()) * sizeof(uint32_t) + sweep_.seen.MemoryBytes();
  for (const auto& level : levels_) {
    if (!level) continue;
    bytes += sizeof(Level);
    for (const auto& slot : level->slots) bytes += slot.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

void ExpiryIndex::Clear() {
  for (auto& level : levels_) level.reset();
  std::vector<uint32_t>().swap(due_);
  std::vector<uint32_t>().swap(cascade_);
  cascade_next_ = 0;
  records_ = 0;
  live_ = 0;
  deadline_sum_ = 0;
  sweep_.level = 0;
  sweep_.slot = 0;
  sweep_.unswept = 0;
  sweep_.seen.Clear();
}

}  // namespace magnetar::engine
