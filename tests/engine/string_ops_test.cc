// Database::IncrementInteger, the engine side of INCR, DECR, INCRBY and DECRBY: what it reads as
// an integer, what it refuses, and that the key keeps its deadline whether the sum is written in
// place or into a new entry.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>

#include "magnetar/common/clock.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

class FakeList final : public Object {
 public:
  size_t MemoryBytes() const override { return 0; }
};

class StringOpsTest : public ::testing::Test {
 protected:
  std::string Get(std::string_view key) {
    auto value = db_.GetString(key);
    if (!value.ok() || !*value) return "<missing>";
    return std::string((*value)->view());
  }

  ManualClock clock_;
  Keyspace keyspace_{1, clock_};
  Database& db_ = keyspace_.db(0);
};

TEST_F(StringOpsTest, MissingKeyCountsAsZero) {
  auto sum = db_.IncrementInteger("k", 5);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 5);
  EXPECT_EQ(Get("k"), "5");
  EXPECT_FALSE(db_.Lookup("k")->has_deadline());
}

TEST_F(StringOpsTest, ReadsIntegerTextsStoredAsStrings) {
  db_.SetString("k", "41");
  EXPECT_EQ(*db_.IncrementInteger("k", 1), 42);
  // A heap string holding digits (as APPEND or SETRANGE leave it) counts too.
  auto bytes = db_.StringForUpdate("h", 2);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[0] = '1';
  (*bytes)[1] = '7';
  EXPECT_EQ(*db_.IncrementInteger("h", -20), -3);
  EXPECT_EQ(Get("h"), "-3");
}

TEST_F(StringOpsTest, RefusesWithoutChangingAnything) {
  for (std::string_view text : {"abc", "007", "-0", " 1", "1.5", "9223372036854775808", ""}) {
    db_.SetString("k", text);
    EXPECT_EQ(db_.IncrementInteger("k", 1).status(), OpStatus::kNotInteger) << text;
    EXPECT_EQ(Get("k"), text);
  }
  db_.SetInteger("max", std::numeric_limits<int64_t>::max());
  EXPECT_EQ(db_.IncrementInteger("max", 1).status(), OpStatus::kOverflow);
  db_.SetInteger("min", std::numeric_limits<int64_t>::min());
  EXPECT_EQ(db_.IncrementInteger("min", -1).status(), OpStatus::kOverflow);
  EXPECT_EQ(Get("min"), "-9223372036854775808");
  db_.SetObject("list", ValueType::kList, std::make_unique<FakeList>());
  EXPECT_EQ(db_.IncrementInteger("list", 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(db_.Lookup("list")->type(), ValueType::kList);
}

TEST_F(StringOpsTest, KeepsTheDeadlineInPlaceAndWhenTheEncodingGrows) {
  const int64_t deadline = clock_.NowMs() + 5000;
  db_.SetInteger("k", 1, TtlUpdate::At(deadline));
  const Entry* before = db_.Lookup("k");
  EXPECT_EQ(*db_.IncrementInteger("k", 1), 2);  // same varint length: written in place
  EXPECT_EQ(db_.Lookup("k"), before);
  EXPECT_EQ(*db_.IncrementInteger("k", 1'000'000'000), 1'000'000'002);  // a longer encoding
  EXPECT_EQ(db_.Lookup("k")->deadline(), deadline);
  EXPECT_EQ(db_.ExpiresCount(), 1u);
  clock_.AdvanceMs(5001);
  EXPECT_EQ(Get("k"), "<missing>");
  EXPECT_EQ(keyspace_.stats().expired, 1u);
}

TEST_F(StringOpsTest, CountsNoKeyspaceHits) {
  db_.SetInteger("k", 1);
  db_.IncrementInteger("k", 1);
  db_.IncrementInteger("missing", 1);
  EXPECT_EQ(keyspace_.stats().hits + keyspace_.stats().misses, 0u);
}

}  // namespace
}  // namespace magnetar::engine
