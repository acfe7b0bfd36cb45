#include "magnetar/server/propagator.h"

#include <algorithm>
#include <array>

namespace magnetar::server {

void Propagator::AddSink(PropagationSink& sink) { sinks_.push_back(&sink); }

void Propagator::RemoveSink(PropagationSink& sink) {
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), &sink), sinks_.end());
}

void Propagator::Record(size_t db, std::span<const std::string_view> argv) {
  if (!active()) return;
  pending_.push_back({db, std::vector<std::string>(argv.begin(), argv.end())});
}

void Propagator::Record(size_t db, std::span<const std::string> argv) {
  if (!active()) return;
  pending_.push_back({db, std::vector<std::string>(argv.begin(), argv.end())});
}

void Propagator::SendNow(size_t db, std::span<const std::string_view> argv) {
  if (!active()) return;
  Emit(db, argv);
  for (PropagationSink* sink : sinks_) sink->EndOfWrites();
}

bool Propagator::EndUnit() {
  if (depth_ > 0) --depth_;
  if (depth_ > 0 || pending_.empty()) return true;
  std::vector<Pending> writes;
  writes.swap(pending_);
  if (!active()) return true;
  const bool wrap = writes.size() > 1;
  // MULTI takes the first write's database, so its SELECT comes before MULTI.
  if (wrap) Emit(writes.front().db, std::array<std::string_view, 1>{"MULTI"});
  std::vector<std::string_view> views;
  for (const Pending& write : writes) {
    views.assign(write.argv.begin(), write.argv.end());
    Emit(write.db, views);
  }
  if (wrap) EmitToSinks(std::array<std::string_view, 1>{"EXEC"});
  bool persisted = true;
  for (PropagationSink* sink : sinks_) persisted &= sink->EndOfWrites();
  return persisted;
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
