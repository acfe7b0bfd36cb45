// How the event loop shares itself between connections: a client pipelining a long batch of heavy
// requests gets it in turns of a fraction of a millisecond, and a neighbour's request is served
// between two turns. Magnetar only: Redis runs a client's whole query buffer before it reads
// another client's.
#include <string>
#include <string_view>
#include <vector>

#include "server_fixture.h"
#include "support/resp_reply.h"

namespace magnetar::e2e {
namespace {

using test_support::EncodeCommand;

class FairnessTest : public ServerTest {};

TEST_P(FairnessTest, NeighbourIsServedInTheMiddleOfAHeavyPipelinedBatch) {
  ASSERT_TRUE(StartServer());
  auto heavy = Connect();
  auto neighbour = Connect();
  // LCS of two 300-character strings fills a 300 x 300 table: tens of microseconds or more each,
  // so the batch below runs for many turns.
  std::string first, second;
  for (int i = 0; i < 60; ++i) first += "abcde", second += "edcba";
  ASSERT_EQ(heavy->Call({"MSET", "a", first, "b", second}), "+OK\r\n");

  constexpr int kHeavyRequests = 400;
  const std::string_view lcs[] = {"LCS", "a", "b", "LEN"};
  const std::string_view get[] = {"GET", "marker"};
  std::string batch;
  for (int i = 0; i < kHeavyRequests; ++i) batch += EncodeCommand(lcs);
  batch += EncodeCommand(get);
  ASSERT_LT(batch.size(), 16'000u) << "the whole batch should arrive in one read";
  ASSERT_TRUE(heavy->SendRaw(batch)) << heavy->error();

  // Sent after the batch, served before its end: the batch's last request sees the marker.
  EXPECT_EQ(neighbour->Call({"SET", "marker", "served"}), "+OK\r\n");
  std::string reply, lcs_length;
  for (int i = 0; i < kHeavyRequests; ++i) {
    ASSERT_EQ(heavy->ReadReply(reply), test_support::ReadStatus::kReply) << heavy->error();
    if (i == 0) lcs_length = reply;
    ASSERT_EQ(reply, lcs_length) << "request " << i;
  }
  EXPECT_EQ(lcs_length.front(), ':');
  ASSERT_EQ(heavy->ReadReply(reply), test_support::ReadStatus::kReply) << heavy->error();
  EXPECT_EQ(reply, "$6\r\nserved\r\n");
}

// A turn also ends between requests that are few but heavy each: the budget is checked after
// every request, by the clock reading that ended it.
TEST_P(FairnessTest, NeighbourIsServedBetweenAFewRequestsOfManyArguments) {
  ASSERT_TRUE(StartServer());
  auto heavy = Connect();
  auto neighbour = Connect();
  std::vector<std::string> members = {"SADD", "s"};
  for (int i = 0; i < 1000; ++i) members.push_back(std::to_string(i));
  const std::vector<std::string_view> sadd(members.begin(), members.end());
  ASSERT_EQ(heavy->Call(std::span<const std::string_view>(sadd)), ":1000\r\n");

  // Each SUNIONSTORE of the 1,000-member set named 70 times inserts 70,000 members: milliseconds.
  std::vector<std::string_view> union_store = {"SUNIONSTORE", "d"};
  for (int i = 0; i < 70; ++i) union_store.push_back("s");
  const std::string_view get[] = {"GET", "marker"};
  constexpr int kHeavyRequests = 4;
  std::string batch;
  for (int i = 0; i < kHeavyRequests; ++i) batch += EncodeCommand(union_store);
  batch += EncodeCommand(get);
  ASSERT_TRUE(heavy->SendRaw(batch)) << heavy->error();

  EXPECT_EQ(neighbour->Call({"SET", "marker", "served"}), "+OK\r\n");
  std::string reply;
  for (int i = 0; i < kHeavyRequests; ++i) {
    ASSERT_EQ(heavy->ReadReply(reply), test_support::ReadStatus::kReply) << heavy->error();
    ASSERT_EQ(reply, ":1000\r\n") << "request " << i;
  }
  ASSERT_EQ(heavy->ReadReply(reply), test_support::ReadStatus::kReply) << heavy->error();
  EXPECT_EQ(reply, "$6\r\nserved\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, FairnessTest, ::testing::Values(ServerKind::kMagnetar),
                         ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
