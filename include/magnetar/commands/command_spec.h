// The declarative command table. Every command is one constexpr CommandSpec row in its family's
// file; COMMAND INFO and COMMAND DOCS print these rows, so they mirror Redis's command metadata
// (flags, key positions, ACL categories, key specs, documentation) field for field.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace magnetar::commands {

struct CommandContext;
using Handler = void (*)(CommandContext&);

// Command flags, as COMMAND INFO names them. It prints all but kMayReplicate and kProtected.
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,
  kReadOnly = 1u << 1,
  kDenyOom = 1u << 2,
  kAdmin = 1u << 3,
  kPubSub = 1u << 4,
  kNoScript = 1u << 5,
  kBlocking = 1u << 6,
  kLoading = 1u << 7,
  kStale = 1u << 8,
  kSkipMonitor = 1u << 9,
  kSkipSlowlog = 1u << 10,
  kAsking = 1u << 11,
  kFast = 1u << 12,
  kNoAuth = 1u << 13,
  kMayReplicate = 1u << 14,
  kNoMandatoryKeys = 1u << 15,
  kNoMulti = 1u << 16,
  kMovableKeys = 1u << 17,
  kAllowBusy = 1u << 18,
  kNoAsyncLoading = 1u << 19,
  kProtected = 1u << 20,  // refused unless the matching enable-*-command allows it
};

// ACL categories, as COMMAND INFO prints them ("@read").
enum AclCategory : uint32_t {
  kAclKeyspace = 1u << 0,
  kAclRead = 1u << 1,
  kAclWrite = 1u << 2,
  kAclSet = 1u << 3,
  kAclSortedSet = 1u << 4,
  kAclList = 1u << 5,
  kAclHash = 1u << 6,
  kAclString = 1u << 7,
  kAclBitmap = 1u << 8,
  kAclHyperLogLog = 1u << 9,
  kAclGeo = 1u << 10,
  kAclStream = 1u << 11,
  kAclPubSub = 1u << 12,
  kAclAdmin = 1u << 13,
  kAclFast = 1u << 14,
  kAclSlow = 1u << 15,
  kAclBlocking = 1u << 16,
  kAclDangerous = 1u << 17,
  kAclConnection = 1u << 18,
  kAclTransaction = 1u << 19,
  kAclScripting = 1u << 20,
};

// Key specification flags (Redis 7 key specs), in the order COMMAND INFO prints them.
enum KeySpecFlag : uint32_t {
  kKsRO = 1u << 0,
  kKsRW = 1u << 1,
  kKsOW = 1u << 2,
  kKsRM = 1u << 3,
  kKsAccess = 1u << 4,
  kKsUpdate = 1u << 5,
  kKsInsert = 1u << 6,
  kKsDelete = 1u << 7,
  kKsNotKey = 1u << 8,
  kKsIncomplete = 1u << 9,
  kKsVariableFlags = 1u << 10,
};

// Where a key spec's search starts: at a fixed argument, or at the argument after a keyword
// looked for from start_from (negative: from the end, backwards). kUnknown: only the command's
// KeysFn knows.
struct BeginSearch {
  enum Type : uint8_t { kUnknown, kIndex, kKeyword };
  Type type = kUnknown;
  int index = 0;
  std::string_view keyword = {};
  int start_from = 0;
};
constexpr BeginSearch SearchIndex(int index) { return {BeginSearch::kIndex, index}; }
constexpr BeginSearch SearchKeyword(std::string_view keyword, int start_from) {
  return {BeginSearch::kKeyword, 0, keyword, start_from};
}

// Which arguments from the start are keys: a range, or a count stored in an argument followed by
// that many keys. Positions are relative to where the search began.
struct FindKeys {
  enum Type : uint8_t { kUnknown, kRange, kKeyNum };
  Type type = kUnknown;
  // kRange: the last key (negative: counted from the end), and, when last_key is -1, limit > 1
  // keeps only 1/limit of the remaining arguments.
  int last_key = 0;
  int key_step = 1;  // both kinds
  int limit = 0;
  // kKeyNum: the argument holding the number of keys, and the first key.
  int keynum_index = 0;
  int first_key = 0;
};
constexpr FindKeys KeyRange(int last_key, int key_step, int limit) {
  return {FindKeys::kRange, last_key, key_step, limit};
}
constexpr FindKeys KeyNum(int keynum_index, int first_key, int key_step) {
  return {FindKeys::kKeyNum, 0, key_step, 0, keynum_index, first_key};
}

struct KeySpec {
  std::string_view notes = {};
  uint32_t flags = 0;  // KeySpecFlag bits
  BeginSearch begin_search = {};
  FindKeys find_keys = {};
};

// A key found in a command's arguments and how the command uses it (KeySpecFlag bits).
struct KeyRef {
  size_t index;
  uint32_t flags;
};

// For commands whose key specs cannot describe their keys exactly (flags that depend on the other
// arguments, keys found by parsing): appends the keys of `args` (args[0] is the command name) and
// returns false when the arguments do not make sense.
using KeysFn = bool (*)(std::span<const std::string_view> args, std::vector<KeyRef>& keys);

enum class ArgType : uint8_t {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneOf,
  kBlock,
};

enum ArgFlag : uint8_t {
  kArgOptional = 1u << 0,
  kArgMultiple = 1u << 1,
  kArgMultipleToken = 1u << 2,
};

// One argument of COMMAND DOCS; redis-cli builds its typing hints from these. Fields are in the
// order COMMAND DOCS prints them; empty ones are left out.
struct ArgDoc {
  std::string_view name;
  ArgType type = ArgType::kString;
  int key_spec_index = -1;  // kKey only
  std::string_view token = {};
  std::string_view since = {};
  std::string_view deprecated_since = {};
  uint8_t flags = 0;  // ArgFlag bits
  std::span<const ArgDoc> arguments = {};
};

struct HistoryEntry {
  std::string_view version;
  std::string_view change;
};

// COMMAND DOCS of one command, fields in printing order. doc_flags "deprecated" is printed
// whenever deprecated_since is set.
struct CommandDoc {
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity = {};
  bool syscmd = false;  // doc_flags "syscmd"
  std::string_view deprecated_since = {};
  std::string_view replaced_by = {};
  std::span<const HistoryEntry> history = {};
  std::span<const ArgDoc> arguments = {};
};

struct CommandSpec {
  std::string_view name;  // lower case; a subcommand is "parent|sub"
  int arity;              // N: exactly N arguments (name included); -N: at least N
  uint32_t flags;
  uint32_t acl;
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  Handler handler = nullptr;  // null for a container whose subcommands do the work
  CommandDoc doc = {};
  std::span<const KeySpec> key_specs = {};
  std::span<const std::string_view> tips = {};
  KeysFn keys_fn = nullptr;  // when set, COMMAND GETKEYS asks it instead of the key specs
  std::span<const CommandSpec> subcommands = {};
};

}  // namespace magnetar::commands
