// Loading the AOF at startup: the base (an RDB file, or RESP commands) and then the incr files,
// replayed through the dispatcher by a client of the server's own, as Redis 7.0 loads them.
#pragma once

#include <optional>
#include <string>

#include "magnetar/server/aof.h"

namespace magnetar::server {

// Loads the files `manifest` names from `dir` into the (empty) keyspace, logging as Redis does.
// A torn last command of the last file is cut off (the file truncated) when aof-load-truncated
// is on. False when the server must not start; the reason is logged.
bool LoadAofFiles(Server& server, const std::string& dir, const AofManifest& manifest);

// A whole file's bytes; null when it cannot be opened.
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace magnetar::server
