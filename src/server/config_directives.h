// The directive table: every redis.conf directive Magnetar implements, with how its arguments are
// parsed into Config, how CONFIG GET shows its value and how CONFIG REWRITE writes it back; and
// the names of all Redis 7.0 directives, so that a file written for Redis loads even where
// Magnetar lacks a feature (such directives are accepted with a warning).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/server/config.h"

namespace magnetar::server {

using ConfigArgs = std::span<const std::string_view>;

enum DirectiveFlag : uint32_t {
  // CONFIG SET refuses it: "can't set immutable config".
  kDirectiveImmutable = 1u << 0,
  // CONFIG SET refuses it unless enable-protected-configs allows (which Magnetar never does).
  kDirectiveProtected = 1u << 1,
  // Takes any number of arguments (none included); CONFIG SET splits its value on spaces.
  kDirectiveMultiArg = 1u << 2,
  // CONFIG REWRITE writes it even when it holds the default value.
  kDirectiveAlwaysRewrite = 1u << 3,
  // CONFIG REWRITE writes all its lines, defaults too, once the file names it: a file holding the
  // first of three save points alone would load one.
  kDirectiveAllLinesOrNone = 1u << 5,
};

struct Directive {
  std::string_view name;  // lower case
  uint32_t flags;
  // Parses `args` (exactly one unless kDirectiveMultiArg) into `config`. Returns the empty
  // string, or Redis's reason for refusing them ("argument must be 'yes' or 'no'").
  std::string (*set)(Config& config, ConfigArgs args);
  // The value as CONFIG GET shows it.
  std::string (*get)(const Config& config);
  // What CONFIG REWRITE writes after the name, one entry per line ("6379" for "port 6379"); no
  // entry drops the directive from the file.
  std::vector<std::string> (*rewrite)(const Config& config);
  // For an old name kept for compatibility (hash-max-ziplist-entries), the directive it stands
  // for: it reads and writes the same value, CONFIG GET * lists both names, and CONFIG REWRITE
  // writes only the canonical one (replacing the alias's line in place), as Redis 7.0 does.
  std::string_view alias_of = {};
};

// The implemented directives, in the order CONFIG REWRITE appends them.
std::span<const Directive> Directives();

// The implemented directive called `name` (any case), or null.
const Directive* FindDirective(std::string_view name);

// Splits a multi-argument directive's value given as one argument on every single space, as Redis
// does for CONFIG SET (so two spaces in a row make an empty argument); the empty value is no
// argument at all. (A configuration file line with one argument is split like a line instead.)
std::vector<std::string_view> SplitOnSpaces(std::string_view value);

// The warning for a directive that loads but that Magnetar ignores.
std::string NotImplementedWarning(std::string_view name);

// Whether `name` (any case) is one of the directives Redis 7.0 still accepts in a file but ignores
// silently (list-max-ziplist-entries, list-max-ziplist-value, lua-replicate-commands). CONFIG SET
// does not know them and CONFIG REWRITE comments their lines out, as Redis does.
bool IsDeprecatedDirective(std::string_view name);

// Whether `name` (any case) is a directive Redis 7.0 knows: every CONFIG GET name with the
// aliases, and the file-only ones (include, rename-command, user, loadmodule, sentinel).
bool IsRedisDirective(std::string_view name);

}  // namespace magnetar::server
