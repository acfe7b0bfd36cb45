#include "config_limits.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace magnetar::server {
namespace {

// Descriptors kept for listeners, log, persistence files and the like (Redis reserves 32).
constexpr rlim_t kReservedFds = 32;
// What Redis assumes when the limit cannot even be read.
constexpr rlim_t kAssumedLimit = 1024;

int ClientsFitting(rlim_t limit) {
  return limit > kReservedFds ? static_cast<int>(limit - kReservedFds) : 1;
}

}  // namespace

int FitMaxclientsToFileLimit(int maxclients, std::vector<std::string>* notes) {
  auto note = [notes](std::string line) {
    if (notes) notes->push_back(std::move(line));
  };
  const rlim_t wanted = static_cast<rlim_t>(maxclients) + kReservedFds;
  rlimit current;
  if (getrlimit(RLIMIT_NOFILE, &current) != 0) {
    int fitted = std::min(maxclients, ClientsFitting(kAssumedLimit));
    note(fmt::format(
        "Unable to obtain the current NOFILE limit ({}), assuming {} and setting the max clients "
        "configuration accordingly.",
        std::strerror(errno), kAssumedLimit));
    return fitted;
  }
  if (current.rlim_cur >= wanted) return maxclients;

  // All of it first (a privileged process may raise the hard limit too), then as much as the
  // hard limit allows.
  rlimit all = {wanted, std::max(wanted, current.rlim_max)};
  if (setrlimit(RLIMIT_NOFILE, &all) == 0) {
    note(fmt::format("Increased maximum number of open files to {} (it was originally set to {}).",
                     wanted, current.rlim_cur));
    return maxclients;
  }
  const int error = errno;
  rlim_t best = current.rlim_cur;
  rlimit capped = {std::min(wanted, current.rlim_max), current.rlim_max};
  if (capped.rlim_cur > best && setrlimit(RLIMIT_NOFILE, &capped) == 0) best = capped.rlim_cur;
  int fitted = std::min(maxclients, ClientsFitting(best));
  note(fmt::format("You requested maxclients of {} requiring at least {} max file descriptors.",
                   maxclients, wanted));
  note(fmt::format("Server can't set maximum open files to {} because of OS error: {}.", wanted,
                   std::strerror(error)));
  note(fmt::format(
      "Current maximum open files is {}. maxclients has been reduced to {} to compensate for low "
      "ulimit. If you need higher maxclients increase 'ulimit -n'.",
      best, fitted));
  return fitted;
}

}  // namespace magnetar::server
