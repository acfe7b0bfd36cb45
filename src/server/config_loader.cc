// Placeholder being replaced by the full redis.conf loader.
#include <string>

#include "magnetar/server/config.h"

namespace magnetar::server {

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  CommandLine result;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name == "--port") result.config.port = std::stoi(argv[i + 1]);
  }
  return result;
}

}  // namespace magnetar::server
