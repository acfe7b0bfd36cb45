// PartialQuickSort (src/commands/partial_sort.h): the ranks asked for hold what a full sort puts
// there, whatever the input; the order among equal elements is checked against Redis by the
// differential scripts (sort.redis, geo.redis).
#include "commands/partial_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace magnetar::commands {
namespace {

TEST(PartialSortTest, RanksAskedForMatchAFullSort) {
  std::mt19937 random(3);
  auto compare = [](int a, int b) { return (a > b) - (a < b); };
  for (int round = 0; round < 2000; ++round) {
    const int n = static_cast<int>(random() % 200);
    std::vector<int> items(n);
    const int spread = 1 + static_cast<int>(random() % 300);
    for (int& item : items) item = static_cast<int>(random() % spread);
    std::vector<int> sorted = items;
    std::sort(sorted.begin(), sorted.end());
    const ptrdiff_t first = n == 0 ? 0 : static_cast<ptrdiff_t>(random() % n);
    const ptrdiff_t last = n == 0 ? -1 : first + static_cast<ptrdiff_t>(random() % (n - first));
    std::vector<int> partial = items;
    PartialQuickSort(partial, first, last, compare);
    for (ptrdiff_t i = first; i <= last; ++i) ASSERT_EQ(partial[i], sorted[i]) << "n=" << n;
    std::vector<int> whole = partial;
    std::sort(whole.begin(), whole.end());
    ASSERT_EQ(whole, sorted);  // a permutation of the input
  }
}

TEST(PartialSortTest, EmptyRangeLeavesAPermutation) {
  std::vector<int> items = {5, 3, 9, 1, 7, 2, 8, 6, 4, 0};
  PartialQuickSort(items, 0, -1, [](int a, int b) { return (a > b) - (a < b); });
  std::vector<int> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

}  // namespace
}  // namespace magnetar::commands
