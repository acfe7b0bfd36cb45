// DEBUG through the dispatcher: the replies of each subcommand, byte for byte as Redis 7.0.15
// gives them (PROTOCOL in RESP2 and RESP3), OBJECT's line, and the effects of CHANGE-REPL-ID and
// SET-ACTIVE-EXPIRE on the server. Active expiry itself is checked end to end
// (tests/e2e/debug_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::BulkPayload;
using test_support::FakeConnection;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

Config DebugAllowed() {
  Config config;
  config.enable_debug_command = ProtectedAccess::kYes;
  return config;
}

class DebugCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(connection_.Open(server_)); }

  std::string Run(std::initializer_list<std::string_view> args) { return connection_.Run(args); }

  // The line DEBUG OBJECT gives for a value written now (the key's LRU stamp is the keyspace's
  // clock, so it has been idle 0 seconds).
  std::string ObjectLine(std::string_view refcount, std::string_view encoding, size_t serialized) {
    return "\\+Value at:0x[0-9a-f]+ refcount:" + std::string(refcount) +
           " encoding:" + std::string(encoding) +
           " serializedlength:" + std::to_string(serialized) +
           // The LRU clock may tick between the write and the look (seen under load).
           " lru:[0-9]+ lru_seconds_idle:[01]\r\n";
  }

  Server server_{DebugAllowed()};
  FakeConnection connection_;
};

TEST(DebugAdmissionTest, RefusedUnlessEnableDebugCommandAllows) {
  Server server{Config{}};
  FakeConnection connection;
  ASSERT_TRUE(connection.Open(server));
  EXPECT_THAT(connection.Run({"DEBUG", "HELP"}), StartsWith("-ERR DEBUG command not allowed."));
}

TEST_F(DebugCommandTest, HelpListsWhatExistsInRedisWords) {
  EXPECT_EQ(Run({"DEBUG", "HELP"}),
            "*40\r\n"
            "+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            "+CHANGE-REPL-ID\r\n"
            "+    Change the replication IDs of the instance.\r\n"
            "+    Dangerous: should be used only for testing the replication subsystem.\r\n"
            "+DIGEST\r\n"
            "+    Output a hex signature representing the current DB content.\r\n"
            "+DIGEST-VALUE <key> [<key> ...]\r\n"
            "+    Output a hex signature of the values of all the specified keys.\r\n"
            "+OBJECT <key>\r\n"
            "+    Show low level info about `key` and associated value.\r\n"
            "+POPULATE <count> [<prefix>] [<size>]\r\n"
            "+    Create <count> string keys named key:<num>. If <prefix> is specified then\r\n"
            "+    it is used instead of the 'key' prefix. These are not propagated to\r\n"
            "+    replicas. Cluster slots are not respected so keys not belonging to the\r\n"
            "+    current node can be created in cluster mode.\r\n"
            "+PROTOCOL <type>\r\n"
            "+    Reply with a test value of the specified type. <type> can be: string,\r\n"
            "+    integer, double, bignum, null, array, set, map, attrib, push, verbatim,\r\n"
            "+    true, false.\r\n"
            "+RELOAD [option ...]\r\n"
            "+    Save the RDB on disk and reload it back to memory. Valid <option> values:\r\n"
            "+    * MERGE: conflicting keys will be loaded from RDB.\r\n"
            "+    * NOFLUSH: the existing database will not be removed before load, but\r\n"
            "+      conflicting keys will generate an exception and kill the server.\r\n"
            "+    * NOSAVE: the database will be loaded from an existing RDB file.\r\n"
            "+    Examples:\r\n"
            "+    * DEBUG RELOAD: verify that the server is able to persist, flush and reload\r\n"
            "+      the database.\r\n"
            "+    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an\r\n"
            "+      existing RDB file.\r\n"
            "+    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB\r\n"
            "+      file to the database.\r\n"
            "+SET-ACTIVE-EXPIRE <0|1>\r\n"
            "+    Setting it to 0 disables expiring keys in background when they are not\r\n"
            "+    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the\r\n"
            "+    default.\r\n"
            "+SLEEP <seconds>\r\n"
            "+    Stop the server for <seconds>. Decimals allowed.\r\n"
            "+HELP\r\n"
            "+    Prints this help.\r\n");
}

TEST_F(DebugCommandTest, UnknownSubcommandsAndWrongArgumentCounts) {
  for (auto args : {std::vector<std::string_view>{"DEBUG", "nosuch"},
                    std::vector<std::string_view>{"debug", "nosuch", "a", "b"}}) {
    EXPECT_EQ(connection_.Run(args),
              "-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG "
              "HELP.\r\n");
  }
  EXPECT_EQ(Run({"DEBUG", "Object"}),
            "-ERR unknown subcommand or wrong number of arguments for 'Object'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(Run({"DEBUG", "HELP", "x"}),
            "-ERR unknown subcommand or wrong number of arguments for 'HELP'. Try DEBUG HELP.\r\n");
  EXPECT_EQ(Run({"DEBUG", "sleep", "1", "2"}),
            "-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG "
            "HELP.\r\n");
  EXPECT_EQ(Run({"DEBUG", std::string(200, 'x')}),
            "-ERR unknown subcommand or wrong number of arguments for '" + std::string(128, 'x') +
                "'. Try DEBUG HELP.\r\n");
  EXPECT_EQ(Run({"DEBUG"}), "-ERR wrong number of arguments for 'debug' command\r\n");
}

TEST_F(DebugCommandTest, ObjectDescribesStringsOfEachEncoding) {
  Run({"SET", "int", "12345"});
  Run({"SET", "shared", "5"});
  Run({"SET", "big", "9223372036854775807"});
  Run({"SET", "embstr", "hello"});
  Run({"SET", "raw", std::string(45, 'b')});
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "int"}), MatchesRegex(ObjectLine("1", "int", 3)));
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "shared"}), MatchesRegex(ObjectLine("2147483647", "int", 2)));
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "big"}), MatchesRegex(ObjectLine("1", "int", 20)));
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "embstr"}), MatchesRegex(ObjectLine("1", "embstr", 6)));
  // 45 bytes that LZF compresses.
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "raw"}), MatchesRegex(ObjectLine("1", "raw", 12)));
}

TEST_F(DebugCommandTest, ObjectOfAMissingKey) {
  EXPECT_EQ(Run({"DEBUG", "OBJECT", "nosuchkey"}), "-ERR no such key\r\n");
}

// Like Redis, DEBUG OBJECT looks in the table: a key past its deadline is described until
// something removes it.
TEST_F(DebugCommandTest, ObjectSeesAKeyPastItsDeadlineUntilItIsRemoved) {
  Run({"SET", "k", "v"});
  ASSERT_TRUE(server_.keyspace().db(0).SetDeadline("k", 1));
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "k"}), StartsWith("+Value at:0x"));
  EXPECT_EQ(Run({"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(Run({"DEBUG", "OBJECT", "k"}), "-ERR no such key\r\n");
}

// The digests Redis 7.0.15 gives for `SET foo bar`, without and with a deadline (which counts
// whether or not it has passed: DIGEST expires nothing). The differential script digest.redis
// covers every type and encoding.
TEST_F(DebugCommandTest, DigestsAreRedissAndSeeKeysPastTheirDeadline) {
  constexpr std::string_view kZeros = "+0000000000000000000000000000000000000000\r\n";
  EXPECT_EQ(Run({"DEBUG", "DIGEST"}), kZeros);
  EXPECT_EQ(Run({"DEBUG", "DIGEST-VALUE"}), "*0\r\n");
  Run({"SET", "foo", "bar"});
  EXPECT_EQ(Run({"DEBUG", "DIGEST"}), "+d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a\r\n");
  EXPECT_EQ(Run({"DEBUG", "DIGEST-VALUE", "foo", "nosuchkey"}),
            "*2\r\n+68467c70ae30376e7ce005bcc8827f5ba7fd67dc\r\n" + std::string(kZeros));
  ASSERT_TRUE(server_.keyspace().db(0).SetDeadline("foo", 1));
  EXPECT_EQ(Run({"DEBUG", "DIGEST"}), "+8b0c6d22108f15467022bc27c005787072eb4c4b\r\n");
  EXPECT_EQ(Run({"DEBUG", "DIGEST-VALUE", "foo"}),
            "*1\r\n+8ec3828f7209dd3abdf6ee448de8b0c0bd53265f\r\n");
  EXPECT_EQ(
      Run({"DEBUG", "DIGEST", "extra"}),
      "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n");
}

struct ProtocolReply {
  std::string_view type;
  std::string_view resp2;
  std::string_view resp3;
};

class DebugProtocolTest : public DebugCommandTest,
                          public ::testing::WithParamInterface<ProtocolReply> {};

TEST_P(DebugProtocolTest, RepliesAsRedisInBothProtocols) {
  EXPECT_EQ(Run({"DEBUG", "PROTOCOL", GetParam().type}), GetParam().resp2);
  Run({"HELLO", "3"});
  EXPECT_EQ(Run({"DEBUG", "PROTOCOL", GetParam().type}), GetParam().resp3);
}

constexpr std::string_view kWrongType =
    "-ERR Wrong protocol type name. Please use one of the following: "
    "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n";

INSTANTIATE_TEST_SUITE_P(
    Redis, DebugProtocolTest,
    ::testing::Values(ProtocolReply{"string", "$11\r\nHello World\r\n", "$11\r\nHello World\r\n"},
                      ProtocolReply{"STRING", "$11\r\nHello World\r\n", "$11\r\nHello World\r\n"},
                      ProtocolReply{"integer", ":12345\r\n", ":12345\r\n"},
                      ProtocolReply{"double", "$5\r\n3.141\r\n", ",3.141\r\n"},
                      ProtocolReply{"bignum", "$37\r\n1234567999999999999999999999999999999\r\n",
                                    "(1234567999999999999999999999999999999\r\n"},
                      ProtocolReply{"null", "$-1\r\n", "_\r\n"},
                      ProtocolReply{"array", "*3\r\n:0\r\n:1\r\n:2\r\n",
                                    "*3\r\n:0\r\n:1\r\n:2\r\n"},
                      ProtocolReply{"set", "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"},
                      ProtocolReply{"map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n",
                                    "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
                      ProtocolReply{"attrib", "$39\r\nSome real reply following the attribute\r\n",
                                    "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
                                    "$39\r\nSome real reply following the attribute\r\n"},
                      ProtocolReply{"push", "-ERR RESP2 is not supported by this command\r\n",
                                    ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
                                    "$40\r\nSome real reply following the push reply\r\n"},
                      ProtocolReply{"verbatim", "$25\r\nThis is a verbatim\nstring\r\n",
                                    "=29\r\ntxt:This is a verbatim\nstring\r\n"},
                      ProtocolReply{"true", ":1\r\n", "#t\r\n"},
                      ProtocolReply{"false", ":0\r\n", "#f\r\n"},
                      ProtocolReply{"nosuchtype", kWrongType, kWrongType}));

TEST_F(DebugCommandTest, ChangeReplIdGivesANewPrimaryIdOnly) {
  const std::string before = server_.replication().replid();
  EXPECT_EQ(Run({"DEBUG", "CHANGE-REPL-ID"}), "+OK\r\n");
  const std::string after = server_.replication().replid();
  EXPECT_NE(after, before);
  EXPECT_EQ(after.size(), 40u);
  EXPECT_EQ(after.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::string info(BulkPayload(Run({"INFO", "replication"})));
  EXPECT_THAT(info, HasSubstr("\r\nmaster_replid:" + after + "\r\n"));
  EXPECT_THAT(info, HasSubstr("\r\nmaster_replid2:" + std::string(40, '0') + "\r\n"));
}

TEST_F(DebugCommandTest, SetActiveExpireReadsItsArgumentAsAtoi) {
  EXPECT_TRUE(server_.active_expire());
  EXPECT_EQ(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK\r\n");
  EXPECT_FALSE(server_.active_expire());
  EXPECT_EQ(Run({"DEBUG", "set-active-expire", "2"}), "+OK\r\n");
  EXPECT_TRUE(server_.active_expire());
  EXPECT_EQ(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "abc"}), "+OK\r\n");
  EXPECT_FALSE(server_.active_expire());
  EXPECT_EQ(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "1x"}), "+OK\r\n");
  EXPECT_TRUE(server_.active_expire());
}

TEST_F(DebugCommandTest, SleepReadsItsArgumentAsStrtod) {
  EXPECT_EQ(Run({"DEBUG", "SLEEP", "0"}), "+OK\r\n");
  EXPECT_EQ(Run({"DEBUG", "SLEEP", "abc"}), "+OK\r\n");
  EXPECT_EQ(Run({"DEBUG", "SLEEP", "-5"}), "+OK\r\n");
  EXPECT_EQ(Run({"DEBUG", "SLEEP", "nan"}), "+OK\r\n");
  EXPECT_EQ(Run({"DEBUG", "SLEEP", "0.001s"}), "+OK\r\n");
}

}  // namespace
}  // namespace magnetar::server
