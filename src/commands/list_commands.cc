// The list family's command table: every row mirrors Redis 7.0.15's COMMAND
// INFO and COMMAND DOCS for the command. The handlers live in
// list_basic_commands.cc (one list) and list_move_commands.cc (moves, multi-key
// pops and the blocking forms).
#include "list_handlers.h"
#include "magnetar/commands/families.h"

namespace magnetar::commands {
namespace {

constexpr ArgDoc kLpushArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "element", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr HistoryEntry kLpushHistory[] = {
    {"2.4.0", "Accepts multiple `element` arguments."},
};
constexpr KeySpec kLpushKeySpecs[] = {
    {.flags = kKsRW | kKsInsert, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr HistoryEntry kLpushxHistory[] = {
    {"4.0.0", "Accepts multiple `element` arguments."},
};
constexpr ArgDoc kLpopArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "count", .type = ArgType::kInteger, .since = "6.2.0", .flags = kArgOptional},
};
constexpr HistoryEntry kLpopHistory[] = {
    {"6.2.0", "Added the `count` argument."},
};
constexpr KeySpec kLpopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kLlenArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
};
constexpr KeySpec kLlenKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kLindexArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "index", .type = ArgType::kInteger},
};
constexpr KeySpec kLindexKeySpecs[] = {
    {.flags = kKsRO | kKsAccess, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kLsetArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "index", .type = ArgType::kInteger},
    {.name = "element", .type = ArgType::kString},
};
constexpr KeySpec kLsetKeySpecs[] = {
    {.flags = kKsRW | kKsUpdate, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kLrangeArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "start", .type = ArgType::kInteger},
    {.name = "stop", .type = ArgType::kInteger},
};
constexpr ArgDoc kLinsertArgsWhere[] = {
    {.name = "before", .type = ArgType::kPureToken, .token = "BEFORE"},
    {.name = "after", .type = ArgType::kPureToken, .token = "AFTER"},
};
constexpr ArgDoc kLinsertArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "where", .type = ArgType::kOneOf, .arguments = kLinsertArgsWhere},
    {.name = "pivot", .type = ArgType::kString},
    {.name = "element", .type = ArgType::kString},
};
constexpr ArgDoc kLremArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "count", .type = ArgType::kInteger},
    {.name = "element", .type = ArgType::kString},
};
constexpr KeySpec kLremKeySpecs[] = {
    {.flags = kKsRW | kKsDelete, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kLposArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "element", .type = ArgType::kString},
    {.name = "rank", .type = ArgType::kInteger, .token = "RANK", .flags = kArgOptional},
    {.name = "num-matches", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
    {.name = "len", .type = ArgType::kInteger, .token = "MAXLEN", .flags = kArgOptional},
};
constexpr ArgDoc kLmoveArgsWherefrom[] = {
    {.name = "left", .type = ArgType::kPureToken, .token = "LEFT"},
    {.name = "right", .type = ArgType::kPureToken, .token = "RIGHT"},
};
constexpr ArgDoc kLmoveArgs[] = {
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "wherefrom", .type = ArgType::kOneOf, .arguments = kLmoveArgsWherefrom},
    {.name = "whereto", .type = ArgType::kOneOf, .arguments = kLmoveArgsWherefrom},
};
constexpr KeySpec kLmoveKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(0, 1, 0)},
    {.flags = kKsRW | kKsInsert, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
constexpr ArgDoc kRpoplpushArgs[] = {
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 1},
};
constexpr ArgDoc kLmpopArgs[] = {
    {.name = "numkeys", .type = ArgType::kInteger},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "where", .type = ArgType::kOneOf, .arguments = kLmoveArgsWherefrom},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};
constexpr KeySpec kLmpopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyNum(0, 1, 1)},
};
constexpr ArgDoc kBlpopArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "timeout", .type = ArgType::kDouble},
};
constexpr HistoryEntry kBlpopHistory[] = {
    {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
};
constexpr KeySpec kBlpopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(1),
     .find_keys = KeyRange(-2, 1, 0)},
};
constexpr ArgDoc kBlmoveArgs[] = {
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "wherefrom", .type = ArgType::kOneOf, .arguments = kLmoveArgsWherefrom},
    {.name = "whereto", .type = ArgType::kOneOf, .arguments = kLmoveArgsWherefrom},
    {.name = "timeout", .type = ArgType::kDouble},
};
constexpr ArgDoc kBrpoplpushArgs[] = {
    {.name = "source", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "destination", .type = ArgType::kKey, .key_spec_index = 1},
    {.name = "timeout", .type = ArgType::kDouble},
};
constexpr ArgDoc kBlmpopArgs[] = {
    {.name = "timeout", .type = ArgType::kDouble},
    {.name = "numkeys", .type = ArgType::kInteger},
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0, .flags = kArgMultiple},
    {.name = "where", .type = ArgType::kOneOf, .arguments = kLmoveArgsWherefrom},
    {.name = "count", .type = ArgType::kInteger, .token = "COUNT", .flags = kArgOptional},
};
constexpr KeySpec kBlmpopKeySpecs[] = {
    {.flags = kKsRW | kKsAccess | kKsDelete,
     .begin_search = SearchIndex(2),
     .find_keys = KeyNum(0, 1, 1)},
};

constexpr CommandSpec kListCommands[] = {
    {.name = "lpush",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LPush,
     .doc = {.summary = "Prepend one or multiple elements to a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(1) for each element added, so O(N) to add N elements when "
                           "the command is called with multiple arguments.",
             .history = kLpushHistory,
             .arguments = kLpushArgs},
     .key_specs = kLpushKeySpecs},
    {.name = "rpush",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::RPush,
     .doc = {.summary = "Append one or multiple elements to a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(1) for each element added, so O(N) to add N elements when "
                           "the command is called with multiple arguments.",
             .history = kLpushHistory,
             .arguments = kLpushArgs},
     .key_specs = kLpushKeySpecs},
    {.name = "lpushx",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LPushX,
     .doc = {.summary = "Prepend an element to a list, only if the list exists",
             .since = "2.2.0",
             .group = "list",
             .complexity = "O(1) for each element added, so O(N) to add N elements when "
                           "the command is called with multiple arguments.",
             .history = kLpushxHistory,
             .arguments = kLpushArgs},
     .key_specs = kLpushKeySpecs},
    {.name = "rpushx",
     .arity = -3,
     .flags = kWrite | kDenyOom | kFast,
     .acl = kAclWrite | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::RPushX,
     .doc = {.summary = "Append an element to a list, only if the list exists",
             .since = "2.2.0",
             .group = "list",
             .complexity = "O(1) for each element added, so O(N) to add N elements when "
                           "the command is called with multiple arguments.",
             .history = kLpushxHistory,
             .arguments = kLpushArgs},
     .key_specs = kLpushKeySpecs},
    {.name = "lpop",
     .arity = -2,
     .flags = kWrite | kFast,
     .acl = kAclWrite | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LPop,
     .doc = {.summary = "Remove and get the first elements in a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(N) where N is the number of elements returned",
             .history = kLpopHistory,
             .arguments = kLpopArgs},
     .key_specs = kLpopKeySpecs},
    {.name = "rpop",
     .arity = -2,
     .flags = kWrite | kFast,
     .acl = kAclWrite | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::RPop,
     .doc = {.summary = "Remove and get the last elements in a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(N) where N is the number of elements returned",
             .history = kLpopHistory,
             .arguments = kLpopArgs},
     .key_specs = kLpopKeySpecs},
    {.name = "llen",
     .arity = 2,
     .flags = kReadOnly | kFast,
     .acl = kAclRead | kAclList | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LLen,
     .doc = {.summary = "Get the length of a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(1)",
             .arguments = kLlenArgs},
     .key_specs = kLlenKeySpecs},
    {.name = "lindex",
     .arity = 3,
     .flags = kReadOnly,
     .acl = kAclRead | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LIndex,
     .doc = {.summary = "Get an element from a list by its index",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(N) where N is the number of elements to traverse to get to "
                           "the element at index. This makes asking for the first or the "
                           "last element of the list O(1).",
             .arguments = kLindexArgs},
     .key_specs = kLindexKeySpecs},
    {.name = "lset",
     .arity = 4,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LSet,
     .doc = {.summary = "Set the value of an element in a list by its index",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(N) where N is the length of the list. Setting either the "
                           "first or the last element of the list is O(1).",
             .arguments = kLsetArgs},
     .key_specs = kLsetKeySpecs},
    {.name = "lrange",
     .arity = 4,
     .flags = kReadOnly,
     .acl = kAclRead | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LRange,
     .doc = {.summary = "Get a range of elements from a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(S+N) where S is the distance of start offset from HEAD for "
                           "small lists, from nearest end (HEAD or TAIL) for large lists; "
                           "and N is the number of elements in the specified range.",
             .arguments = kLrangeArgs},
     .key_specs = kLindexKeySpecs},
    {.name = "linsert",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LInsert,
     .doc = {.summary = "Insert an element before or after another element in a list",
             .since = "2.2.0",
             .group = "list",
             .complexity = "O(N) where N is the number of elements to traverse before "
                           "seeing the value pivot. This means that inserting somewhere "
                           "on the left end on the list (head) can be considered O(1) "
                           "and inserting somewhere on the right end (tail) is O(N).",
             .arguments = kLinsertArgs},
     .key_specs = kLpushKeySpecs},
    {.name = "lrem",
     .arity = 4,
     .flags = kWrite,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LRem,
     .doc = {.summary = "Remove elements from a list",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(N+M) where N is the length of the list and M is "
                           "the number of elements removed.",
             .arguments = kLremArgs},
     .key_specs = kLremKeySpecs},
    {.name = "ltrim",
     .arity = 4,
     .flags = kWrite,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LTrim,
     .doc = {.summary = "Trim a list to the specified range",
             .since = "1.0.0",
             .group = "list",
             .complexity = "O(N) where N is the number of elements to be "
                           "removed by the operation.",
             .arguments = kLrangeArgs},
     .key_specs = kLremKeySpecs},
    {.name = "lpos",
     .arity = -3,
     .flags = kReadOnly,
     .acl = kAclRead | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &lists::LPos,
     .doc = {.summary = "Return the index of matching elements on a list",
             .since = "6.0.6",
             .group = "list",
             .complexity = "O(N) where N is the number of elements in the list, for the "
                           "average case. When searching for elements near the head or "
                           "the tail of the list, or when the MAXLEN option is provided, "
                           "the command may run in constant time.",
             .arguments = kLposArgs},
     .key_specs = kLindexKeySpecs},
    {.name = "lmove",
     .arity = 5,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &lists::LMove,
     .doc = {.summary = "Pop an element from a list, push it to another list "
                        "and return it",
             .since = "6.2.0",
             .group = "list",
             .complexity = "O(1)",
             .arguments = kLmoveArgs},
     .key_specs = kLmoveKeySpecs},
    {.name = "rpoplpush",
     .arity = 3,
     .flags = kWrite | kDenyOom,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &lists::RPopLPush,
     .doc = {.summary = "Remove the last element in a list, prepend it to "
                        "another list and return it",
             .since = "1.2.0",
             .group = "list",
             .complexity = "O(1)",
             .deprecated_since = "6.2.0",
             .replaced_by = "`LMOVE` with the `RIGHT` and `LEFT` arguments",
             .arguments = kRpoplpushArgs},
     .key_specs = kLmoveKeySpecs},
    {.name = "lmpop",
     .arity = -4,
     .flags = kWrite | kMovableKeys,
     .acl = kAclWrite | kAclList | kAclSlow,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .handler = &lists::LMPop,
     .doc = {.summary = "Pop elements from a list",
             .since = "7.0.0",
             .group = "list",
             .complexity = "O(N+M) where N is the number of provided keys and "
                           "M is the number of elements returned.",
             .arguments = kLmpopArgs},
     .key_specs = kLmpopKeySpecs},
    {.name = "blpop",
     .arity = -3,
     .flags = kWrite | kNoScript | kBlocking,
     .acl = kAclWrite | kAclList | kAclSlow | kAclBlocking,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = &lists::BLPop,
     .doc = {.summary = "Remove and get the first element in a list, or block "
                        "until one is available",
             .since = "2.0.0",
             .group = "list",
             .complexity = "O(N) where N is the number of provided keys.",
             .history = kBlpopHistory,
             .arguments = kBlpopArgs},
     .key_specs = kBlpopKeySpecs},
    {.name = "brpop",
     .arity = -3,
     .flags = kWrite | kNoScript | kBlocking,
     .acl = kAclWrite | kAclList | kAclSlow | kAclBlocking,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .handler = &lists::BRPop,
     .doc = {.summary = "Remove and get the last element in a list, or block "
                        "until one is available",
             .since = "2.0.0",
             .group = "list",
             .complexity = "O(N) where N is the number of provided keys.",
             .history = kBlpopHistory,
             .arguments = kBlpopArgs},
     .key_specs = kBlpopKeySpecs},
    {.name = "blmove",
     .arity = 6,
     .flags = kWrite | kDenyOom | kNoScript | kBlocking,
     .acl = kAclWrite | kAclList | kAclSlow | kAclBlocking,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &lists::BLMove,
     .doc = {.summary = "Pop an element from a list, push it to another list "
                        "and return it; or block until one is available",
             .since = "6.2.0",
             .group = "list",
             .complexity = "O(1)",
             .arguments = kBlmoveArgs},
     .key_specs = kLmoveKeySpecs},
    {.name = "brpoplpush",
     .arity = 4,
     .flags = kWrite | kDenyOom | kNoScript | kBlocking,
     .acl = kAclWrite | kAclList | kAclSlow | kAclBlocking,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .handler = &lists::BRPopLPush,
     .doc = {.summary = "Pop an element from a list, push it to another list "
                        "and return it; or block until one is available",
             .since = "2.2.0",
             .group = "list",
             .complexity = "O(1)",
             .deprecated_since = "6.2.0",
             .replaced_by = "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
             .history = kBlpopHistory,
             .arguments = kBrpoplpushArgs},
     .key_specs = kLmoveKeySpecs},
    {.name = "blmpop",
     .arity = -5,
     .flags = kWrite | kBlocking | kMovableKeys,
     .acl = kAclWrite | kAclList | kAclSlow | kAclBlocking,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .handler = &lists::BLMPop,
     .doc = {.summary = "Pop elements from a list, or block until one is available",
             .since = "7.0.0",
             .group = "list",
             .complexity = "O(N+M) where N is the number of provided keys and "
                           "M is the number of elements returned.",
             .arguments = kBlmpopArgs},
     .key_specs = kBlmpopKeySpecs},
};

}  // namespace

std::span<const CommandSpec> ListCommands() { return kListCommands; }

}  // namespace magnetar::commands
