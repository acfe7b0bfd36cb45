// LCS by the textbook dynamic programme, as Redis does it, so that ties resolve the same way.
//
// Cell (i, j) of the table holds the LCS length of a[0..i) and b[0..j): one more than (i-1, j-1)
// when a[i-1] == b[j-1], else the larger of (i-1, j) and (i, j-1). Filling it is O(|a|*|b|) time.
// Rows are stored one after another as uint32 (the inputs are shorter than 2^32), which is the
// memory Redis budgets for: 4 * (|a|+1) * (|b|+1) bytes, refused above proto-max-bulk-len.
//
// The subsequence and the match ranges come from walking back from (|a|, |b|): on equal bytes
// take the byte and step diagonally, else step towards the larger neighbour, preferring to drop a
// byte of `b` on a tie. Consecutive diagonal steps form one range; a range ends at the first
// non-diagonal step or at the start of either string, so ranges come out from the ends of the
// strings backwards, as Redis lists them. LEN needs only the final cell, so it keeps just two
// rows (O(|b|) memory) while still applying Redis's size rule.
#include "magnetar/commands/lcs.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <new>

namespace magnetar::commands {
namespace {

// Fills one table row from the row above it.
void FillRow(char a_byte, std::string_view b, const uint32_t* up, uint32_t* row) {
  row[0] = 0;
  for (size_t j = 1; j <= b.size(); ++j) {
    row[j] = a_byte == b[j - 1] ? up[j - 1] + 1 : std::max(up[j], row[j - 1]);
  }
}

uint32_t LengthOnly(std::string_view a, std::string_view b) {
  const size_t cols = b.size() + 1;
  std::vector<uint32_t> up(cols, 0);
  std::vector<uint32_t> row(cols, 0);
  for (char a_byte : a) {
    FillRow(a_byte, b, up.data(), row.data());
    up.swap(row);
  }
  return up[b.size()];
}

}  // namespace

Result<LcsResult> Lcs(std::string_view a, std::string_view b, const LcsOptions& options) {
  constexpr uint64_t kMaxInputLen = std::numeric_limits<uint32_t>::max() - 1;
  if (a.size() >= kMaxInputLen || b.size() >= kMaxInputLen) return OpStatus::kLcsStringTooLong;
  const uint64_t cells = (uint64_t{a.size()} + 1) * (b.size() + 1);
  if (cells > std::numeric_limits<uint64_t>::max() / sizeof(uint32_t)) {
    return OpStatus::kLcsAllocFailed;
  }
  if (cells * sizeof(uint32_t) > options.max_table_bytes) return OpStatus::kLcsTableTooBig;

  LcsResult result;
  if (options.output == LcsOutput::kLength) {
    result.length = LengthOnly(a, b);
    return result;
  }

  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (!table) return OpStatus::kLcsAllocFailed;
  const size_t cols = b.size() + 1;
  auto cell = [&](size_t i, size_t j) { return table[i * cols + j]; };
  std::fill_n(table.get(), cols, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    FillRow(a[i - 1], b, &table[(i - 1) * cols], &table[i * cols]);
  }
  result.length = cell(a.size(), b.size());

  const bool want_sequence = options.output == LcsOutput::kSequence;
  if (want_sequence) result.sequence.resize(result.length);
  const uint64_t min_len = static_cast<uint64_t>(std::max<int64_t>(options.min_match_len, 0));
  bool in_run = false;
  LcsMatch run{};
  auto end_run = [&] {
    run.length = run.a_end - run.a_start + 1;
    if (!want_sequence && run.length >= min_len) result.matches.push_back(run);
    in_run = false;
  };

  size_t i = a.size();
  size_t j = b.size();
  uint32_t remaining = result.length;
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      if (want_sequence) result.sequence[--remaining] = a[i - 1];
      const auto ai = static_cast<uint32_t>(i - 1);
      const auto bj = static_cast<uint32_t>(j - 1);
      if (!in_run) run = {.a_start = ai, .a_end = ai, .b_start = bj, .b_end = bj, .length = 0};
      run.a_start = ai;
      run.b_start = bj;
      in_run = true;
      --i;
      --j;
      if (i == 0 || j == 0) end_run();
    } else {
      if (cell(i - 1, j) > cell(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (in_run) end_run();
    }
  }
  return result;
}

}  // namespace magnetar::commands
