// ZRANDMEMBER's draws, checked by what does not depend on chance (counts, membership, scores,
// distinctness for positive counts, every member drawn eventually) in every way it draws: a
// listpack, a large share of a big set (one selecting walk), a few members of a big set (draws by
// rank), and repeats. And ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE over big sets, whose results land in
// the tree encoding in order. Replies are compared with Redis by
// tests/diff/scripts/zset_algebra.redis.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "command_test.h"

namespace magnetar::server {
namespace {

class ZSetRandomAndAlgebraTest : public CommandTest {
 protected:
  // Gives `key` the members m<first>..m<first + count - 1>, each scored its number, in one ZADD.
  void Fill(std::string_view key, int first, int count) {
    std::vector<std::string> args{"ZADD", std::string(key)};
    for (int i = first; i < first + count; ++i) {
      args.push_back(std::to_string(i));
      args.push_back(Member(i));
    }
    std::vector<std::string_view> views(args.begin(), args.end());
    ASSERT_EQ(client_.Run(views), ":" + std::to_string(count) + "\r\n");
  }
  static std::string Member(int i) { return "m" + std::to_string(i); }
  // The member's score as Fill gave it, as a reply writes it.
  static std::string ScoreOf(std::string_view member) { return std::string(member.substr(1)); }

  std::string Encoding(std::string_view key) {
    std::vector<std::string> bulks = Bulks(Run({"OBJECT", "ENCODING", key}));
    return bulks.empty() ? "" : bulks[0];
  }
};

TEST_F(ZSetRandomAndAlgebraTest, PositiveCountsDrawDistinctMembersWithTheirScores) {
  Fill("small", 0, 10);
  Fill("big", 0, 3000);
  ASSERT_EQ(Encoding("small"), "listpack");
  ASSERT_EQ(Encoding("big"), "skiplist");
  struct Case {
    const char* key;
    int count;
  };
  for (Case c : {Case{"small", 1}, Case{"small", 3}, Case{"small", 9}, Case{"big", 2000},
                 Case{"big", 1001}, Case{"big", 10}, Case{"big", 1}}) {
    std::string count = std::to_string(c.count);
    std::vector<std::string> pairs = Bulks(Run({"ZRANDMEMBER", c.key, count, "WITHSCORES"}));
    ASSERT_EQ(pairs.size(), 2u * c.count) << c.key << " " << c.count;
    std::set<std::string> members;
    for (size_t i = 0; i < pairs.size(); i += 2) {
      EXPECT_EQ(pairs[i][0], 'm');
      EXPECT_EQ(pairs[i + 1], ScoreOf(pairs[i]));
      members.insert(pairs[i]);
    }
    EXPECT_EQ(members.size(), static_cast<size_t>(c.count)) << c.key << " " << c.count;
    std::vector<std::string> alone = Bulks(Run({"ZRANDMEMBER", c.key, count}));
    EXPECT_EQ(std::set<std::string>(alone.begin(), alone.end()).size(),
              static_cast<size_t>(c.count));
  }
}

TEST_F(ZSetRandomAndAlgebraTest, NegativeCountsAndNoCountDrawMembersOfTheSet) {
  Fill("small", 0, 10);
  Fill("big", 0, 3000);
  for (const char* key : {"small", "big"}) {
    std::vector<std::string> pairs = Bulks(Run({"ZRANDMEMBER", key, "-1001", "WITHSCORES"}));
    ASSERT_EQ(pairs.size(), 2002u) << key;
    for (size_t i = 0; i < pairs.size(); i += 2) EXPECT_EQ(pairs[i + 1], ScoreOf(pairs[i]));
    EXPECT_EQ(Bulks(Run({"ZRANDMEMBER", key, "-20"})).size(), 20u);
    std::vector<std::string> one = Bulks(Run({"ZRANDMEMBER", key}));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(Run({"ZSCORE", key, one[0]}).substr(0, 1), "$") << one[0];
  }
  // Ten members, 1000 draws: each is missed with probability 0.9^1000, far below 1e-40.
  std::set<std::string> seen;
  for (const std::string& member : Bulks(Run({"ZRANDMEMBER", "small", "-1000"}))) {
    seen.insert(member);
  }
  EXPECT_EQ(seen.size(), 10u);
  seen.clear();
  for (int i = 0; i < 200; ++i) {
    for (const std::string& member : Bulks(Run({"ZRANDMEMBER", "small", "3"}))) {
      seen.insert(member);
    }
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST_F(ZSetRandomAndAlgebraTest, Resp3NestsEachMemberWithItsScore) {
  Fill("small", 0, 10);
  Run({"HELLO", "3"});
  std::string reply = Run({"ZRANDMEMBER", "small", "2", "WITHSCORES"});
  EXPECT_TRUE(reply.starts_with("*2\r\n*2\r\n$2\r\nm")) << reply;
  EXPECT_NE(reply.find("\r\n,"), std::string::npos) << reply;
  reply = Run({"ZRANDMEMBER", "small", "-3"});
  EXPECT_TRUE(reply.starts_with("*3\r\n$2\r\nm")) << reply;
}

TEST_F(ZSetRandomAndAlgebraTest, StoreFormsOverBigSetsKeepTheOrderInTheTreeEncoding) {
  Fill("a", 0, 2000);
  Fill("b", 1000, 2000);
  EXPECT_EQ(Run({"ZUNIONSTORE", "u", "2", "a", "b", "WEIGHTS", "1", "-1"}), ":3000\r\n");
  EXPECT_EQ(Encoding("u"), "skiplist");
  // a's members below 1000 keep their score, the common ones sum to 0, b's own are negated.
  EXPECT_EQ(Run({"ZCOUNT", "u", "0", "0"}), ":1001\r\n");
  EXPECT_EQ(Bulks(Run({"ZRANGE", "u", "0", "1", "WITHSCORES"})),
            (std::vector<std::string>{"m2999", "-2999", "m2998", "-2998"}));
  EXPECT_EQ(Bulks(Run({"ZRANGE", "u", "-1", "-1"})), std::vector<std::string>{"m999"});
  // Equal scores go by the members' bytes: "m0" before "m1000".
  EXPECT_EQ(Run({"ZRANK", "u", "m0"}), ":1000\r\n");
  EXPECT_EQ(Run({"ZRANK", "u", "m1000"}), ":1001\r\n");

  EXPECT_EQ(Run({"ZINTERSTORE", "i", "2", "a", "b", "AGGREGATE", "MAX"}), ":1000\r\n");
  EXPECT_EQ(Encoding("i"), "skiplist");
  EXPECT_EQ(Bulks(Run({"ZRANGE", "i", "0", "0", "WITHSCORES"})),
            (std::vector<std::string>{"m1000", "1000"}));
  EXPECT_EQ(Run({"ZINTERCARD", "2", "a", "b", "LIMIT", "7"}), ":7\r\n");

  EXPECT_EQ(Run({"ZDIFFSTORE", "d", "2", "a", "b"}), ":1000\r\n");
  EXPECT_EQ(Encoding("d"), "skiplist");
  EXPECT_EQ(Bulks(Run({"ZRANGE", "d", "-1", "-1", "WITHSCORES"})),
            (std::vector<std::string>{"m999", "999"}));
  // A result small enough is a listpack, whatever the inputs were.
  EXPECT_EQ(Run({"ZDIFFSTORE", "d", "2", "a", "u"}), ":0\r\n");
  EXPECT_EQ(Run({"EXISTS", "d"}), ":0\r\n");
  EXPECT_EQ(Run({"ZINTERSTORE", "d", "2", "a", "small"}), ":0\r\n");
  Fill("few", 10, 3);
  EXPECT_EQ(Run({"ZINTERSTORE", "d", "2", "a", "few"}), ":3\r\n");
  EXPECT_EQ(Encoding("d"), "listpack");
}

}  // namespace
}  // namespace magnetar::server
