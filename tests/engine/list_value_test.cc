#include "magnetar/engine/list_value.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace magnetar::engine {
namespace {

using End = ListValue::End;

std::vector<std::string> Elements(const ListValue& list) {
  std::vector<std::string> out;
  list.Walk(false, [&](size_t, std::string_view e) {
    out.emplace_back(e);
    return true;
  });
  return out;
}

std::vector<std::string> Model(const std::deque<std::string>& d) { return {d.begin(), d.end()}; }

TEST(ListValueTest, OneElementIsAQuicklist) {
  ListValue list;
  list.Push(End::kTail, "a", -2);
  EXPECT_EQ(list.EncodingName(), "quicklist");
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.node_count(), 1u);
}

TEST(ListValueTest, CountLimitSplitsNodes) {
  ListValue list;
  for (int i = 0; i < 10; ++i) list.Push(End::kTail, std::to_string(i), 4);
  EXPECT_EQ(list.NodeSizes(), (std::vector<size_t>{4, 4, 2}));
  for (int i = 0; i < 3; ++i) list.Push(End::kHead, "h", 4);
  EXPECT_EQ(list.NodeSizes(), (std::vector<size_t>{3, 4, 4, 2}));
  // An insertion inside a full node splits it.
  ASSERT_TRUE(list.Insert("5", "mid", false, 4));
  EXPECT_EQ(list.size(), 14u);
  for (size_t n : list.NodeSizes()) EXPECT_LE(n, 4u);
  std::vector<std::string> expected = {"h", "h",   "h", "0", "1", "2", "3",
                                       "4", "mid", "5", "6", "7", "8", "9"};
  EXPECT_EQ(Elements(list), expected);
}

TEST(ListValueTest, ByteLimitSplitsAtEightKilobytes) {
  ListValue list;
  std::string value(100, 'x');
  for (int i = 0; i < 200; ++i) list.Push(End::kTail, value, -2);
  // 102 bytes per entry: 80 entries fill 8 KB.
  for (size_t n : list.NodeSizes()) EXPECT_LE(n * 102 + 7, 8192u);
  EXPECT_EQ(list.node_count(), 3u);
  // An element bigger than the limit gets a node of its own.
  list.Push(End::kTail, std::string(10000, 'y'), -2);
  EXPECT_EQ(list.NodeSizes().back(), 1u);
}

TEST(ListValueTest, RemovalMergesThinnedNodes) {
  ListValue list;
  for (int i = 0; i < 12; ++i) list.Push(End::kTail, i % 2 ? "odd" : "even", 4);
  EXPECT_EQ(list.node_count(), 3u);
  EXPECT_EQ(list.Remove("odd", 0, 4), 6u);
  EXPECT_EQ(list.NodeSizes(), (std::vector<size_t>{4, 2}));
  EXPECT_EQ(list.Remove("even", -1, 4), 1u);
  EXPECT_EQ(list.size(), 5u);
}

TEST(ListValueTest, IntegersRoundTrip) {
  ListValue list;
  std::vector<std::string> values = {"0",
                                     "127",
                                     "128",
                                     "-1",
                                     "-4096",
                                     "4095",
                                     "-4097",
                                     "32767",
                                     "32768",
                                     "-8388608",
                                     "8388608",
                                     "2147483647",
                                     "-2147483649",
                                     "9223372036854775807",
                                     "-9223372036854775808",
                                     "01",
                                     "+1",
                                     "-0",
                                     std::string(70, 'z'),
                                     std::string(5000, 'w')};
  for (const std::string& v : values) list.Push(End::kTail, v, -2);
  EXPECT_EQ(Elements(list), values);
  std::string out;
  list.Pop(End::kTail, out);
  EXPECT_EQ(out, values.back());
  std::string_view got;
  std::string scratch;
  ASSERT_TRUE(list.Get(-1, got, scratch));
  EXPECT_EQ(got, values[values.size() - 2]);
}

// A random mix of operations against a deque, with a small node limit so that nodes split and
// merge constantly, and iteration between steps while the list grows.
size_t AllocatedBytes(const ListValue& list) {
  size_t bytes = 0;
  for (size_t i = 0; i < list.node_count(); ++i) bytes += list.node(i).AllocatedBytes();
  return bytes;
}

// Head pushes keep room before the head node's header; a node that filled up gives it back, so
// a list pushed at its head takes the memory of one pushed at its tail.
TEST(ListValueTest, HeadPushesCostTheMemoryOfTailPushes) {
  ListValue at_head;
  ListValue at_tail;
  for (int i = 0; i < 100000; ++i) {
    std::string value = "element:" + std::to_string(i);
    at_head.Push(End::kHead, value, -2);
    at_tail.Push(End::kTail, value, -2);
  }
  EXPECT_EQ(at_head.node_count(), at_tail.node_count());
  EXPECT_LE(AllocatedBytes(at_head), AllocatedBytes(at_tail) * 101 / 100);
  std::string popped;
  for (int i = 0; i < 50000; ++i) {
    popped.clear();
    at_head.Pop(End::kHead, popped);
    ASSERT_EQ(popped, "element:" + std::to_string(99999 - i));
  }
  EXPECT_EQ(at_head.size(), 50000u);
}

TEST(ListValueTest, MatchesModelUnderRandomOperations) {
  for (int64_t fill : {3, -1}) {
    ListValue list;
    std::deque<std::string> model;
    std::mt19937 rng(42);
    for (int step = 0; step < 20000; ++step) {
      std::string value = std::to_string(rng() % 50);
      if (rng() % 7 == 0) value += std::string(rng() % 300, 'v');
      int op = static_cast<int>(rng() % 10);
      if (op < 3 || model.empty()) {
        list.Push(End::kTail, value, fill);
        model.push_back(value);
      } else if (op == 3) {
        list.Push(End::kHead, value, fill);
        model.push_front(value);
      } else if (op == 4) {
        std::string out;
        list.Pop(End::kHead, out);
        ASSERT_EQ(out, model.front());
        model.pop_front();
      } else if (op == 5) {
        size_t i = rng() % model.size();
        ASSERT_TRUE(list.Set(static_cast<int64_t>(i), value, fill));
        model[i] = value;
      } else if (op == 6) {
        size_t i = rng() % model.size();
        std::string pivot = model[i];
        bool after = rng() % 2;
        ASSERT_TRUE(list.Insert(pivot, value, after, fill));
        auto it = std::find(model.begin(), model.end(), pivot);
        model.insert(after ? it + 1 : it, value);
      } else if (op == 7 && step % 10 == 0) {
        int64_t count = static_cast<int64_t>(rng() % 5) - 2;
        std::string needle = model[rng() % model.size()];
        size_t removed = list.Remove(needle, count, fill);
        size_t expected = 0;
        if (count >= 0) {
          for (auto it = model.begin(); it != model.end();) {
            if (*it == needle && (count == 0 || expected < static_cast<size_t>(count))) {
              it = model.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = model.size(); i-- > 0;) {
            if (model[i] == needle && expected < static_cast<size_t>(-count)) {
              model.erase(model.begin() + static_cast<long>(i));
              ++expected;
            }
          }
        }
        ASSERT_EQ(removed, expected);
      } else if (op == 8 && step % 50 == 0 && model.size() > 4) {
        size_t start = rng() % 3;
        size_t stop = model.size() - 1 - rng() % 3;
        list.Trim(start, stop);
        model = std::deque<std::string>(model.begin() + static_cast<long>(start),
                                        model.begin() + static_cast<long>(stop) + 1);
      } else {
        std::string_view got;
        std::string scratch;
        size_t i = rng() % model.size();
        ASSERT_TRUE(list.Get(static_cast<int64_t>(i), got, scratch));
        ASSERT_EQ(got, model[i]);
      }
      ASSERT_EQ(list.size(), model.size());
      if (step % 97 == 0 && !model.empty()) {
        // A range starting and ending inside nodes, entered from either end of its first node.
        size_t start = rng() % model.size();
        size_t stop = start + rng() % (model.size() - start);
        std::vector<std::string> range;
        list.ForRange(start, stop,
                      [&](const ListpackElement& e) { range.push_back(e.ToString()); });
        ASSERT_EQ(range, std::vector<std::string>(model.begin() + static_cast<long>(start),
                                                  model.begin() + static_cast<long>(stop) + 1));
      }
      if (step % 500 == 0) {
        ASSERT_EQ(Elements(list), Model(model));
        std::unique_ptr<Object> copy = list.Clone();
        ASSERT_EQ(Elements(static_cast<ListValue&>(*copy)), Model(model));
      }
    }
    ASSERT_EQ(Elements(list), Model(model));
    if (!model.empty()) {
      std::vector<std::string> range;
      list.ForRange(0, model.size() - 1,
                    [&](const ListpackElement& e) { range.push_back(e.ToString()); });
      EXPECT_EQ(range, Model(model));
    }
  }
}

}  // namespace
}  // namespace magnetar::engine
