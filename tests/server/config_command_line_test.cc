// redis-server's command line: a configuration file, then --directive arguments appended after
// it as redis.conf lines, --help and --version; and Debian's stock redis.conf.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config_test_util.h"
#include "magnetar/engine/keyspace_observer.h"

namespace magnetar::server {
namespace {

using test::Parse;
using test::ParseError;
using test::ScratchDir;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(CommandLineTest, DirectivesWithoutFile) {
  CommandLine line = Parse({"--port", "7000", "--bind", "127.0.0.1", "::1", "--timeout", "5"});
  EXPECT_TRUE(line.run);
  EXPECT_EQ(line.config.port, 7000);
  EXPECT_THAT(line.config.bind, ElementsAre("127.0.0.1", "::1"));
  EXPECT_EQ(line.config.timeout, 5);
  EXPECT_EQ(line.config.config_file, "");
  EXPECT_THAT(line.warnings, Contains(HasSubstr("no config file specified")));
}

TEST(CommandLineTest, DirectivesOverrideTheFile) {
  ScratchDir scratch;
  std::string file = scratch.Write("m.conf", "port 7000\ntimeout 5\n");
  CommandLine line = Parse({file, "--port", "7001"});
  EXPECT_EQ(line.config.port, 7001);
  EXPECT_EQ(line.config.timeout, 5);
  EXPECT_EQ(line.config.config_file, file);
}

TEST(CommandLineTest, ValuesAreQuotedSoAnyTextSurvives) {
  CommandLine line = Parse({"--requirepass", "a b\"c\\d'e", "--port", "7000"});
  EXPECT_EQ(line.config.requirepass, "a b\"c\\d'e");
}

TEST(CommandLineTest, DirectiveAndValueInOneArgument) {
  EXPECT_EQ(Parse({"--port 7002"}).config.port, 7002);
}

TEST(CommandLineTest, ValueStartingWithDashesAfterABareName) {
  // "--port" has no value yet, so "--5" is its value, not a directive.
  EXPECT_EQ(ParseError({"--port", "--5"}),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 2\n"
            ">>> 'port \"--5\"'\n"
            "argument couldn't be parsed into an integer");
}

TEST(CommandLineTest, BareSaveBeforeAnotherDirectiveMeansEmpty) {
  CommandLine line = Parse({"--save", "--port", "7003"});
  EXPECT_EQ(line.config.port, 7003);
  EXPECT_TRUE(line.config.save.empty());
  EXPECT_THAT(line.warnings, Not(Contains(HasSubstr("'save'"))));
  EXPECT_THAT(Parse({"--port", "7003", "--save"}).warnings, Not(Contains(HasSubstr("'save'"))));
}

TEST(CommandLineTest, SavePointsAddUpAndAppendOnlyIsHonoured) {
  CommandLine line = Parse({"--save", "900 1", "--save", "60 5", "--appendonly", "yes"});
  ASSERT_EQ(line.config.save.size(), 2u);
  EXPECT_EQ(line.config.save[0].seconds, 900);
  EXPECT_EQ(line.config.save[1].changes, 5);
  EXPECT_THAT(line.warnings, Not(Contains(HasSubstr("'save'"))));
  EXPECT_TRUE(line.config.appendonly);
  EXPECT_THAT(line.warnings, Not(Contains(HasSubstr("'appendonly'"))));
  EXPECT_THAT(Parse({"--appendonly", "no", "--save", ""}).warnings,
              Not(Contains(HasSubstr("not implemented"))));
}

TEST(CommandLineTest, PersistenceValuesAreCheckedAsRedisChecksThem) {
  EXPECT_EQ(ParseError({"--save", "900"}),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 2\n"
            ">>> 'save \"900\"'\n"
            "Invalid save parameters");
  EXPECT_THAT(ParseError({"--appendonly", "maybe"}), HasSubstr("argument must be 'yes' or 'no'"));
}

TEST(CommandLineTest, NotifyKeyspaceEvents) {
  EXPECT_EQ(Parse({"--notify-keyspace-events", "Ex"}).config.notify_keyspace_events,
            engine::kNotifyKeyevent | engine::kNotifyExpired);
  EXPECT_EQ(ParseError({"--notify-keyspace-events", "Q"}),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 2\n"
            ">>> 'notify-keyspace-events \"Q\"'\n"
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
}

TEST(CommandLineTest, ErrorLineCountsTheFileFirst) {
  ScratchDir scratch;
  std::string file = scratch.Write("m.conf", "port 7000\ntimeout 5\n");
  // The file's two lines, the line break Redis puts before the directives, then two directives.
  EXPECT_EQ(ParseError({file, "--port", "7001", "--hz", "x"}),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 5\n"
            ">>> 'hz \"x\"'\n"
            "argument couldn't be parsed into an integer");
}

TEST(CommandLineTest, UnknownDirective) {
  EXPECT_EQ(ParseError({"--foo", "a b", "x\"y"}),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 2\n"
            ">>> 'foo \"a b\" \"x\\\"y\"'\n"
            "Bad directive or wrong number of arguments");
}

TEST(CommandLineTest, MissingConfigFile) {
  EXPECT_THAT(ParseError({"/nonexistent/magnetar.conf"}),
              HasSubstr(" # Fatal error, can't open config file '/nonexistent/magnetar.conf': No "
                        "such file or directory"));
}

TEST(CommandLineTest, LogFileThatCannotBeOpened) {
  EXPECT_EQ(ParseError({"--logfile", "/nonexistent/magnetar.log"}),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Can't open the log file: No such file or directory");
}

TEST(CommandLineTest, LineErrorsWinOverTheLogFileCheck) {
  EXPECT_THAT(ParseError({"--logfile", "/nonexistent/magnetar.log", "--port", "x"}),
              HasSubstr(">>> 'port \"x\"'"));
}

TEST(CommandLineTest, DirBecomesAbsoluteAndAnchorsTheLogFile) {
  ScratchDir scratch;
  CommandLine line = Parse({"--dir", scratch.path(), "--logfile", "server.log"});
  EXPECT_EQ(line.config.dir, scratch.path());
  EXPECT_TRUE(std::filesystem::exists(scratch.path() + "/server.log"));
}

TEST(CommandLineTest, Help) {
  CommandLine line = Parse({"--help"});
  EXPECT_FALSE(line.run);
  EXPECT_EQ(line.exit_code, 0);
  EXPECT_THAT(line.output, HasSubstr("Usage: magnetar-server"));
  EXPECT_THAT(line.output, HasSubstr("--<directive> <value>"));
  EXPECT_EQ(Parse({"-h"}).output, line.output);
}

TEST(CommandLineTest, Version) {
  for (const char* flag : {"-v", "--version"}) {
    CommandLine line = Parse({flag});
    EXPECT_FALSE(line.run);
    EXPECT_EQ(line.exit_code, 0);
    EXPECT_THAT(line.output, StartsWith("Magnetar server v=7.0.15 magnetar=0.1.0 "));
  }
}

TEST(CommandLineTest, HelpIsOnlyAFirstArgument) {
  // Later, "--version" is a directive name, as for redis-server.
  EXPECT_THAT(ParseError({"--port", "7000", "--version"}),
              HasSubstr("Bad directive or wrong number of arguments"));
}

// Debian's /etc/redis/redis.conf loads unchanged: what Magnetar implements is applied, the rest
// is accepted with a warning per directive.
TEST(CommandLineTest, DebianStockRedisConf) {
  const std::string stock = "/etc/redis/redis.conf";
  if (!std::filesystem::exists(stock)) GTEST_SKIP() << stock << " is not installed";
  ScratchDir scratch;
  CommandLine line = Parse({stock, "--port", "23456", "--dir", scratch.path(), "--logfile",
                            scratch.path() + "/log", "--daemonize", "no"});
  const Config& config = line.config;
  EXPECT_TRUE(line.run);
  EXPECT_EQ(config.config_file, stock);
  EXPECT_EQ(config.port, 23456);
  EXPECT_THAT(config.bind, ElementsAre("127.0.0.1", "-::1"));
  EXPECT_FALSE(config.daemonize);
  EXPECT_EQ(config.pidfile, "/run/redis/redis-server.pid");
  EXPECT_EQ(config.logfile, scratch.path() + "/log");
  EXPECT_EQ(config.dir, scratch.path());
  EXPECT_TRUE(config.protected_mode);
  EXPECT_EQ(config.databases, 16);
  EXPECT_EQ(config.client_output_buffer_limit_replica.hard_bytes, 256u << 20);
  for (const char* ignored : {"'lazyfree-lazy-server-del'", "'jemalloc-bg-thread'"}) {
    EXPECT_THAT(line.warnings, Contains(HasSubstr(ignored)));
  }
  // Its `appendonly no`, `notify-keyspace-events ""` and lazyfree-lazy-expire/user-del lines are
  // honoured.
  for (const char* honoured : {"'appendonly'", "'notify-keyspace-events'", "'lazyfree-lazy-expire'",
                               "'lazyfree-lazy-user-del'", "'rdbcompression'", "'dbfilename'",
                               "'save'", "'appendfsync'"}) {
    EXPECT_THAT(line.warnings, Not(Contains(HasSubstr(honoured))));
  }
}

}  // namespace
}  // namespace magnetar::server
