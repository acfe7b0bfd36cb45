// How the event loop shares itself between connections: a client pipelining a long batch of heavy
// requests gets it in turns of a fraction of a millisecond, and a neighbour's request is served
// between two turns. Magnetar only: Redis runs a client's whole query buffer before it reads
// another client's.
#include <string>
#include <string_view>

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

INSTANTIATE_TEST_SUITE_P(Servers, FairnessTest, ::testing::Values(ServerKind::kMagnetar),
                         ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
