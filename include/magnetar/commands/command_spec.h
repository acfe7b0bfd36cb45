// The declarative command table. Every command is one constexpr CommandSpec row in its family's
// file; COMMAND INFO and COMMAND DOCS print these rows, so they mirror Redis's command metadata
// (flags, key positions, ACL categories, key specs, documentation) field for field.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace magnetar::commands {

struct CommandContext;
using Handler = void (*)(CommandContext&);

// Command flags, as COMMAND INFO names them.
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
  // Not printed by COMMAND INFO: a family marker, and the flag Redis derives for sentinel mode.
  kProtected = 1u << 19,  // refused unless the matching enable-*-command allows it
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

// Key specification flags (Redis 7 key specs).
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

// Where a command's keys are: begin_search (an index, or after a keyword) then find_keys (a
// range, or a count stored in an argument).
struct KeySpec {
  uint32_t flags = 0;
  // begin_search: an index when keyword is empty, else the keyword searched from start_from.
  int index = 0;
  std::string_view keyword = {};
  int start_from = 0;
  // find_keys: a range when is_keynum is false.
  bool is_keynum = false;
  int last_key = 0;  // range: lastkey; keynum: keynumidx
  int key_step = 1;  // range: keystep; keynum: firstkey
  int limit = 0;     // range: limit;   keynum: keystep
  std::string_view notes = {};
};

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

// One argument of COMMAND DOCS; redis-cli builds its typing hints from these.
struct ArgDoc {
  std::string_view name;
  ArgType type = ArgType::kString;
  std::string_view token = {};
  uint8_t flags = 0;
  std::span<const ArgDoc> children = {};
  int key_spec_index = -1;
  std::string_view since = {};
  std::string_view summary = {};
  std::string_view display = {};
};

struct HistoryEntry {
  std::string_view version;
  std::string_view change;
};

struct CommandDoc {
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity = {};
  std::span<const HistoryEntry> history = {};
  std::span<const ArgDoc> arguments = {};
  std::string_view deprecated_since = {};
  std::string_view replaced_by = {};
  bool syscmd = false;  // doc_flags "syscmd"
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
  std::span<const CommandSpec> subcommands = {};
};

}  // namespace magnetar::commands
