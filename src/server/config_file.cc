#include "config_file.h"

#include <fmt/format.h>
#include <glob.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <utility>

#include "config_directives.h"
#include "config_values.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/resp/request_parser.h"
#include "magnetar/server/version.h"

namespace magnetar::server {
namespace {

constexpr std::string_view kBadDirective = "Bad directive or wrong number of arguments";

// Redis has no limit and recurses until it crashes; a file including itself is refused instead.
constexpr int kMaxIncludeDepth = 32;

std::string_view Trim(std::string_view line) {
  constexpr std::string_view kBlanks = " \t\r\n";
  size_t begin = line.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  return line.substr(begin, line.find_last_not_of(kBlanks) - begin + 1);
}

// The prefix of a Redis log line written before logging is set up ("1234:C 23 Nov 2026
// 05:31:16.925 #"), for the one configuration failure Redis reports as a log line.
std::string LogLinePrefix() {
  timeval now;
  gettimeofday(&now, nullptr);
  tm local;
  localtime_r(&now.tv_sec, &local);
  char date[64];
  strftime(date, sizeof date, "%d %b %Y %H:%M:%S", &local);
  return fmt::format("{}:C {}.{:03} #", getpid(), date, now.tv_usec / 1000);
}

bool HasGlob(std::string_view path) { return path.find_first_of("*?[") != std::string_view::npos; }

// Appends a whole file; false with errno set when it cannot be opened. A directory opens but
// reads as nothing, as with Redis's fopen/fgets.
bool AppendFile(const std::string& path, std::string& content) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), &std::fclose);
  if (!file) return false;
  char buffer[16384];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) content.append(buffer, got);
  return true;
}

}  // namespace

std::string ConfigLoadError::Message() const {
  std::string header = fmt::format("\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\n", kRedisVersion);
  switch (kind) {
    case Kind::kLine:
      return fmt::format("{}Reading the configuration file, at line {}\n>>> '{}'\n{}", header, line,
                         text, reason);
    case Kind::kOpenFile:
      return fmt::format("{} Fatal error, can't open config file '{}': {}", LogLinePrefix(), file,
                         reason);
    case Kind::kFinal:
      return header + reason;
  }
  return reason;
}

std::optional<ConfigLoadError> ConfigLoader::Read(const std::string& path,
                                                  std::string& content) const {
  namespace fs = std::filesystem;
  std::error_code ignored;
  std::string resolved =
      fs::path(path).is_absolute() ? path : (fs::absolute(config_->dir, ignored) / path).string();
  auto open_error = [](const std::string& name) {
    return ConfigLoadError{ConfigLoadError::Kind::kOpenFile, name, 0, {}, std::strerror(errno)};
  };
  if (!HasGlob(path)) {
    if (!AppendFile(resolved, content)) return open_error(path);
    return std::nullopt;
  }
  glob_t matches;
  if (glob(resolved.c_str(), 0, nullptr, &matches) == 0) {
    std::unique_ptr<glob_t, void (*)(glob_t*)> release(&matches, &globfree);
    for (size_t i = 0; i < matches.gl_pathc; ++i) {
      if (!AppendFile(matches.gl_pathv[i], content)) return open_error(matches.gl_pathv[i]);
    }
  }
  return std::nullopt;
}

std::optional<ConfigLoadError> ConfigLoader::Load(std::string_view text,
                                                  const std::string& origin) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  std::vector<std::string_view> args;
  int line_number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    auto refuse = [&](std::string_view reason) {
      return ConfigLoadError{ConfigLoadError::Kind::kLine, origin, line_number, std::string(line),
                             std::string(reason)};
    };
    storage.clear();
    spans.clear();
    if (!resp::SplitInlineArgs(line, storage, spans)) {
      return refuse("Unbalanced quotes in configuration line");
    }
    if (spans.empty()) continue;
    args.clear();
    for (auto [offset, length] : spans) args.emplace_back(storage.data() + offset, length);
    if (commands::EqualsIgnoreCase(args[0], "include")) {
      if (args.size() != 2) return refuse(kBadDirective);
      if (include_depth_ >= kMaxIncludeDepth) return refuse("Too many nested include directives");
      if (auto error = Include(std::string(args[1]))) return error;
      continue;
    }
    std::string reason = Apply(args);
    if (!reason.empty()) return refuse(reason);
  }
  return std::nullopt;
}

std::optional<ConfigLoadError> ConfigLoader::Include(const std::string& path) {
  std::string content;
  if (auto error = Read(path, content)) return error;
  ++include_depth_;
  auto error = Load(content, path);
  --include_depth_;
  return error;
}

std::string ConfigLoader::Apply(std::span<const std::string_view> args) {
  const Directive* directive = FindDirective(args[0]);
  if (!directive) {
    if (IsDeprecatedDirective(args[0])) return {};
    if (!IsRedisDirective(args[0])) return std::string(kBadDirective);
    Warn(args[0]);
    return {};
  }
  bool multi = directive->flags & kDirectiveMultiArg;
  if (!multi && args.size() != 2) return "wrong number of arguments";
  ConfigArgs values = args.subspan(1);
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  std::vector<std::string_view> parts;
  if (multi && args.size() == 2 && !args[1].empty()) {
    // One argument holding several ("normal 1mb 0 0" from a quoted command-line value) is split
    // as Redis splits it, like a line: runs of blanks separate, quotes group. Unbalanced quotes
    // give no arguments, as they do in Redis.
    if (resp::SplitInlineArgs(args[1], storage, spans)) {
      for (auto [offset, length] : spans) parts.emplace_back(storage.data() + offset, length);
    }
    values = parts;
  }
  std::vector<Config::SavePoint> earlier_points;
  if (directive->name == "save" && std::exchange(save_read_, true)) earlier_points = config_->save;
  std::string reason = directive->set(*config_, values);
  if (reason.empty() && !earlier_points.empty() && !config_->save.empty()) {
    config_->save.insert(config_->save.begin(), earlier_points.begin(), earlier_points.end());
  }
  return reason;
}

void ConfigLoader::Warn(std::string_view name) {
  std::string lower = LowerCase(name);
  if (warned_.insert(lower).second) warnings_.push_back(NotImplementedWarning(lower));
}

}  // namespace magnetar::server
