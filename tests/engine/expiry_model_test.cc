// Random operations on a database checked against a plain map: whatever sequence of writes,
// deadline changes, clock jumps and (possibly interrupted) active expiry steps, a key is visible
// exactly while its deadline has not passed, and a complete active step leaves no expired key
// behind.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>

#include "magnetar/common/clock.h"
#include "magnetar/engine/keyspace.h"
#include "support/expiry_recorder.h"

namespace magnetar::engine {
namespace {

struct ModelValue {
  std::string value;
  std::optional<int64_t> deadline;
};

class ExpiryModelTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  int64_t Now() const { return clock_.NowMs(); }
  bool Alive(const ModelValue& v) const { return !v.deadline || *v.deadline >= Now(); }

  // A deadline somewhere between the recent past and days ahead, with many sharing a moment.
  int64_t RandomDeadline() {
    switch (random_() % 6) {
      case 0:
        return Now() - static_cast<int64_t>(random_() % 20);
      case 1:
        return Now() + static_cast<int64_t>(random_() % 100);
      case 2:
        return Now() + static_cast<int64_t>(random_() % 10'000);
      case 3:
        return Now() + static_cast<int64_t>(random_() % 86'400'000);
      case 4:
        return shared_deadline_;
      default:
        return Now() + static_cast<int64_t>(random_() % 5'000'000'000);
    }
  }

  void CheckEverything() {
    size_t alive = 0;
    for (auto& [key, v] : model_) {
      if (!Alive(v)) continue;
      ++alive;
      const Entry* entry = db_.Lookup(key);
      ASSERT_NE(entry, nullptr) << key;
      ASSERT_EQ(entry->string().view(), v.value) << key;
      ASSERT_EQ(entry->has_deadline(), v.deadline.has_value()) << key;
      if (v.deadline) {
        ASSERT_EQ(entry->deadline(), *v.deadline) << key;
      }
    }
    // Lookups of the dead ones removed them, so the sizes now agree.
    for (auto& [key, v] : model_) {
      if (!Alive(v)) {
        ASSERT_EQ(db_.Lookup(key), nullptr) << key;
      }
    }
    ASSERT_EQ(db_.Size(), alive);
    std::erase_if(model_, [this](const auto& item) { return !Alive(item.second); });
    size_t with_deadline = 0;
    for (auto& [key, v] : model_) with_deadline += v.deadline.has_value();
    ASSERT_EQ(db_.ExpiresCount(), with_deadline);
    ASSERT_EQ(recorder_.expired.size(), keyspace_.stats().expired);
  }

  void CompleteStepLeavesNoExpiredKey() {
    db_.ActiveExpireStep(MonotonicUs() + 60'000'000);
    uint64_t cursor = 0;
    do {
      cursor = db_.Scan(cursor, [&](const Entry& entry) {
        ASSERT_FALSE(entry.has_deadline() && entry.deadline() < Now()) << entry.key();
      });
    } while (cursor != 0);
  }

  ManualClock clock_;
  Keyspace keyspace_{1, clock_};
  Database& db_ = keyspace_.db(0);
  std::mt19937_64 random_{GetParam()};
  std::map<std::string, ModelValue> model_;
  int64_t shared_deadline_ = clock_.NowMs() + 5'000;
  test_support::ExpiryRecorder recorder_;
};

TEST_P(ExpiryModelTest, DatabaseMatchesTheModel) {
  keyspace_.SetObserver(&recorder_);
  for (int op = 0; op < 40'000; ++op) {
    std::string key = fmt::format("k{}", random_() % 600);
    auto it = model_.find(key);
    bool present = it != model_.end() && Alive(it->second);
    switch (random_() % 12) {
      case 0:
      case 1:
      case 2: {
        std::string value = std::to_string(random_() % 1000);
        std::optional<int64_t> old = present ? it->second.deadline : std::nullopt;
        switch (random_() % 3) {
          case 0:
            db_.SetString(key, value);
            model_[key] = {value, std::nullopt};
            break;
          case 1:
            db_.SetString(key, value, TtlUpdate::Keep());
            model_[key] = {value, old};
            break;
          default: {
            int64_t deadline = RandomDeadline();
            db_.SetString(key, value, TtlUpdate::At(deadline));
            model_[key] = {value, deadline};
          }
        }
        break;
      }
      case 3:
        ASSERT_EQ(db_.Delete(key), present);
        if (it != model_.end()) model_.erase(it);
        break;
      case 4:
      case 5: {
        int64_t deadline = RandomDeadline();
        ASSERT_EQ(db_.SetDeadline(key, deadline), present);
        if (present) it->second.deadline = deadline;
        break;
      }
      case 6:
        ASSERT_EQ(db_.Persist(key), present && it->second.deadline.has_value());
        if (present) it->second.deadline.reset();
        break;
      case 7:
      case 8:
        clock_.AdvanceMs(
            static_cast<int64_t>(random_() % (random_() % 50 == 0 ? 100'000'000 : 300)));
        if (random_() % 20 == 0)
          shared_deadline_ = Now() + static_cast<int64_t>(random_() % 20'000);
        break;
      case 9:
        // A step whose budget is already spent: does a few records and stops.
        db_.ActiveExpireStep(0);
        break;
      case 10:
        CompleteStepLeavesNoExpiredKey();
        break;
      default:
        ASSERT_EQ(db_.Lookup(key) != nullptr, present) << key;
        if (!present && it != model_.end()) model_.erase(it);
        break;
    }
    if (op % 5'000 == 0) CheckEverything();
  }
  CompleteStepLeavesNoExpiredKey();
  CheckEverything();
}

INSTANTIATE_TEST_SUITE_P(Seeds, ExpiryModelTest, ::testing::Values(1, 2, 3, 4));

}  // namespace
}  // namespace magnetar::engine
