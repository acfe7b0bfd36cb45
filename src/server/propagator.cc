#include "magnetar/server/propagator.h"

#include <algorithm>
#include <array>

namespace magnetar::server {

void Propagator::AddSink(PropagationSink& sink) { sinks_.push_back(&sink); }

void Propagator::RemoveSink(PropagationSink& sink) {
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), &sink), sinks_.end());
}

template <typename Arg>
void Propagator::RecordArgs(size_t db, std::span<const Arg> argv) {
  if (!active()) return;
  pending_.push_back({db, pending_args_.size(), argv.size()});
  for (const Arg& arg : argv) {
    pending_args_.emplace_back(pending_bytes_.size(), arg.size());
    pending_bytes_.append(arg);
  }
}

void Propagator::Record(size_t db, std::span<const std::string_view> argv) { RecordArgs(db, argv); }

void Propagator::Record(size_t db, std::span<const std::string> argv) { RecordArgs(db, argv); }

void Propagator::SendNow(size_t db, std::span<const std::string_view> argv) {
  if (!active()) return;
  Emit(db, argv);
  for (PropagationSink* sink : sinks_) sink->EndOfWrites();
}

bool Propagator::EndUnit() {
  if (depth_ > 0) --depth_;
  if (depth_ > 0 || pending_.empty()) return false;
  if (!active()) {
    ClearPending();
    return false;
  }
  const bool wrap = pending_.size() > 1;
  // MULTI takes the first write's database, so its SELECT comes before MULTI.
  if (wrap) Emit(pending_.front().db, std::array<std::string_view, 1>{"MULTI"});
  for (const PendingWrite& write : pending_) {
    views_.clear();
    for (size_t i = write.first_arg; i < write.first_arg + write.argc; ++i) {
      views_.emplace_back(pending_bytes_.data() + pending_args_[i].first, pending_args_[i].second);
    }
    Emit(write.db, views_);
  }
  if (wrap) EmitToSinks(std::array<std::string_view, 1>{"EXEC"});
  ClearPending();
  for (PropagationSink* sink : sinks_) sink->EndOfWrites();
  return true;
}

void Propagator::ClearPending() {
  pending_.clear();
  pending_args_.clear();
  // One huge unit (an MSET of a million keys) should not pin its room forever.
  constexpr size_t kMaxIdleBytes = 1024 * 1024;
  if (pending_bytes_.capacity() > kMaxIdleBytes) {
    std::string().swap(pending_bytes_);
  } else {
    pending_bytes_.clear();
  }
}

void Propagator::Emit(size_t db, std::span<const std::string_view> argv) {
  if (db != selected_db_) {
    std::string number = std::to_string(db);
    EmitToSinks(std::array<std::string_view, 2>{"SELECT", number});
    selected_db_ = db;
  }
  EmitToSinks(argv);
}

void Propagator::EmitToSinks(std::span<const std::string_view> argv) {
  for (PropagationSink* sink : sinks_) sink->Append(argv);
}

}  // namespace magnetar::server
