// The partial quicksort SORT (with BY and LIMIT) and the GEO searches (with COUNT) order their
// results with in Redis 7.0: Bentley and McIlroy's three-way quicksort ("Engineering a Sort
// Function", 1993: insertion sort below 7 elements, the median of three, or Tukey's ninther above
// 40, as the pivot, elements equal to the pivot gathered at both ends and swapped to the middle),
// which skips the partitions wholly outside the ranks wanted.
//
// It is not stable, and which of two equal elements comes first shows in replies (members at one
// distance, elements whose BY values are equal), so it is reproduced step for step rather than
// replaced by std::partial_sort. Private to src/commands.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace magnetar::commands {

namespace partial_sort_internal {

// `compare(a, b)` returns <0, 0 or >0.
template <typename T, typename Compare>
class Sorter {
 public:
  Sorter(std::vector<T>& items, Compare& compare) : v_(items), compare_(compare) {}

  // Sorts v_[lo, lo + n) so that ranks [first, last] hold what a full sort would put there.
  void Sort(ptrdiff_t lo, ptrdiff_t n, ptrdiff_t first, ptrdiff_t last) {
    for (;;) {
      if (n < 7) {
        for (ptrdiff_t m = lo + 1; m < lo + n; ++m) {
          for (ptrdiff_t l = m; l > lo && Cmp(l - 1, l) > 0; --l) Swap(l, l - 1);
        }
        return;
      }
      ptrdiff_t pm = lo + n / 2;
      if (n > 7) {
        ptrdiff_t pl = lo, pn = lo + n - 1;
        if (n > 40) {
          const ptrdiff_t d = n / 8;
          pl = Median(pl, pl + d, pl + 2 * d);
          pm = Median(pm - d, pm, pm + d);
          pn = Median(pn - 2 * d, pn - d, pn);
        }
        pm = Median(pl, pm, pn);
      }
      Swap(lo, pm);
      ptrdiff_t pa = lo + 1, pb = lo + 1, pc = lo + n - 1, pd = lo + n - 1;
      for (;;) {
        int r;
        while (pb <= pc && (r = Cmp(pb, lo)) <= 0) {
          if (r == 0) Swap(pa++, pb);
          ++pb;
        }
        while (pb <= pc && (r = Cmp(pc, lo)) >= 0) {
          if (r == 0) Swap(pc, pd--);
          --pc;
        }
        if (pb > pc) break;
        Swap(pb++, pc--);
      }
      const ptrdiff_t end = lo + n;
      ptrdiff_t r = std::min(pa - lo, pb - pa);
      SwapBlocks(lo, pb - r, r);
      r = std::min(pd - pc, end - pd - 1);
      SwapBlocks(pb, end - r, r);
      if ((r = pb - pa) > 1 && Overlaps(lo, lo + r - 1, first, last)) Sort(lo, r, first, last);
      if ((r = pd - pc) <= 1) return;
      lo = end - r;
      n = r;
      if (!Overlaps(lo, lo + r - 1, first, last)) return;
    }
  }

 private:
  int Cmp(ptrdiff_t a, ptrdiff_t b) { return compare_(v_[a], v_[b]); }
  void Swap(ptrdiff_t a, ptrdiff_t b) { std::swap(v_[a], v_[b]); }
  void SwapBlocks(ptrdiff_t a, ptrdiff_t b, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; ++i) Swap(a + i, b + i);
  }
  ptrdiff_t Median(ptrdiff_t a, ptrdiff_t b, ptrdiff_t c) {
    return Cmp(a, b) < 0 ? (Cmp(b, c) < 0 ? b : (Cmp(a, c) < 0 ? c : a))
                         : (Cmp(b, c) > 0 ? b : (Cmp(a, c) < 0 ? a : c));
  }
  // Whether the ranks [lo, hi] meet [first, last] (both ends of the wanted ranks on one side of
  // the partition means it can stay unsorted).
  static bool Overlaps(ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t first, ptrdiff_t last) {
    return !((first < lo && last < lo) || (first > hi && last > hi));
  }

  std::vector<T>& v_;
  Compare& compare_;
};

}  // namespace partial_sort_internal

// Orders `items` so that ranks [first, last] hold what a full sort by `compare` (returning <0, 0
// or >0) would put there, equal elements placed as Redis's pqsort places them.
template <typename T, typename Compare>
void PartialQuickSort(std::vector<T>& items, ptrdiff_t first, ptrdiff_t last, Compare compare) {
  partial_sort_internal::Sorter<T, Compare> sorter(items, compare);
  sorter.Sort(0, static_cast<ptrdiff_t>(items.size()), first, last);
}

}  // namespace magnetar::commands
