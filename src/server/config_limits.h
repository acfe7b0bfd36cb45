// maxclients and the process's open files limit. Every client is a file descriptor, so Redis
// raises RLIMIT_NOFILE to maxclients plus descriptors it keeps for itself, and when the OS refuses
// it lowers maxclients at startup, or refuses CONFIG SET maxclients, rather than failing accepts
// later.
#pragma once

#include <string>
#include <vector>

namespace magnetar::server {

// Raises the open files limit for `maxclients` clients as far as the OS allows and returns the
// number of clients that fits (`maxclients` when it all fits). When `notes` is given, appends the
// log lines Redis writes about it.
int FitMaxclientsToFileLimit(int maxclients, std::vector<std::string>* notes);

}  // namespace magnetar::server
