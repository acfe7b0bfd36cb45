// Reading configuration text in redis.conf syntax: one directive per line, '#' comments, words
// split as Redis splits them (double quotes with escapes, single quotes), `include <path>` (a
// glob pattern includes every match), and each directive applied through the directive table.
// Directives of Redis 7.0 that Magnetar does not implement, and values it cannot honour yet (save
// points, appendonly yes), are accepted with one warning per directive.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/server/config.h"

namespace magnetar::server {

// Why a configuration cannot be used. Message() is the text Redis prints for the same failure.
struct ConfigLoadError {
  enum class Kind {
    kLine,      // a line is refused: unknown directive, wrong arguments, bad value
    kOpenFile,  // a configuration file (the main one or an included one) cannot be read
    kFinal,     // a check made once every line is read (the log file cannot be opened)
  };
  Kind kind = Kind::kLine;
  std::string file = {};  // the file being read; for kOpenFile the one that failed
  int line = 0;  // 1-based, counted as Redis counts (command-line directives follow the file)
  std::string text = {};  // the offending line as written, trimmed
  std::string reason = {};

  std::string Message() const;
};

class ConfigLoader {
 public:
  explicit ConfigLoader(Config& config) : config_(&config) {}

  // Applies every directive in `text`; `origin` names the text in errors. Stops at the first
  // refused line.
  std::optional<ConfigLoadError> Load(std::string_view text, const std::string& origin);

  // Appends the content of the file at `path` to `content`. A relative path is relative to the
  // configured `dir`, as Redis has already changed into it when it opens the file. A path with
  // glob characters reads every matching file (none is fine), concatenated.
  std::optional<ConfigLoadError> Read(const std::string& path, std::string& content) const;

  // One line per directive name accepted without taking effect, in order of appearance.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  // Applies one directive; returns the reason it is refused, or the empty string.
  std::string Apply(std::span<const std::string_view> args);
  std::optional<ConfigLoadError> Include(const std::string& path);
  // Records that directive `name` was accepted but is ignored (once per name).
  void Warn(std::string_view name);

  Config* config_;
  int include_depth_ = 0;
  std::vector<std::string> warnings_;
  std::set<std::string> warned_;
  // Whether a `save` line was read: Redis lets the first replace the defaults and later ones add
  // their points to it.
  bool save_read_ = false;
};

}  // namespace magnetar::server
