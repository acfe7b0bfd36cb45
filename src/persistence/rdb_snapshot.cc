#include "magnetar/persistence/rdb_snapshot.h"

#include "magnetar/engine/access_metadata.h"

namespace magnetar::persistence {

RdbSnapshotSink::RdbSnapshotSink(const engine::Keyspace& keyspace, ChunkSink& out,
                                 RdbSnapshotOptions options)
    : keyspace_(keyspace),
      out_(out),
      options_(std::move(options)),
      writer_(buffer_, options_.compress) {
  buffer_.reserve(kChunkBytes + kChunkBytes / 4);
}

void RdbSnapshotSink::Begin() {
  writer_.Header();
  for (const auto& [key, value] : options_.aux) writer_.AuxField(key, value);
}

void RdbSnapshotSink::BeginDatabase(size_t index, size_t keys, size_t keys_with_deadline) {
  current_index_ = index;
  writer_.SelectDb(index);
  writer_.ResizeDb(keys, keys_with_deadline);
  auto held = ahead_.find(index);
  if (held != ahead_.end()) {
    ahead_bytes_ -= held->second.size();
    buffer_ += held->second;
    ahead_.erase(held);
  }
  FlushIfFull();
}

void RdbSnapshotSink::Write(size_t index, const engine::Entry& entry) {
  if (index == current_index_) {
    WriteKey(writer_, entry);
    return FlushIfFull();
  }
  // A key of a database the walk has not reached: it joins that database's stream later.
  std::string& held = ahead_[index];
  size_t before = held.size();
  RdbWriter ahead_writer(held, options_.compress);
  WriteKey(ahead_writer, entry);
  ahead_bytes_ += held.size() - before;
}

void RdbSnapshotSink::WriteKey(RdbWriter& writer, const engine::Entry& entry) {
  KeyMetadata metadata;
  if (entry.has_deadline()) metadata.deadline_ms = entry.deadline();
  switch (options_.access_field) {
    case AccessField::kNone:
      break;
    case AccessField::kIdle:
      metadata.idle_seconds = engine::LruIdleSeconds(keyspace_.lru_clock(), entry.access());
      break;
    case AccessField::kFreq:
      metadata.lfu_counter = static_cast<uint8_t>(keyspace_.LfuFrequency(entry.access()));
      break;
  }
  writer.Key(entry, metadata);
}

void RdbSnapshotSink::FlushIfFull() {
  if (buffer_.size() < kChunkBytes) return;
  out_.Push(std::move(buffer_));
  buffer_ = std::string();
  buffer_.reserve(kChunkBytes + kChunkBytes / 4);
}

void RdbSnapshotSink::Finish() {
  for (auto& [index, held] : ahead_) buffer_ += held;  // unreachable unless the walk was cut
  ahead_.clear();
  ahead_bytes_ = 0;
  writer_.Eof();
  out_.Push(std::move(buffer_));
  buffer_ = std::string();
}

}  // namespace magnetar::persistence
