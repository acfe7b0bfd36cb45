// The longest common subsequence behind the LCS command, over plain byte strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/common/status.h"

namespace magnetar::commands {

// What the caller will reply with; LEN needs no table walk and so much less memory.
enum class LcsOutput : uint8_t {
  kSequence,  // plain LCS: the common subsequence itself
  kLength,    // LEN
  kMatches,   // IDX: the matching ranges (and the length)
};

struct LcsOptions {
  LcsOutput output = LcsOutput::kSequence;
  // MINMATCHLEN: ranges shorter than this are left out of `matches`; negative counts as 0.
  int64_t min_match_len = 0;
  // proto-max-bulk-len: Redis refuses when the DP table (4 bytes a cell) would be larger.
  uint64_t max_table_bytes = 512ull * 1024 * 1024;
};

// One run of consecutive matching bytes: a[a_start..a_end] == b[b_start..b_end], inclusive.
struct LcsMatch {
  uint32_t a_start;
  uint32_t a_end;
  uint32_t b_start;
  uint32_t b_end;
  uint32_t length;  // WITHMATCHLEN's number
};

struct LcsResult {
  uint32_t length = 0;
  std::string sequence;  // filled for kSequence
  // Filled for kMatches, in Redis's order: from the ends of the strings backwards.
  std::vector<LcsMatch> matches;
};

// Computes the LCS of `a` and `b` as Redis 7.0 does, choosing the same subsequence among equally
// long ones (on a tie the walk back moves along `b` first). Fails with kLcsStringTooLong (a string
// of 2^32-2 bytes or more), kLcsTableTooBig ((|a|+1)*(|b|+1)*4 bytes over max_table_bytes, checked
// for every output so LEN refuses exactly when Redis does) or kLcsAllocFailed.
// Time O(|a|*|b|); memory O(|a|*|b|) for kSequence and kMatches, O(|b|) for kLength.
Result<LcsResult> Lcs(std::string_view a, std::string_view b, const LcsOptions& options = {});

}  // namespace magnetar::commands
