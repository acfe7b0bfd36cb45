// The replication backlog: Redis's offsets (bytes numbered from 1), what a partial resync may ask
// for, and the bytes it gets, across the ring's wrap and a resize.
#include "server/replication_backlog.h"

#include <gtest/gtest.h>

#include <string>

namespace magnetar::server {
namespace {

std::string From(const ReplicationBacklog& backlog, uint64_t from) {
  std::string out;
  backlog.CopyFrom(from, out);
  return out;
}

TEST(ReplicationBacklogTest, CountsOffsetsWithoutARing) {
  ReplicationBacklog backlog;
  backlog.Append("abc");
  EXPECT_EQ(backlog.offset(), 3u);
  EXPECT_FALSE(backlog.active());
  EXPECT_FALSE(backlog.Covers(1));
}

TEST(ReplicationBacklogTest, HoldsTheHistoryAfterItsCreation) {
  ReplicationBacklog backlog;
  backlog.Create(16, 100);
  EXPECT_EQ(backlog.first_offset(), 101u);  // empty: the next byte
  EXPECT_TRUE(backlog.Covers(101));         // asking for nothing new is fine
  EXPECT_FALSE(backlog.Covers(100));
  backlog.Append("hello");
  EXPECT_EQ(backlog.offset(), 105u);
  EXPECT_EQ(backlog.histlen(), 5u);
  EXPECT_EQ(From(backlog, 101), "hello");
  EXPECT_EQ(From(backlog, 104), "lo");
  EXPECT_EQ(From(backlog, 106), "");
  EXPECT_FALSE(backlog.Covers(107));
}

TEST(ReplicationBacklogTest, KeepsTheLastBytesAcrossTheWrap) {
  ReplicationBacklog backlog;
  backlog.Create(8, 0);
  backlog.Append("0123456");
  backlog.Append("789ab");  // wraps: the ring holds "456789ab"
  EXPECT_EQ(backlog.histlen(), 8u);
  EXPECT_EQ(backlog.first_offset(), 5u);
  EXPECT_FALSE(backlog.Covers(4));
  EXPECT_EQ(From(backlog, 5), "456789ab");
  EXPECT_EQ(From(backlog, 10), "9ab");
  backlog.Append("a write longer than the ring");
  EXPECT_EQ(From(backlog, backlog.first_offset()), "the ring");
}

TEST(ReplicationBacklogTest, ResizeKeepsWhatFits) {
  ReplicationBacklog backlog;
  backlog.Create(8, 0);
  backlog.Append("0123456789");
  backlog.Resize(4);
  EXPECT_EQ(From(backlog, backlog.first_offset()), "6789");
  backlog.Resize(16);
  backlog.Append("ab");
  EXPECT_EQ(From(backlog, 7), "6789ab");
  EXPECT_EQ(backlog.offset(), 12u);
}

TEST(ReplicationBacklogTest, ResetRenumbersFromAPrimarysOffset) {
  ReplicationBacklog backlog;
  backlog.Create(8, 0);
  backlog.Append("abc");
  backlog.Reset(1000);
  EXPECT_EQ(backlog.offset(), 1000u);
  EXPECT_EQ(backlog.histlen(), 0u);
  EXPECT_TRUE(backlog.Covers(1001));
  EXPECT_FALSE(backlog.Covers(1000));
}

}  // namespace
}  // namespace magnetar::server
