#include "magnetar/engine/entry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "magnetar/engine/hash.h"

namespace magnetar::engine {
namespace {

struct EntryDeleter {
  void operator()(Entry* entry) const { Entry::Destroy(entry); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

EntryPtr MakeString(std::string_view key, std::string_view value,
                    std::optional<int64_t> deadline = std::nullopt) {
  return EntryPtr(Entry::Create(key, EntryValue::String(value), deadline, 0));
}

TEST(SipHashTest, MatchesPublishedVectors) {
  // SipHash-2-4 with key 00 01 .. 0f over the messages 00 01 .. (n-1), from the reference paper.
  HashKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string message;
  EXPECT_EQ((SipHash<2, 4>(key, message)), 0x726fdb47dd0e0e31ULL);
  message.push_back('\0');
  EXPECT_EQ((SipHash<2, 4>(key, message)), 0x74f839c593dc67fdULL);
  for (int i = 1; i < 15; ++i) message.push_back(static_cast<char>(i));
  EXPECT_EQ((SipHash<2, 4>(key, message)), 0xa129ca6149be45e5ULL);
}

TEST(EntryTest, CanonicalIntegersAreStoredAsIntegersAndReadBackAsTheSameText) {
  for (std::string_view text : {"0", "123", "-1", "9223372036854775807", "-9223372036854775808"}) {
    EntryPtr entry = MakeString("k", text);
    EXPECT_EQ(entry->encoding(), Encoding::kInteger) << text;
    EXPECT_TRUE(entry->string().is_integer()) << text;
    EXPECT_EQ(entry->string().view(), text);
    EXPECT_EQ(std::to_string(entry->integer()), text);
  }
  EXPECT_EQ(MakeString("k", "123")->string().integer(), 123);
}

TEST(EntryTest, NonCanonicalNumbersStayStrings) {
  for (std::string_view text : {"007", "-0", "+1", " 1", "1 ", "9223372036854775808",
                                "-9223372036854775809", "1.5", "", "0x10", "-"}) {
    EntryPtr entry = MakeString("k", text);
    EXPECT_NE(entry->encoding(), Encoding::kInteger) << text;
    EXPECT_FALSE(entry->string().is_integer()) << text;
    EXPECT_EQ(entry->string().view(), text);
  }
}

TEST(EntryTest, ShortStringsLiveInsideTheEntryAndLongOnesOnTheHeap) {
  std::string inline_value(Entry::kMaxInlineString, 'v');
  std::string heap_value(Entry::kMaxInlineString + 1, 'w');
  EntryPtr short_entry = MakeString("key", inline_value);
  EntryPtr long_entry = MakeString("key", heap_value);
  EXPECT_EQ(short_entry->encoding(), Encoding::kInline);
  EXPECT_EQ(long_entry->encoding(), Encoding::kHeapString);
  EXPECT_EQ(short_entry->string().view(), inline_value);
  EXPECT_EQ(long_entry->string().view(), heap_value);
  // A 16-byte key with a 3-byte value fits jemalloc's 32-byte class, with or without a deadline.
  EXPECT_LE(MakeString("key:000000000001", "abc")->AllocatedBytes(), 32u);
  EXPECT_LE(MakeString("key:000000000001", "abc", 1'700'000'000'000)->AllocatedBytes(), 32u);
}

TEST(EntryTest, KeysOfAnyLengthAndBinaryContentRoundTrip) {
  std::string binary("a\0b\r\n", 5);
  std::string long_key(300, 'k');
  std::string huge_key(70000, 'h');
  for (const std::string& key : {std::string(), binary, long_key, huge_key}) {
    EntryPtr entry = MakeString(key, "value", 42);
    EXPECT_EQ(entry->key(), key);
    EXPECT_EQ(entry->string().view(), "value");
    EXPECT_EQ(entry->deadline(), 42);
  }
}

TEST(EntryTest, DeadlinesOfAnyValueRoundTrip) {
  for (int64_t deadline :
       {int64_t{0}, int64_t{1'700'000'000'123}, (int64_t{1} << 48) - 1, int64_t{1} << 48,
        std::numeric_limits<int64_t>::max(), int64_t{-1}, std::numeric_limits<int64_t>::min()}) {
    EntryPtr entry = MakeString("key", "v", deadline);
    ASSERT_TRUE(entry->has_deadline());
    EXPECT_EQ(entry->deadline(), deadline);
  }
  EXPECT_FALSE(MakeString("key", "v")->has_deadline());
}

TEST(EntryTest, RedeadlineKeepsKeyValueAndAccessData) {
  Entry* entry = Entry::Create("key", EntryValue::String(std::string(100, 'x')), std::nullopt, 0);
  entry->set_access(0xabcdef);
  entry = Entry::Redeadline(entry, int64_t{1} << 50);
  EXPECT_EQ(entry->deadline(), int64_t{1} << 50);
  EXPECT_FALSE(entry->CanStoreDeadlineInPlace(5));
  EXPECT_TRUE(entry->CanStoreDeadlineInPlace(int64_t{1} << 60));
  entry = Entry::Redeadline(entry, 7);
  EXPECT_TRUE(entry->CanStoreDeadlineInPlace(9));
  entry->StoreDeadlineInPlace(9);
  EXPECT_EQ(entry->deadline(), 9);
  entry = Entry::Redeadline(entry, std::nullopt);
  EXPECT_FALSE(entry->has_deadline());
  EXPECT_EQ(entry->key(), "key");
  EXPECT_EQ(entry->string().view(), std::string(100, 'x'));
  EXPECT_EQ(entry->access(), 0xabcdefu);
  Entry::Destroy(entry);
}

}  // namespace
}  // namespace magnetar::engine
