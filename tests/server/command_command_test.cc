// COMMAND through the dispatcher: the table printed as Redis 7.0.15 prints its own (expected bytes
// were taken from redis-server 7.0.15), key extraction, filters and errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::FakeConnection;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class CommandCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(connection_.Open(server_)); }

  std::string Run(std::initializer_list<std::string_view> args) { return connection_.Run(args); }
  void UseResp3() { ASSERT_THAT(Run({"HELLO", "3"}), StartsWith("%7\r\n")); }

  // The number of registered commands, subcommands included.
  size_t NameCount() {
    size_t count = 0;
    for (const commands::RegisteredCommand* command : server_.registry().commands()) {
      count += 1 + command->subcommands.size();
    }
    return count;
  }

  Server server_{Config{}};
  FakeConnection connection_;
};

constexpr std::string_view kGetInfoResp2 =
    "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n"
    "+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
    "+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
    "*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n"
    "spec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

TEST_F(CommandCommandTest, CountIsTheNumberOfRegisteredCommands) {
  const size_t count = server_.registry().commands().size();
  EXPECT_EQ(Run({"COMMAND", "COUNT"}), ":" + std::to_string(count) + "\r\n");
  EXPECT_THAT(Run({"COMMAND"}), StartsWith("*" + std::to_string(count) + "\r\n*10\r\n"));
  EXPECT_THAT(Run({"COMMAND", "INFO"}), StartsWith("*" + std::to_string(count) + "\r\n*10\r\n"));
  EXPECT_THAT(Run({"COMMAND", "LIST"}), StartsWith("*" + std::to_string(NameCount()) + "\r\n"));
}

TEST_F(CommandCommandTest, InfoOfGetAsRedis) {
  EXPECT_EQ(Run({"COMMAND", "INFO", "get"}), "*1\r\n" + std::string(kGetInfoResp2));
  EXPECT_EQ(Run({"COMMAND", "INFO", "GeT", "nosuch"}),
            "*2\r\n" + std::string(kGetInfoResp2) + "$-1\r\n");
  UseResp3();
  EXPECT_EQ(Run({"COMMAND", "INFO", "get", "nosuch"}),
            "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n"
            "+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n"
            "+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
            "%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
            "$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
            ":0\r\n~0\r\n_\r\n");
}

// Redis lists subcommands in the hash order of its table, which changes from run to run;
// Magnetar lists them in table order. Each entry is byte for byte Redis's.
TEST_F(CommandCommandTest, InfoOfConfigNestsItsSubcommands) {
  EXPECT_EQ(
      Run({"COMMAND", "INFO", "config"}),
      "*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n"
      "*0\r\n*5\r\n"
      "*10\r\n$14\r\nconfig|rewrite\r\n:2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
      "*10\r\n$16\r\nconfig|resetstat\r\n:2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
      "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
      "*10\r\n$11\r\nconfig|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n"
      "*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n"
      "*10\r\n$10\r\nconfig|set\r\n:-4\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\n"
      "request_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n");
}

TEST_F(CommandCommandTest, InfoOfASubcommandByItsFullName) {
  constexpr std::string_view kCountInfo =
      "*1\r\n*10\r\n$13\r\ncommand|count\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n"
      ":0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n";
  EXPECT_EQ(Run({"COMMAND", "INFO", "command|count"}), kCountInfo);
  EXPECT_EQ(Run({"COMMAND", "INFO", "COMMAND|COUNT"}), kCountInfo);
  EXPECT_EQ(Run({"COMMAND", "INFO", "command|nosuch", "get|x", "command|count|x"}),
            "*3\r\n$-1\r\n$-1\r\n$-1\r\n");
}

TEST_F(CommandCommandTest, InfoOfAContainerNestsItsSubcommands) {
  std::string reply = Run({"COMMAND", "INFO", "command"});
  EXPECT_THAT(reply, StartsWith("*1\r\n*10\r\n$7\r\ncommand\r\n:-1\r\n*2\r\n+loading\r\n+stale\r\n"
                                ":0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*1\r\n$29\r\n"
                                "nondeterministic_output_order\r\n*0\r\n*7\r\n*10\r\n"));
  EXPECT_THAT(reply, HasSubstr("$13\r\ncommand|count\r\n:2\r\n"));
  EXPECT_THAT(reply, HasSubstr("$15\r\ncommand|getkeys\r\n:-4\r\n"));
}

TEST_F(CommandCommandTest, DocsOfGetAsRedis) {
  EXPECT_EQ(Run({"COMMAND", "DOCS", "GET"}),
            "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\n"
            "since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n"
            "O(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n"
            "$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n");
}

// redis-cli builds its typing hints from this reply.
TEST_F(CommandCommandTest, DocsOfSetAsRedisInResp3) {
  UseResp3();
  EXPECT_EQ(
      Run({"COMMAND", "DOCS", "set"}),
      "%1\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\n"
      "since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n"
      "O(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\n"
      "Added the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\n"
      "Added the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\n"
      "Added the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\n"
      "Allowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n"
      "%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n"
      ":0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\n"
      "name\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n"
      "$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\n"
      "nx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n"
      "$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\n"
      "name\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n"
      "$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n"
      "$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n"
      "$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\n"
      "integer\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\n"
      "name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n"
      "PX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n"
      "$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n"
      "6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\n"
      "unix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\n"
      "name\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n"
      "KEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n");
}

TEST_F(CommandCommandTest, DocsLeaveOutUnknownNamesAndRepeatAskedOnes) {
  EXPECT_EQ(Run({"COMMAND", "DOCS", "nosuch"}), "*0\r\n");
  std::string once = Run({"COMMAND", "DOCS", "dbsize"});
  ASSERT_THAT(once, StartsWith("*2\r\n$6\r\ndbsize\r\n"));
  std::string body = once.substr(4);
  EXPECT_EQ(Run({"COMMAND", "DOCS", "dbsize", "nosuch", "DBSIZE"}), "*4\r\n" + body + body);
  UseResp3();
  EXPECT_EQ(Run({"COMMAND", "DOCS", "nosuch"}), "%0\r\n");
}

TEST_F(CommandCommandTest, DocsOfAContainerMapSubcommandsByFullName) {
  std::string reply = Run({"COMMAND", "DOCS", "command"});
  EXPECT_THAT(reply, HasSubstr("$11\r\nsubcommands\r\n*14\r\n"));
  EXPECT_THAT(reply, HasSubstr("$12\r\ncommand|list\r\n*10\r\n$7\r\nsummary\r\n$35\r\n"
                               "Get an array of Redis command names\r\n"));
}

TEST_F(CommandCommandTest, GetKeysUsesKeySpecs) {
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "get", "k"}), "*1\r\n$1\r\nk\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "DEL", "a", "b", "c"}),
            "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "set", "k", "v", "EX", "10"}), "*1\r\n$1\r\nk\r\n");
}

TEST_F(CommandCommandTest, GetKeysAndFlagsFollowTheArguments) {
  EXPECT_EQ(Run({"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "px", "10", "gEt"}),
            "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYSANDFLAGS", "del", "a", "b"}),
            "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RM\r\n"
            "+delete\r\n");
  UseResp3();
  EXPECT_EQ(Run({"COMMAND", "GETKEYSANDFLAGS", "get", "k"}),
            "*1\r\n*2\r\n$1\r\nk\r\n~2\r\n+RO\r\n+access\r\n");
}

TEST_F(CommandCommandTest, GetKeysErrorsAsRedis) {
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "nosuch", "k"}), "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "config", "nosuch", "k"}),
            "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "command", "nosuch", "k"}),
            "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "command|info", "k"}), "-ERR Invalid command specified\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "ping", "x"}), "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "config", "get", "maxmemory"}),
            "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "command", "getkeys", "get", "k"}),
            "-ERR The command has no key arguments\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "get", "a", "b"}),
            "-ERR Invalid number of arguments specified for command\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "set", "k"}),
            "-ERR Invalid number of arguments specified for command\r\n");
  EXPECT_EQ(Run({"COMMAND", "GETKEYS", "get"}),
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
}

TEST_F(CommandCommandTest, ListFilters) {
  EXPECT_EQ(Run({"COMMAND", "LIST", "FILTERBY", "pattern", "FLUSH*"}),
            "*2\r\n$7\r\nflushdb\r\n$8\r\nflushall\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "filterby", "PATTERN", "command|c*"}),
            "*1\r\n$13\r\ncommand|count\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "FILTERBY", "aclcat", "STRING"}),
            "*22\r\n$3\r\nget\r\n$3\r\nset\r\n$5\r\nsetnx\r\n$5\r\nsetex\r\n$6\r\npsetex\r\n"
            "$6\r\ngetset\r\n$6\r\ngetdel\r\n$5\r\ngetex\r\n$4\r\nmget\r\n$4\r\nmset\r\n"
            "$6\r\nmsetnx\r\n$6\r\nappend\r\n$6\r\nstrlen\r\n$4\r\nincr\r\n$4\r\ndecr\r\n"
            "$6\r\nincrby\r\n$6\r\ndecrby\r\n$11\r\nincrbyfloat\r\n$8\r\ngetrange\r\n"
            "$6\r\nsubstr\r\n$8\r\nsetrange\r\n$3\r\nlcs\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"}), "*0\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "FILTERBY", "module", "any"}), "*0\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "FILTERBY", "pattern"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "FILTERBY", "name", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"COMMAND", "LIST", "x"}), "-ERR syntax error\r\n");
}

TEST_F(CommandCommandTest, HelpAndUnknownSubcommand) {
  std::string help = Run({"COMMAND", "HELP"});
  EXPECT_THAT(help, StartsWith("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. "
                               "Subcommands are:\r\n+(no subcommand)\r\n"));
  EXPECT_THAT(help, HasSubstr("+GETKEYSANDFLAGS <full-command>\r\n"));
  EXPECT_EQ(Run({"COMMAND", "FOO"}), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
  EXPECT_EQ(Run({"COMMAND", "COUNT", "x"}),
            "-ERR wrong number of arguments for 'command|count' command\r\n");
}

// The table itself: what COMMAND DOCS promises must be consistent with the rest of each row.
void ExpectArgumentsConsistent(const commands::CommandSpec& spec,
                               std::span<const commands::ArgDoc> arguments) {
  for (const commands::ArgDoc& arg : arguments) {
    if (arg.type == commands::ArgType::kKey) {
      EXPECT_GE(arg.key_spec_index, 0) << spec.name << " " << arg.name;
      EXPECT_LT(arg.key_spec_index, static_cast<int>(spec.key_specs.size())) << spec.name;
    }
    bool nests = arg.type == commands::ArgType::kOneOf || arg.type == commands::ArgType::kBlock;
    EXPECT_EQ(nests, !arg.arguments.empty()) << spec.name << " " << arg.name;
    ExpectArgumentsConsistent(spec, arg.arguments);
  }
}

void ExpectRowConsistent(const commands::CommandSpec& spec) {
  EXPECT_FALSE(spec.doc.summary.empty()) << spec.name;
  EXPECT_FALSE(spec.doc.since.empty()) << spec.name;
  EXPECT_FALSE(spec.doc.group.empty()) << spec.name;
  if (spec.handler == nullptr) {
    // A container without a handler of its own is never run bare: arity makes the dispatcher
    // refuse it before looking for a handler.
    EXPECT_FALSE(spec.subcommands.empty()) << spec.name;
    EXPECT_LE(spec.arity, -2) << spec.name;
  }
  ExpectArgumentsConsistent(spec, spec.doc.arguments);
  for (const commands::CommandSpec& sub : spec.subcommands) {
    EXPECT_THAT(std::string(sub.name), StartsWith(std::string(spec.name) + "|"));
    ExpectRowConsistent(sub);
  }
}

TEST_F(CommandCommandTest, EveryRowIsDocumentedConsistently) {
  for (const commands::RegisteredCommand* command : server_.registry().commands()) {
    ExpectRowConsistent(*command->spec);
  }
}

}  // namespace
}  // namespace magnetar::server
