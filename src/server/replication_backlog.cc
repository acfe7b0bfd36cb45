#include "replication_backlog.h"

#include <algorithm>

namespace magnetar::server {

void ReplicationBacklog::Create(size_t size, uint64_t offset) {
  ring_.assign(std::max<size_t>(size, 1), '\0');
  next_ = 0;
  histlen_ = 0;
  offset_ = offset;
}

void ReplicationBacklog::Free() {
  std::string().swap(ring_);
  next_ = 0;
  histlen_ = 0;
}

void ReplicationBacklog::Resize(size_t size) {
  size = std::max<size_t>(size, 1);
  if (!active() || size == ring_.size()) return;
  std::string kept;
  uint64_t keep = std::min<uint64_t>(histlen_, size);
  CopyFrom(offset_ - keep + 1, kept);
  ring_.assign(size, '\0');
  std::copy(kept.begin(), kept.end(), ring_.begin());
  next_ = kept.size() % size;
  histlen_ = kept.size();
}

void ReplicationBacklog::Reset(uint64_t offset) {
  offset_ = offset;
  next_ = 0;
  histlen_ = 0;
}

void ReplicationBacklog::Append(std::string_view bytes) {
  offset_ += bytes.size();
  if (!active()) return;
  // Only the last ring-size bytes can be kept.
  if (bytes.size() > ring_.size()) bytes.remove_prefix(bytes.size() - ring_.size());
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), ring_.size() - next_);
    std::copy_n(bytes.data(), n, ring_.data() + next_);
    next_ = (next_ + n) % ring_.size();
    bytes.remove_prefix(n);
    histlen_ = std::min<uint64_t>(histlen_ + n, ring_.size());
  }
}

void ReplicationBacklog::CopyFrom(uint64_t from, std::string& out) const {
  uint64_t count = offset_ + 1 - from;
  if (count == 0) return;
  size_t start = (next_ + ring_.size() - count % ring_.size()) % ring_.size();
  if (count == ring_.size()) start = next_;
  size_t first = std::min<size_t>(count, ring_.size() - start);
  out.append(ring_.data() + start, first);
  out.append(ring_.data(), count - first);
}

}  // namespace magnetar::server
