// The AOF directory's manifest (appendonly.aof.manifest) and the file names of Redis 7.0's
// multi-part layout (server/aof.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/server/config.h"

namespace magnetar::server {

// appendonly.aof.manifest: one line per file, `file <name> seq <n> type <b|h|i>`.
struct AofManifest {
  enum class Type : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };
  struct File {
    std::string name;
    int64_t seq = 0;
    Type type = Type::kIncr;
  };
  std::vector<File> files;  // the base first, then the incr files in seq order

  std::string Format() const;
  // Null, with the reason in `error`, when `text` is not a manifest.
  static std::optional<AofManifest> Parse(std::string_view text, std::string& error);

  const File* base() const;
  // The highest incr seq, 0 when there is no incr file.
  int64_t last_incr_seq() const;
};

// File names derived from appendfilename, as Redis 7.0 names them.
std::string AofManifestName(const Config& config);
std::string AofBaseName(const Config& config, int64_t seq, bool rdb_preamble);
std::string AofIncrName(const Config& config, int64_t seq);
// Replaces `dir/name` with `manifest` atomically: a temp file, fsynced, renamed over it, and the
// directory fsynced. Empty, or the reason it failed.
std::string WriteAofManifest(const std::string& dir, const std::string& name,
                             const AofManifest& manifest);

}  // namespace magnetar::server
