#include "command_keys.h"

#include <algorithm>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"

namespace magnetar::server {
namespace {

using namespace commands;

// The argument after the spec's keyword, or 0 when the keyword is absent. A negative start
// searches backwards from that distance before the end.
int FindAfterKeyword(const BeginSearch& begin, std::span<const std::string_view> args) {
  const int argc = static_cast<int>(args.size());
  const bool forward = begin.start_from >= 0;
  int i = forward ? begin.start_from : argc + begin.start_from;
  for (; i >= 1 && i < argc; i += forward ? 1 : -1) {
    if (EqualsIgnoreCase(args[i], begin.keyword)) return i + 1;
  }
  return 0;
}

// Appends one spec's keys; false when the spec cannot tell them for these arguments.
bool FindSpecKeys(const KeySpec& spec, std::span<const std::string_view> args,
                  std::vector<KeyRef>& keys) {
  if (spec.flags & kKsIncomplete) return false;
  const int argc = static_cast<int>(args.size());
  int first = 0;
  switch (spec.begin_search.type) {
    case BeginSearch::kIndex:
      first = spec.begin_search.index;
      break;
    case BeginSearch::kKeyword:
      first = FindAfterKeyword(spec.begin_search, args);
      if (first == 0) return true;  // the optional keyword is not there: no keys from this spec
      break;
    case BeginSearch::kUnknown:
      return false;
  }
  const FindKeys& find = spec.find_keys;
  const int step = std::max(find.key_step, 1);
  int last = 0;
  switch (find.type) {
    case FindKeys::kRange:
      if (find.last_key >= 0) {
        last = first + find.last_key;
      } else if (find.limit <= 1) {
        last = argc + find.last_key;
      } else {
        // Only the first 1/limit of the remaining arguments are keys (XREAD's keys are followed
        // by as many IDs).
        last = first + (argc - first) / find.limit + find.last_key;
      }
      break;
    case FindKeys::kKeyNum: {
      int count_at = first + find.keynum_index;
      if (count_at >= argc) return false;
      auto count = ParseInt64(args[count_at]);
      if (!count || *count < 0) return false;
      first += find.first_key;
      last = first + (static_cast<int>(std::min<int64_t>(*count, argc)) - 1) * step;
      break;
    }
    case FindKeys::kUnknown:
      return false;
  }
  // A range that ends past the arguments, or holds no key, is a malformed request: Redis's
  // COMMAND GETKEYS refuses it rather than report the keys that are there.
  if (last >= argc || last < first || first >= argc) return false;
  for (int i = first; i <= last; i += step) {
    keys.push_back({static_cast<size_t>(i), spec.flags});
  }
  return true;
}

}  // namespace

bool CommandHasKeys(const CommandSpec& spec) {
  if (spec.keys_fn) return true;
  return std::any_of(spec.key_specs.begin(), spec.key_specs.end(),
                     [](const KeySpec& key_spec) { return !(key_spec.flags & kKsNotKey); });
}

bool FindCommandKeys(const CommandSpec& spec, std::span<const std::string_view> args,
                     std::vector<KeyRef>& keys) {
  if (spec.keys_fn) return spec.keys_fn(args, keys);
  for (const KeySpec& key_spec : spec.key_specs) {
    if (key_spec.flags & kKsNotKey) continue;
    if (!FindSpecKeys(key_spec, args, keys)) {
      keys.clear();
      return false;
    }
  }
  return true;
}

}  // namespace magnetar::server
