// What two replies are compared by under a step's directive.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "script.h"

namespace magnetar::diff {

// The reply itself for kExact, its shape for kShape, its elements in sorted order for kSorted,
// and "" for kSkip.
std::string Comparable(std::string_view reply, Compare mode);

// The reply with the elements at `paths` (Step::masks) replaced by their shape.
std::string MaskedReply(std::string_view reply, const std::vector<std::string>& paths);

// The reply's types and aggregate sizes without its values, e.g. "*2[$ $]" for TIME. Nulls keep
// their own marks ("$-1", "*-1", "_") because whether a value exists is part of the shape.
std::string ReplyShape(std::string_view reply);

// The reply with the elements of its top-level aggregate sorted by their bytes (a map's key-value
// pairs as pairs), for commands whose element order depends on the hash table. `flat_pairs` sorts
// an array's elements two by two, as a RESP2 field/value array (HGETALL).
std::string SortedReply(std::string_view reply, bool flat_pairs = false);

}  // namespace magnetar::diff
