#include "magnetar/common/glob.h"

#include <gtest/gtest.h>

namespace magnetar {
namespace {

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_FALSE(GlobMatch("h?llo", "hllo"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(GlobMatch("*a*b*c", "xxaxxbxxcxx"));
}

TEST(GlobMatchTest, Classes) {
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h[b-a]llo", "hbllo"));  // reversed ranges work
  EXPECT_TRUE(GlobMatch("a[\\]]", "a]"));
}

TEST(GlobMatchTest, EscapesAndCase) {
  EXPECT_TRUE(GlobMatch("a\\*", "a*"));
  EXPECT_FALSE(GlobMatch("a\\*", "ab"));
  EXPECT_TRUE(GlobMatch("HELLO", "hello", true));
  EXPECT_FALSE(GlobMatch("HELLO", "hello"));
}

TEST(GlobMatchTest, HostilePatternFinishes) {
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

}  // namespace
}  // namespace magnetar
