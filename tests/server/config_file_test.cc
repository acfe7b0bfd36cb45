// redis.conf syntax: words and quoting, units, include, the implemented directives and every way
// a line is refused, with Redis 7.0.15's exact reasons.
#include "server/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "config_test_util.h"
#include "magnetar/engine/keyspace_observer.h"
#include "server/config_values.h"

namespace magnetar::server {
namespace {

using test::ScratchDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Loads `text` into `config` as the content of "test.conf".
std::optional<ConfigLoadError> Load(Config& config, const std::string& text) {
  ConfigLoader loader(config);
  return loader.Load(text, "test.conf");
}

Config Loaded(const std::string& text) {
  Config config;
  auto error = Load(config, text);
  EXPECT_FALSE(error) << error->Message();
  return config;
}

TEST(ConfigSyntaxTest, DoubleQuotesTakeRedisEscapes) {
  Config config = Loaded(R"(requirepass "a b\n\r\t\b\a\\\"\x41\x7a")");
  EXPECT_EQ(config.requirepass, "a b\n\r\t\b\a\\\"Az");
}

TEST(ConfigSyntaxTest, SingleQuotesKeepBackslashesButEscapeQuote) {
  Config config = Loaded(R"(requirepass 'it\'s \n')");
  EXPECT_EQ(config.requirepass, "it's \\n");
}

TEST(ConfigSyntaxTest, EmptyQuotedArgumentIsAValue) {
  Config config = Loaded("pidfile \"\"\nlogfile ''\n");
  EXPECT_EQ(config.pidfile, "");
  EXPECT_EQ(config.logfile, "");
}

TEST(ConfigSyntaxTest, CommentsBlanksCaseAndLineEndings) {
  Config config = Loaded(
      "# a comment\n"
      "\n"
      "   \t  \n"
      "  # an indented comment: port 1\n"
      "PORT 7000\r\n"
      "\tTimeout   30  \n"
      "LogLevel WARNING");  // no final newline
  EXPECT_EQ(config.port, 7000);
  EXPECT_EQ(config.timeout, 30);
  EXPECT_EQ(config.loglevel, LogLevel::kWarning);
}

TEST(ConfigSyntaxTest, LaterLinesOverrideEarlierOnes) {
  Config config = Loaded("port 7000\nport 7001\n");
  EXPECT_EQ(config.port, 7001);
}

TEST(ConfigUnitsTest, MemoryUnitsAsRedis) {
  EXPECT_EQ(ParseMemory("100"), 100);
  EXPECT_EQ(ParseMemory("100b"), 100);
  EXPECT_EQ(ParseMemory("1k"), 1000);
  EXPECT_EQ(ParseMemory("1kb"), 1024);
  EXPECT_EQ(ParseMemory("2m"), 2'000'000);
  EXPECT_EQ(ParseMemory("2mb"), 2 * 1024 * 1024);
  EXPECT_EQ(ParseMemory("1g"), 1'000'000'000);
  EXPECT_EQ(ParseMemory("1gb"), 1024ll * 1024 * 1024);
  EXPECT_EQ(ParseMemory("1GB"), 1024ll * 1024 * 1024);
  EXPECT_EQ(ParseMemory("3Kb"), 3072);
  EXPECT_EQ(ParseMemory("02000"), 2000);  // leading zeros are fine
  EXPECT_EQ(ParseMemory(""), 0);          // so are no digits: 0, refused by the range check
  EXPECT_EQ(ParseMemory("kb"), 0);
  // Past 64 bits the value wraps negative, for the range check to refuse.
  EXPECT_EQ(ParseMemory("18446744073709551615"), -1);
  EXPECT_EQ(ParseMemory("1.5gb"), std::nullopt);
  EXPECT_EQ(ParseMemory("-1"), std::nullopt);
  EXPECT_EQ(ParseMemory("+1"), std::nullopt);
  EXPECT_EQ(ParseMemory(" 1"), std::nullopt);
  EXPECT_EQ(ParseMemory("1kbb"), std::nullopt);
  EXPECT_EQ(ParseMemory("1t"), std::nullopt);
}

TEST(ConfigUnitsTest, RewriteFormatsWholeUnits) {
  EXPECT_EQ(FormatMemory(0), "0");
  EXPECT_EQ(FormatMemory(1000), "1000");
  EXPECT_EQ(FormatMemory(1024), "1kb");
  EXPECT_EQ(FormatMemory(1025), "1025");
  EXPECT_EQ(FormatMemory(2 * 1024 * 1024), "2mb");
  EXPECT_EQ(FormatMemory(1024ll * 1024 * 1024), "1gb");
  EXPECT_EQ(FormatMemory(1536ll * 1024 * 1024), "1536mb");
}

TEST(ConfigUnitsTest, QuotingEscapesLikeRedis) {
  EXPECT_EQ(QuoteArg("plain"), "\"plain\"");
  EXPECT_EQ(QuoteArg("a\"b\\c\n\r\t\a\b"), R"("a\"b\\c\n\r\t\a\b")");
  EXPECT_EQ(QuoteArg(std::string("\x01\xff", 2)), R"("\x01\xff")");
}

TEST(ConfigDirectivesTest, EveryImplementedDirective) {
  Config config = Loaded(
      "daemonize yes\n"
      "pidfile /run/m.pid\n"
      "logfile /var/log/m.log\n"
      "loglevel verbose\n"
      "bind 127.0.0.1 -::1\n"
      "port 0\n"
      "unixsocket /run/m.sock\n"
      "unixsocketperm 0770\n"
      "tcp-backlog 128\n"
      "tcp-keepalive 60\n"
      "timeout 300\n"
      "maxclients 50\n"
      "databases 4\n"
      "requirepass secret\n"
      "protected-mode no\n"
      "enable-debug-command local\n"
      "hz 100\n"
      "proto-max-bulk-len 64mb\n"
      "client-query-buffer-limit 2gb\n"
      "client-output-buffer-limit normal 1mb 512kb 10 slave 2mb 1mb 20 pubsub 3mb 2mb 30\n");
  EXPECT_TRUE(config.daemonize);
  EXPECT_EQ(config.pidfile, "/run/m.pid");
  EXPECT_EQ(config.logfile, "/var/log/m.log");
  EXPECT_EQ(config.loglevel, LogLevel::kVerbose);
  EXPECT_THAT(config.bind, ElementsAre("127.0.0.1", "-::1"));
  EXPECT_EQ(config.port, 0);
  EXPECT_EQ(config.unixsocket, "/run/m.sock");
  EXPECT_EQ(config.unixsocketperm, 0770u);
  EXPECT_EQ(config.tcp_backlog, 128);
  EXPECT_EQ(config.tcp_keepalive, 60);
  EXPECT_EQ(config.timeout, 300);
  EXPECT_EQ(config.maxclients, 50);
  EXPECT_EQ(config.databases, 4);
  EXPECT_EQ(config.requirepass, "secret");
  EXPECT_FALSE(config.protected_mode);
  EXPECT_EQ(config.enable_debug_command, ProtectedAccess::kLocal);
  EXPECT_EQ(config.hz, 100);
  EXPECT_EQ(config.proto_max_bulk_len, 64 << 20);
  EXPECT_EQ(config.client_query_buffer_limit, 2ll << 30);
  EXPECT_EQ(config.client_output_buffer_limit_normal.hard_bytes, 1u << 20);
  EXPECT_EQ(config.client_output_buffer_limit_normal.soft_bytes, 512u << 10);
  EXPECT_EQ(config.client_output_buffer_limit_normal.soft_seconds, 10);
  EXPECT_EQ(config.client_output_buffer_limit_replica.hard_bytes, 2u << 20);
  EXPECT_EQ(config.client_output_buffer_limit_replica.soft_seconds, 20);
  EXPECT_EQ(config.client_output_buffer_limit_pubsub.hard_bytes, 3u << 20);
  EXPECT_EQ(config.client_output_buffer_limit_pubsub.soft_seconds, 30);
}

TEST(ConfigDirectivesTest, OutputLimitClassesOnSeparateLines) {
  Config config = Loaded(
      "client-output-buffer-limit replica 1 2 3\n"
      "client-output-buffer-limit PUBSUB 4 5 6\n");
  EXPECT_EQ(config.client_output_buffer_limit_replica.hard_bytes, 1u);
  EXPECT_EQ(config.client_output_buffer_limit_pubsub.soft_bytes, 5u);
  // The class left alone keeps its default.
  EXPECT_EQ(config.client_output_buffer_limit_normal.hard_bytes, 0u);
}

TEST(ConfigDirectivesTest, BindWithoutAddressesListensNowhere) {
  EXPECT_THAT(Loaded("bind\n").bind, IsEmpty());
}

TEST(ConfigDirectivesTest, HzIsClampedNotRefused) {
  EXPECT_EQ(Loaded("hz 1000").hz, 500);
  EXPECT_EQ(Loaded("hz 0").hz, 1);
}

TEST(ConfigDirectivesTest, BooleansAndChoicesIgnoreCase) {
  Config config = Loaded("protected-mode NO\ndaemonize Yes\nenable-debug-command YES\n");
  EXPECT_FALSE(config.protected_mode);
  EXPECT_TRUE(config.daemonize);
  EXPECT_EQ(config.enable_debug_command, ProtectedAccess::kYes);
}

TEST(ConfigDirectivesTest, RelativeDirIsRelativeToThePreviousDir) {
  ScratchDir scratch;
  std::filesystem::create_directories(scratch.path() + "/a/b");
  Config config = Loaded("dir " + scratch.path() + "/a\ndir b\n");
  EXPECT_EQ(config.dir, scratch.path() + "/a/b");
}

TEST(ConfigDirectivesTest, UnimplementedRedisDirectivesWarnOncePerName) {
  Config config;
  ConfigLoader loader(config);
  auto error = loader.Load(
      "save 900 1\n"
      "SAVE 300 10\n"
      "appendonly yes\n"
      "appendonly no\n"
      "save \"\"\n"
      "activedefrag yes\n"
      "rename-command FLUSHALL \"\"\n"
      "port 7000\n",
      "test.conf");
  ASSERT_FALSE(error) << error->Message();
  EXPECT_EQ(config.port, 7000);
  EXPECT_THAT(loader.warnings(),
              ElementsAre(HasSubstr("'activedefrag'"), HasSubstr("'rename-command'")));
  EXPECT_THAT(loader.warnings()[0], HasSubstr("not implemented by Magnetar"));
  // The last `save ""` clears the points the first two lines added up.
  EXPECT_TRUE(config.save.empty());
}

TEST(ConfigDirectivesTest, NotifyKeyspaceEventsAndLazyfree) {
  Config config = Loaded(
      "notify-keyspace-events KEA\n"
      "lazyfree-lazy-expire yes\n"
      "lazyfree-lazy-user-del YES\n");
  EXPECT_EQ(config.notify_keyspace_events,
            engine::kNotifyKeyspace | engine::kNotifyKeyevent | engine::kNotifyGeneric |
                engine::kNotifyString | engine::kNotifyList | engine::kNotifySet |
                engine::kNotifyHash | engine::kNotifyZset | engine::kNotifyExpired |
                engine::kNotifyEvicted | engine::kNotifyStream | engine::kNotifyModule);
  EXPECT_TRUE(config.lazyfree_lazy_expire);
  EXPECT_TRUE(config.lazyfree_lazy_user_del);
  EXPECT_EQ(
      Loaded("notify-keyspace-events KEA\nnotify-keyspace-events \"\"\n").notify_keyspace_events,
      0u);
  EXPECT_EQ(Loaded("notify-keyspace-events nm").notify_keyspace_events,
            engine::kNotifyNew | engine::kNotifyKeyMiss);
}

// A multi-argument directive given as one quoted argument is split as Redis splits a line: runs
// of blanks separate arguments and quotes group them (CONFIG SET splits on every space instead).
TEST(ConfigDirectivesTest, OneQuotedArgumentIsSplitLikeALine) {
  Config config = Loaded(
      "bind \"127.0.0.1   ::1\"\n"
      "client-output-buffer-limit \"normal  1mb 0 0\"\n");
  EXPECT_THAT(config.bind, ElementsAre("127.0.0.1", "::1"));
  EXPECT_EQ(config.client_output_buffer_limit_normal.hard_bytes, 1u << 20);
  ConfigLoader loader(config);
  EXPECT_FALSE(loader.Load("save \" 5  1 \\\"3\\\" 4\"\n", "test.conf"));
  ASSERT_EQ(config.save.size(), 2u);
  EXPECT_EQ(config.save[1].seconds, 3);
  EXPECT_EQ(config.save[1].changes, 4);
}

struct RefusedLine {
  std::string line;
  std::string reason;
};

class ConfigRefusedLineTest : public ::testing::TestWithParam<RefusedLine> {};

// Each refused line, after two lines that load, is reported at line 3 with Redis's reason.
TEST_P(ConfigRefusedLineTest, ReportsFileLineTextAndReason) {
  const RefusedLine& refused = GetParam();
  Config config;
  auto error = Load(config, "# first\nport 7000\n" + refused.line + "\nport 7001\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ConfigLoadError::Kind::kLine);
  EXPECT_EQ(error->file, "test.conf");
  EXPECT_EQ(error->line, 3);
  EXPECT_EQ(error->text, refused.line);
  EXPECT_EQ(error->reason, refused.reason);
  EXPECT_EQ(config.port, 7000) << "loading stops at the refused line";
}

const std::string kBadDirective = "Bad directive or wrong number of arguments";
const std::string kNotInteger = "argument couldn't be parsed into an integer";
const std::string kIntRange = "argument must be between 0 and 2147483647 inclusive";
const std::string kMemoryRange =
    "argument must be between 1048576 and 9223372036854775807 inclusive";
const std::string kBadEventClass = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
const std::string kBadSave = "Invalid save parameters";
const std::string kBadLimits =
    "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

INSTANTIATE_TEST_SUITE_P(
    Redis, ConfigRefusedLineTest,
    ::testing::Values(
        RefusedLine{"foo bar", kBadDirective}, RefusedLine{"\"\"", kBadDirective},
        RefusedLine{"include", kBadDirective}, RefusedLine{"include a b", kBadDirective},
        RefusedLine{"port abc", kNotInteger}, RefusedLine{"port 1k", kNotInteger},
        RefusedLine{"port 070", kNotInteger},
        RefusedLine{"port 70000", "argument must be between 0 and 65535 inclusive"},
        RefusedLine{"port -1", "argument must be between 0 and 65535 inclusive"},
        RefusedLine{"port", "wrong number of arguments"},
        RefusedLine{"port 1 2", "wrong number of arguments"},
        RefusedLine{"daemonize", "wrong number of arguments"},
        RefusedLine{"daemonize maybe", "argument must be 'yes' or 'no'"},
        RefusedLine{"protected-mode 1", "argument must be 'yes' or 'no'"},
        RefusedLine{"databases 0", "argument must be between 1 and 2147483647 inclusive"},
        RefusedLine{"maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
        RefusedLine{"maxclients 4294967296", "argument must be between 1 and 4294967295 inclusive"},
        RefusedLine{"timeout -1", kIntRange}, RefusedLine{"tcp-backlog -1", kIntRange},
        RefusedLine{"tcp-keepalive -1", kIntRange}, RefusedLine{"hz -1", kIntRange},
        RefusedLine{"hz abc", kNotInteger},
        // Redis 7.0 has no "nothing" level; 7.2 added it.
        RefusedLine{"loglevel nothing",
                    "argument(s) must be one of the following: debug, verbose, notice, warning"},
        RefusedLine{"enable-debug-command maybe",
                    "argument(s) must be one of the following: no, yes, local"},
        RefusedLine{"unixsocketperm 999", "argument couldn't be parsed as an octal number"},
        RefusedLine{"unixsocketperm 0x1", "argument couldn't be parsed as an octal number"},
        RefusedLine{"unixsocketperm 1000", "argument must be between 0 and 777 inclusive"},
        RefusedLine{"proto-max-bulk-len abc", "argument must be a memory value"},
        RefusedLine{"proto-max-bulk-len 1.5mb", "argument must be a memory value"},
        RefusedLine{"proto-max-bulk-len 1k", kMemoryRange},
        RefusedLine{"client-query-buffer-limit -1", "argument must be a memory value"},
        RefusedLine{"client-query-buffer-limit 9223372036854775808", kMemoryRange},
        RefusedLine{"client-output-buffer-limit normal 1 2",
                    "Wrong number of arguments in buffer limit configuration."},
        RefusedLine{"client-output-buffer-limit master 1 2 3",
                    "Invalid client class specified in buffer limit configuration."},
        RefusedLine{"client-output-buffer-limit normal a 2 3", kBadLimits},
        RefusedLine{"client-output-buffer-limit normal 1 2 -3", kBadLimits},
        RefusedLine{"client-output-buffer-limit normal 1 2 x", kBadLimits},
        RefusedLine{"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
                    "Too many bind addresses specified."},
        RefusedLine{"dir /nonexistent/magnetar", "No such file or directory"},
        RefusedLine{"dir /etc/hostname", "Not a directory"},
        RefusedLine{"dir \"\"", "No such file or directory"},
        RefusedLine{"port \"7000", "Unbalanced quotes in configuration line"},
        RefusedLine{"hz \"5\"x", "Unbalanced quotes in configuration line"},
        RefusedLine{"requirepass 'a", "Unbalanced quotes in configuration line"},
        RefusedLine{"notify-keyspace-events", "wrong number of arguments"},
        RefusedLine{"notify-keyspace-events A B", "wrong number of arguments"},
        RefusedLine{"notify-keyspace-events KEa", kBadEventClass},
        RefusedLine{"notify-keyspace-events \"KE \"", kBadEventClass},
        RefusedLine{"lazyfree-lazy-expire 1", "argument must be 'yes' or 'no'"},
        RefusedLine{"lazyfree-lazy-user-del", "wrong number of arguments"},
        RefusedLine{"appendonly maybe", "argument must be 'yes' or 'no'"},
        RefusedLine{"save 900", kBadSave}, RefusedLine{"save 0 1", kBadSave},
        RefusedLine{"save 1 -1", kBadSave}, RefusedLine{"save abc 1", kBadSave},
        RefusedLine{"save \"\" 1", kBadSave}, RefusedLine{"save 1 1 2", kBadSave}));

TEST(ConfigErrorTest, MessageIsRedisFatalBlock) {
  Config config;
  auto error = Load(config, "\n\nport abc\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->Message(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 3\n"
            ">>> 'port abc'\n"
            "argument couldn't be parsed into an integer");
}

TEST(ConfigIncludeTest, IncludedFileIsAppliedInPlace) {
  ScratchDir scratch;
  std::string included = scratch.Write("inc.conf", "port 7001\ntimeout 9\n");
  Config config = Loaded("port 7000\ninclude " + included + "\nport 7002\n");
  EXPECT_EQ(config.port, 7002);
  EXPECT_EQ(config.timeout, 9);
}

TEST(ConfigIncludeTest, RelativePathIsRelativeToDir) {
  ScratchDir scratch;
  scratch.Write("inc.conf", "timeout 9\n");
  Config config = Loaded("dir " + scratch.path() + "\ninclude inc.conf\n");
  EXPECT_EQ(config.timeout, 9);
}

TEST(ConfigIncludeTest, ErrorNamesTheIncludedFileAndItsLine) {
  ScratchDir scratch;
  std::string included = scratch.Write("inc.conf", "# x\n\nhz abc\n");
  Config config;
  auto error = Load(config, "port 0\ninclude " + included + "\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->file, included);
  EXPECT_EQ(error->line, 3);
  EXPECT_EQ(error->text, "hz abc");
}

TEST(ConfigIncludeTest, GlobConcatenatesMatchesInOrder) {
  ScratchDir scratch;
  scratch.Write("a.conf", "timeout 1\n");
  scratch.Write("b.conf", "timeout 2\nhz abc\n");
  Config config;
  auto error = Load(config, "include " + scratch.path() + "/*.conf\n");
  ASSERT_TRUE(error);
  // As in Redis, the matches are read as one text: b.conf's second line is line 3.
  EXPECT_EQ(error->line, 3);
  EXPECT_EQ(config.timeout, 2);
}

TEST(ConfigIncludeTest, GlobWithoutMatchesIsFine) {
  ScratchDir scratch;
  Config config = Loaded("include " + scratch.path() + "/none*.conf\nport 7000\n");
  EXPECT_EQ(config.port, 7000);
}

TEST(ConfigIncludeTest, MissingFileIsFatalWithItsName) {
  Config config;
  auto error = Load(config, "include /nonexistent/magnetar.conf\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ConfigLoadError::Kind::kOpenFile);
  EXPECT_EQ(error->file, "/nonexistent/magnetar.conf");
  EXPECT_THAT(error->Message(),
              ::testing::MatchesRegex("[0-9]+:C [0-9]+ [A-Z][a-z]+ [0-9]+ [0-9:.]+ # Fatal error, "
                                      "can't open config file '/nonexistent/magnetar.conf': No "
                                      "such file or directory"));
}

TEST(ConfigIncludeTest, SelfIncludeIsRefused) {
  ScratchDir scratch;
  std::string self = scratch.path() + "/self.conf";
  scratch.Write("self.conf", "include " + self + "\n");
  Config config;
  auto error = Load(config, "include " + self + "\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->reason, "Too many nested include directives");
}

}  // namespace
}  // namespace magnetar::server
