// INFO errorstats' counting rule, as Redis 7.0's afterErrorReply applies it: the code is the word
// before the first space within the error's first 32 bytes (its '-' included), else ERR.
#include "server/error_stats.h"

#include <gtest/gtest.h>

#include "magnetar/server/server.h"

namespace magnetar::server {
namespace {

uint64_t Count(const ServerStats& stats, std::string_view code) {
  auto it = stats.error_counts.find(code);
  return it == stats.error_counts.end() ? 0 : it->second;
}

TEST(ErrorStatsTest, CountsByTheWordBeforeTheFirstSpace) {
  ServerStats stats;
  CountErrorReply(stats, "ERR unknown command\r\n");
  CountErrorReply(stats, "WRONGTYPE Operation against a key\r\n");
  CountErrorReply(stats, "WRONGTYPE Operation against a key");
  EXPECT_EQ(Count(stats, "ERR"), 1u);
  EXPECT_EQ(Count(stats, "WRONGTYPE"), 2u);
}

TEST(ErrorStatsTest, ACodeWithoutASpaceInTheFirst32BytesCountsAsErr) {
  ServerStats stats;
  // 31 bytes after the '-' before the space: still within Redis's 32.
  CountErrorReply(stats, std::string(30, 'A') + " x");
  EXPECT_EQ(Count(stats, std::string(30, 'A')), 1u);
  CountErrorReply(stats, std::string(31, 'B') + " x");
  CountErrorReply(stats, "NOSPACE\r\n+OK with space\r\n");  // the space of the next reply
  EXPECT_EQ(Count(stats, "ERR"), 2u);
  EXPECT_EQ(stats.error_counts.size(), 2u);
}

}  // namespace
}  // namespace magnetar::server
