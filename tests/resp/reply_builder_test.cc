#include "magnetar/resp/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace magnetar::resp {
namespace {

// The bytes one reply produces in RESP2 and in RESP3.
std::pair<std::string, std::string> Encode(const std::function<void(ReplyBuilder&)>& write) {
  ReplyBuilder resp2, resp3;
  resp3.set_protocol(Protocol::kResp3);
  write(resp2);
  write(resp3);
  return {resp2.buffer(), resp3.buffer()};
}

void ExpectBytes(const std::function<void(ReplyBuilder&)>& write, std::string_view resp2,
                 std::string_view resp3) {
  auto [two, three] = Encode(write);
  EXPECT_EQ(two, resp2);
  EXPECT_EQ(three, resp3);
}

TEST(ReplyBuilderTest, SameInBothProtocols) {
  ExpectBytes([](ReplyBuilder& r) { r.Ok(); }, "+OK\r\n", "+OK\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Error("ERR x"); }, "-ERR x\r\n", "-ERR x\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Integer(-42); }, ":-42\r\n", ":-42\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Integer(INT64_MIN); }, ":-9223372036854775808\r\n",
              ":-9223372036854775808\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Bulk("a\r\nb"); }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Array(3); }, "*3\r\n", "*3\r\n");
}

TEST(ReplyBuilderTest, ErrorsStayOnOneLine) {
  ExpectBytes([](ReplyBuilder& r) { r.Error("ERR a\r\nb"); }, "-ERR a  b\r\n", "-ERR a  b\r\n");
}

TEST(ReplyBuilderTest, ErrorFromStatusUsesRedisText) {
  ExpectBytes([](ReplyBuilder& r) { r.Error(OpStatus::kWrongType); },
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST(ReplyBuilderTest, Nulls) {
  ExpectBytes([](ReplyBuilder& r) { r.Null(); }, "$-1\r\n", "_\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.NullArray(); }, "*-1\r\n", "_\r\n");
}

TEST(ReplyBuilderTest, Aggregates) {
  ExpectBytes([](ReplyBuilder& r) { r.Map(2); }, "*4\r\n", "%2\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Set(2); }, "*2\r\n", "~2\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Push(3); }, "*3\r\n", ">3\r\n");
}

TEST(ReplyBuilderTest, Doubles) {
  ExpectBytes([](ReplyBuilder& r) { r.Double(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Double(0.1); }, "$19\r\n0.10000000000000001\r\n",
              ",0.10000000000000001\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Double(-INFINITY); }, "$4\r\n-inf\r\n", ",-inf\r\n");
}

TEST(ReplyBuilderTest, BoolsAndVerbatim) {
  ExpectBytes([](ReplyBuilder& r) { r.Bool(true); }, ":1\r\n", "#t\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Bool(false); }, ":0\r\n", "#f\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.Verbatim("a\r\n"); }, "$3\r\na\r\n\r\n",
              "=7\r\ntxt:a\r\n\r\n");
}

TEST(ReplyBuilderTest, BigNumbers) {
  ExpectBytes([](ReplyBuilder& r) { r.BigNumber("1234567999999999999999999999999999999"); },
              "$37\r\n1234567999999999999999999999999999999\r\n",
              "(1234567999999999999999999999999999999\r\n");
  ExpectBytes([](ReplyBuilder& r) { r.BigNumber("-1"); }, "$2\r\n-1\r\n", "(-1\r\n");
}

TEST(ReplyBuilderTest, AttributesExistOnlyInResp3) {
  ExpectBytes([](ReplyBuilder& r) { r.Attribute(1); }, "", "|1\r\n");
}

}  // namespace
}  // namespace magnetar::resp
