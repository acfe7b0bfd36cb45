#include "magnetar/common/glob.h"

#include <gtest/gtest.h>

#include <string_view>

namespace magnetar {
namespace {

TEST(GlobMatchTest, Wildcards) {
  EXPECT_TRUE(GlobMatch("*", "a"));
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

// Checked against Redis 7.0.15 (KEYS and SCAN MATCH with "**" and friends, PSUBSCRIBE to the
// empty channel): an empty text matches the empty pattern and nothing else.
TEST(GlobMatchTest, EmptyTextMatchesOnlyTheEmptyPattern) {
  EXPECT_TRUE(GlobMatch("", ""));
  for (std::string_view pattern : {"*", "**", "***", "*?", "?*", "?", "[a]*", "\\*", "[^a]", "["}) {
    EXPECT_FALSE(GlobMatch(pattern, "")) << pattern;
    EXPECT_FALSE(GlobMatch(pattern, "", /*nocase=*/true)) << pattern;
  }
  EXPECT_FALSE(GlobMatch("", "a"));
  // Stars left over once a non-empty text is used up still match nothing.
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("a**", "a"));
  EXPECT_TRUE(GlobMatch("**", "a"));
  EXPECT_FALSE(GlobMatch("a*?", "a"));
}

TEST(GlobMatchTest, HostilePatternFinishes) {
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}

}  // namespace
}  // namespace magnetar
