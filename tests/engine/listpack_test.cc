#include "magnetar/engine/listpack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace magnetar::engine {
namespace {

std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::vector<std::string> Elements(const Listpack& lp) {
  std::vector<std::string> out;
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p)) {
    out.push_back(lp.Get(p).ToString());
  }
  return out;
}

std::vector<std::string> ElementsBackwards(const Listpack& lp) {
  std::vector<std::string> out;
  for (Listpack::Pos p = lp.Last(); p != Listpack::kNone; p = lp.Prev(p)) {
    out.insert(out.begin(), lp.Get(p).ToString());
  }
  return out;
}

// The listpack Redis 7.0.15 holds for
//   HSET h a 1 b -5 c 200 d 40000 e 5000000 f 3000000000 g xyz k <70 x> m -4096 n 4095 n2 4096
//          z 0123
// (hash-max-listpack-value 100000), taken from its DUMP payload: every integer width, the 6 and
// 12-bit string lengths, and "0123", which is not canonical and stays a string.
const std::string kRedisHash =
    "a600000018008161020101816202dffb02816302c0c802816402f2409c0004816502f2404b4c04816602f4005ed0"
    "b200000000098167028378797a04816b02e046" +
    [] {
      std::string x;
      for (int i = 0; i < 70; ++i) x += "78";
      return x;
    }() +
    "48816d02d00002816e02cfff02826e3203f1001003817a02843031323305ff";

const std::vector<std::string> kRedisHashElements = {
    "a", "1",       "b", "-5",         "c",  "200",  "d", "40000",
    "e", "5000000", "f", "3000000000", "g",  "xyz",  "k", std::string(70, 'x'),
    "m", "-4096",   "n", "4095",       "n2", "4096", "z", "0123"};

TEST(ListpackTest, EmptyIsSevenBytes) {
  Listpack lp;
  EXPECT_EQ(lp.TotalBytes(), 7u);
  EXPECT_EQ(lp.Size(), 0u);
  EXPECT_TRUE(lp.Empty());
  EXPECT_EQ(lp.First(), Listpack::kNone);
  EXPECT_EQ(lp.Last(), Listpack::kNone);
  std::vector<uint8_t> expected = {7, 0, 0, 0, 0, 0, 0xFF};
  EXPECT_EQ(std::vector<uint8_t>(lp.bytes().begin(), lp.bytes().end()), expected);
}

TEST(ListpackTest, BytesMatchRedis) {
  Listpack lp;
  for (const std::string& e : kRedisHashElements) lp.Append(e);
  std::vector<uint8_t> expected = FromHex(kRedisHash);
  EXPECT_EQ(std::vector<uint8_t>(lp.bytes().begin(), lp.bytes().end()), expected);
  EXPECT_EQ(lp.Size(), kRedisHashElements.size());
}

TEST(ListpackTest, ReadsRedisBytes) {
  std::vector<uint8_t> bytes = FromHex(kRedisHash);
  std::optional<Listpack> lp = Listpack::FromBytes(bytes);
  ASSERT_TRUE(lp);
  EXPECT_EQ(Elements(*lp), kRedisHashElements);
  EXPECT_EQ(ElementsBackwards(*lp), kRedisHashElements);
  EXPECT_FALSE(lp->Get(lp->Seek(-1)).is_integer);  // "0123"
  EXPECT_TRUE(lp->Get(lp->Seek(1)).is_integer);
  // Damaged copies are refused.
  std::vector<uint8_t> bad = bytes;
  bad[bad.size() - 2] ^= 1;
  EXPECT_FALSE(Listpack::FromBytes(bad));
  bad = bytes;
  bad.pop_back();
  EXPECT_FALSE(Listpack::FromBytes(bad));
  bad = bytes;
  bad[4] = 3;
  EXPECT_FALSE(Listpack::FromBytes(bad));
}

TEST(ListpackTest, IntegerWidthsRoundTrip) {
  const int64_t values[] = {0,        127,     128,       -1,        -4096,     4095,
                            4096,     -4097,   32767,     -32768,    32768,     8388607,
                            -8388608, 8388608, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
  Listpack lp;
  for (int64_t v : values) lp.Append(v);
  size_t i = 0;
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p), ++i) {
    ListpackElement e = lp.Get(p);
    ASSERT_TRUE(e.is_integer);
    EXPECT_EQ(e.integer, values[i]);
  }
  EXPECT_EQ(i, std::size(values));
  EXPECT_EQ(Listpack::EntryBytes(int64_t{5}), 2u);
  EXPECT_EQ(Listpack::EntryBytes(int64_t{-5}), 3u);
  EXPECT_EQ(Listpack::EntryBytes(int64_t{INT64_MAX}), 10u);
  EXPECT_EQ(Listpack::EntryBytes("abc"), 5u);
  EXPECT_TRUE(Listpack::FromBytes(lp.bytes()));
}

TEST(ListpackTest, LongStringsAndMultiByteBacklens) {
  Listpack lp;
  const size_t sizes[] = {0, 63, 64, 126, 127, 4095, 4096, 16383, 20000, 3000000};
  for (size_t n : sizes) lp.Append(std::string(n, 'q'));
  size_t i = 0;
  for (Listpack::Pos p = lp.Last(); p != Listpack::kNone; p = lp.Prev(p), ++i) {
    EXPECT_EQ(lp.Get(p).string.size(), sizes[std::size(sizes) - 1 - i]);
  }
  EXPECT_EQ(i, std::size(sizes));
  EXPECT_TRUE(Listpack::FromBytes(lp.bytes()));
}

// Redis writes a backlen one byte longer already at 16383, 2097151 and 268435455: an entry of
// exactly that many bytes of encoding+data must take the longer backlen to match its bytes.
TEST(ListpackTest, BacklenWidthsFollowRedisThresholds) {
  // Strings of 4096 bytes or more have a 5-byte header, so a body of B bytes is B - 5 of text.
  EXPECT_EQ(Listpack::EntryBytes(std::string(16382 - 5, 'x')), 16382u + 2);
  EXPECT_EQ(Listpack::EntryBytes(std::string(16383 - 5, 'x')), 16383u + 3);
  EXPECT_EQ(Listpack::EntryBytes(std::string(2097150 - 5, 'x')), 2097150u + 3);
  EXPECT_EQ(Listpack::EntryBytes(std::string(2097151 - 5, 'x')), 2097151u + 4);
  EXPECT_EQ(Listpack::EntryBytes(std::string(127 - 2, 'x')), 127u + 1);
  EXPECT_EQ(Listpack::EntryBytes(std::string(128 - 2, 'x')), 128u + 2);
  Listpack lp;
  lp.Append("a");
  lp.Append(std::string(16383 - 5, 'x'));
  lp.Append("b");
  const uint8_t* end = lp.bytes().data() + lp.TotalBytes() - 1;
  // The big entry's backlen, just before "b" (3 bytes) and its own backlen: 16383 in 3 bytes.
  const uint8_t* backlen = end - 3 - 3;
  EXPECT_EQ(backlen[0], 0x00);
  EXPECT_EQ(backlen[1], 0xFF);
  EXPECT_EQ(backlen[2], 0xFF);
  EXPECT_EQ(Elements(lp).back(), "b");
  EXPECT_EQ(lp.Get(lp.Prev(lp.Last())).string.size(), 16383u - 5);
  EXPECT_TRUE(Listpack::FromBytes(lp.bytes()));
}

TEST(ListpackTest, SplitAtAndAppendAll) {
  Listpack lp;
  for (int i = 0; i < 10; ++i) {
    // Odd ones stored as integers, even ones as strings.
    std::string value = i % 2 ? "" : "s";
    value += std::to_string(i);
    lp.Append(value);
  }
  const std::vector<uint8_t> whole(lp.bytes().begin(), lp.bytes().end());
  Listpack tail = lp.SplitAt(lp.Seek(4));
  EXPECT_EQ(Elements(lp), (std::vector<std::string>{"s0", "1", "s2", "3"}));
  EXPECT_EQ(Elements(tail), (std::vector<std::string>{"s4", "5", "s6", "7", "s8", "9"}));
  EXPECT_EQ(lp.Size(), 4u);
  EXPECT_EQ(tail.Size(), 6u);
  EXPECT_TRUE(Listpack::FromBytes(lp.bytes()));
  EXPECT_TRUE(Listpack::FromBytes(tail.bytes()));
  EXPECT_EQ(lp.TotalBytes() + tail.TotalBytes(), whole.size() + Listpack::kHeaderBytes + 1);

  // Joined back, the bytes are those of the listpack built in one go.
  lp.AppendAll(tail);
  EXPECT_EQ(std::vector<uint8_t>(lp.bytes().begin(), lp.bytes().end()), whole);
  EXPECT_EQ(lp.Size(), 10u);

  // Splitting at the first element moves everything; appending an empty one changes nothing.
  Listpack all = lp.SplitAt(lp.First());
  EXPECT_TRUE(lp.Empty());
  EXPECT_EQ(lp.TotalBytes(), Listpack::kHeaderBytes + 1);
  EXPECT_EQ(all.Size(), 10u);
  all.AppendAll(lp);
  EXPECT_EQ(std::vector<uint8_t>(all.bytes().begin(), all.bytes().end()), whole);
  EXPECT_EQ(all.EntryBytesAt(all.First()), Listpack::EntryBytes("s0"));
  EXPECT_EQ(all.EntryBytesAt(all.Seek(1)), Listpack::EntryBytes(int64_t{1}));
}

TEST(ListpackTest, InsertDeleteReplaceSeek) {
  Listpack lp;
  lp.Append("b");
  lp.Prepend("a");
  lp.Append(int64_t{3});
  lp.InsertAfter(lp.Seek(1), "x");  // a b x 3
  EXPECT_EQ(Elements(lp), (std::vector<std::string>{"a", "b", "x", "3"}));
  lp.Replace(lp.Seek(2), "a much longer element than before");
  lp.Replace(lp.Seek(0), int64_t{-100000});
  EXPECT_EQ(Elements(lp),
            (std::vector<std::string>{"-100000", "b", "a much longer element than before", "3"}));
  EXPECT_EQ(lp.Get(lp.Seek(-2)).string, "a much longer element than before");
  EXPECT_EQ(lp.Seek(4), Listpack::kNone);
  EXPECT_EQ(lp.Seek(-5), Listpack::kNone);
  Listpack::Pos after = lp.Delete(lp.Seek(1), 2);
  EXPECT_EQ(lp.Get(after).integer, 3);
  EXPECT_EQ(Elements(lp), (std::vector<std::string>{"-100000", "3"}));
  EXPECT_EQ(lp.Size(), 2u);
  EXPECT_EQ(lp.Delete(lp.Seek(-1)), Listpack::kNone);
  EXPECT_EQ(lp.Delete(lp.First(), 10), Listpack::kNone);
  EXPECT_TRUE(lp.Empty());
  EXPECT_EQ(lp.TotalBytes(), 7u);
}

TEST(ListpackTest, ReplaceWithOwnElement) {
  Listpack lp;
  lp.Append("first element text");
  lp.Append("x");
  lp.Replace(lp.Seek(1), lp.Get(lp.First()).string);
  EXPECT_EQ(Elements(lp), (std::vector<std::string>{"first element text", "first element text"}));
}

TEST(ListpackTest, FindComparesTextAndIntegers) {
  Listpack lp;
  for (std::string_view e : {"f1", "10", "20", "f2", "0123", "v"}) lp.Append(e);
  EXPECT_EQ(lp.Find(lp.First(), "10", 1), Listpack::kNone);  // a value, not a field
  EXPECT_EQ(lp.Find(lp.First(), "10"), lp.Seek(1));
  EXPECT_EQ(lp.Find(lp.First(), "20", 1), lp.Seek(2));
  EXPECT_EQ(lp.Find(lp.First(), "0123", 1), lp.Seek(4));
  EXPECT_EQ(lp.Find(lp.First(), "123", 1), Listpack::kNone);
  EXPECT_EQ(lp.Find(lp.First(), "f2", 1), Listpack::kNone);  // at an odd position
  EXPECT_EQ(lp.Find(lp.First(), "f2"), lp.Seek(3));
  EXPECT_TRUE(lp.Get(lp.Seek(1)).Equals("10"));
  EXPECT_FALSE(lp.Get(lp.Seek(1)).Equals("010"));
}

TEST(ListpackTest, CountPast65535) {
  Listpack lp;
  for (int i = 0; i < 70000; ++i) lp.Append(int64_t{i % 100});
  EXPECT_EQ(lp.bytes()[4], 0xFF);
  EXPECT_EQ(lp.bytes()[5], 0xFF);
  EXPECT_EQ(lp.Size(), 70000u);
  lp.Delete(lp.First(), 10000);
  EXPECT_EQ(lp.Size(), 60000u);
  EXPECT_EQ(lp.bytes()[4] | lp.bytes()[5] << 8, 60000);
}

TEST(ListpackTest, RandomOperationsMatchAVector) {
  std::mt19937_64 rng(7);
  Listpack lp;
  std::vector<std::string> model;
  for (int step = 0; step < 5000; ++step) {
    int op = static_cast<int>(rng() % 4);
    std::string value = rng() % 2 ? std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64))
                                  : std::string(rng() % 300, static_cast<char>('a' + rng() % 26));
    if (op == 0 || model.empty()) {
      size_t at = model.empty() ? 0 : rng() % (model.size() + 1);
      Listpack::Pos pos = at == model.size() ? lp.EndPos() : lp.Seek(static_cast<int64_t>(at));
      lp.InsertAt(pos, value);
      model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), value);
    } else if (op == 1) {
      size_t at = rng() % model.size();
      lp.Replace(lp.Seek(static_cast<int64_t>(at)), value);
      model[at] = value;
    } else if (op == 2) {
      size_t at = rng() % model.size();
      size_t count = 1 + rng() % 3;
      lp.Delete(lp.Seek(static_cast<int64_t>(at)), count);
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(at),
                  model.begin() + static_cast<std::ptrdiff_t>(std::min(model.size(), at + count)));
    } else {
      lp.Append(value);
      model.push_back(value);
    }
    ASSERT_EQ(lp.Size(), model.size());
  }
  EXPECT_EQ(Elements(lp), model);
  EXPECT_EQ(ElementsBackwards(lp), model);
  Listpack copy = lp.Clone();
  EXPECT_EQ(Elements(copy), model);
  EXPECT_TRUE(Listpack::FromBytes(copy.bytes()));
}

// Prepend and DeleteHead move the header within its block instead of the entries: the bytes
// must stay those the shifting operations write, and the room before the header bounded.
TEST(ListpackTest, HeadOperationsWriteTheSameBytesAndBoundTheirRoom) {
  std::mt19937_64 rng(11);
  Listpack lp;
  Listpack shifted;  // the same changes through InsertAt and Delete
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    std::string value = rng() % 2 ? std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64))
                                  : std::string(rng() % 40, static_cast<char>('a' + rng() % 26));
    // Runs of pushes and of pops, so the listpack grows past several size classes and shrinks.
    const bool pushing = (step / 700) % 3 != 2;
    const int op = static_cast<int>(rng() % 10);
    if (pushing ? op < 8 : op < 1) {
      lp.Prepend(value);
      shifted.InsertAt(Listpack::kHeaderBytes, value);
      model.push_front(value);
    } else if (op == 9) {
      lp.Append(value);
      shifted.Append(value);
      model.push_back(value);
    } else if (!model.empty()) {
      size_t count = 1 + rng() % 3;
      EXPECT_EQ(lp.DeleteHead(count) == Listpack::kNone, count >= model.size());
      shifted.Delete(shifted.First(), count);
      model.erase(model.begin(),
                  model.begin() + static_cast<std::ptrdiff_t>(std::min(count, model.size())));
    }
    ASSERT_EQ(lp.Size(), model.size());
    ASSERT_TRUE(std::equal(lp.bytes().begin(), lp.bytes().end(), shifted.bytes().begin(),
                           shifted.bytes().end()))
        << "step " << step;
    ASSERT_LE(lp.AllocatedBytes(), 3 * lp.TotalBytes() + 1024) << "step " << step;
  }
  EXPECT_EQ(Elements(lp), std::vector<std::string>(model.begin(), model.end()));
  EXPECT_EQ(ElementsBackwards(lp), std::vector<std::string>(model.begin(), model.end()));
  EXPECT_TRUE(Listpack::FromBytes(lp.bytes()));
}

TEST(ListpackTest, DropFrontRoomGivesTheRoomBack) {
  Listpack lp;
  for (int i = 0; i < 1000; ++i) lp.Prepend("element-" + std::to_string(i));
  lp.DeleteHead(400);  // leaves the room of 400 elements, less than the 600 left
  const std::vector<std::string> before = Elements(lp);
  ASSERT_GT(lp.AllocatedBytes(), lp.TotalBytes() + lp.TotalBytes() / 2);
  lp.DropFrontRoom();
  EXPECT_EQ(Elements(lp), before);
  EXPECT_LE(lp.AllocatedBytes(), lp.TotalBytes() + lp.TotalBytes() / 4);
  lp.Append("tail");
  EXPECT_EQ(lp.Get(lp.Last()).string, "tail");
}

}  // namespace
}  // namespace magnetar::engine
