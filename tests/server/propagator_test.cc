// The propagator on its own: units, MULTI/EXEC wrapping, SELECT emission, sends outside units.
#include "magnetar/server/propagator.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace magnetar::server {
namespace {

using Commands = std::vector<std::vector<std::string>>;
using Argv = std::vector<std::string_view>;

class PropagatorTest : public ::testing::Test {
 protected:
  void SetUp() override { propagator_.AddSink(sink_); }
  void Record(size_t db, Argv argv) { propagator_.Record(db, argv); }

  Propagator propagator_;
  RecordingSink sink_;
};

TEST_F(PropagatorTest, NothingIsRecordedWithoutASink) {
  Propagator idle;
  EXPECT_FALSE(idle.active());
  idle.BeginUnit();
  Argv argv{"SET", "k", "v"};
  idle.Record(0, argv);
  idle.EndUnit();
  EXPECT_TRUE(propagator_.active());
}

TEST_F(PropagatorTest, SelectPrecedesTheFirstWriteAndEachChangeOfDatabase) {
  for (size_t db : {0, 0, 3, 3, 0}) {
    propagator_.BeginUnit();
    Record(db, {"INCR", "k"});
    propagator_.EndUnit();
  }
  EXPECT_EQ(sink_.commands, (Commands{{"SELECT", "0"},
                                      {"INCR", "k"},
                                      {"INCR", "k"},
                                      {"SELECT", "3"},
                                      {"INCR", "k"},
                                      {"INCR", "k"},
                                      {"SELECT", "0"},
                                      {"INCR", "k"}}));
}

TEST_F(PropagatorTest, AUnitOfSeveralWritesIsWrappedOnlyByTheOutermostEnd) {
  propagator_.BeginUnit();
  propagator_.BeginUnit();
  Record(2, {"SET", "a", "1"});
  propagator_.EndUnit();
  EXPECT_TRUE(sink_.commands.empty());
  Record(2, {"SET", "b", "2"});
  propagator_.EndUnit();
  EXPECT_EQ(sink_.commands,
            (Commands{{"SELECT", "2"}, {"MULTI"}, {"SET", "a", "1"}, {"SET", "b", "2"}, {"EXEC"}}));
}

TEST_F(PropagatorTest, SendNowGoesAheadOfTheUnitInProgress) {
  propagator_.BeginUnit();
  Record(0, {"SET", "a", "1"});
  Argv del{"DEL", "old"};
  propagator_.SendNow(0, del);
  propagator_.EndUnit();
  EXPECT_EQ(sink_.commands, (Commands{{"SELECT", "0"}, {"DEL", "old"}, {"SET", "a", "1"}}));
}

TEST_F(PropagatorTest, ForgetSelectedDbRepeatsTheSelect) {
  Argv argv{"DEL", "k"};
  propagator_.SendNow(0, argv);
  propagator_.ForgetSelectedDb();
  propagator_.SendNow(0, argv);
  EXPECT_EQ(sink_.commands,
            (Commands{{"SELECT", "0"}, {"DEL", "k"}, {"SELECT", "0"}, {"DEL", "k"}}));
}

}  // namespace
}  // namespace magnetar::server
