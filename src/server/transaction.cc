#include "magnetar/server/transaction.h"

namespace magnetar::server {

void Transaction::Queue(commands::RegisteredCommand* command,
                        std::span<const std::string_view> args) {
  commands_.push_back({command, args_.size(), args.size()});
  for (std::string_view arg : args) {
    args_.push_back({arena_.size(), arg.size()});
    arena_.append(arg);
  }
}

void Transaction::Reset() {
  active_ = aborted_ = watch_failed_ = false;
  arena_.clear();
  args_.clear();
  commands_.clear();
}

}  // namespace magnetar::server
