// Logging in Redis's line format ("pid:M 23 Nov 2026 05:10:21.123 * message") through spdlog.
// Levels map as: debug -> trace, verbose -> debug, notice -> info, warning -> warn.
#pragma once

#include "magnetar/server/config.h"

namespace magnetar::server {

// Sends the log to config.logfile (standard output when empty) at config.loglevel. Throws
// ConfigError when the file cannot be opened.
void SetupLogging(const Config& config);
// Applies a changed loglevel (CONFIG SET).
void SetLogLevel(LogLevel level);

}  // namespace magnetar::server
