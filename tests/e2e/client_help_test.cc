// CLIENT HELP beside Redis 7.0.15's: for every subcommand Magnetar implements it gives Redis's
// lines byte for byte and in Redis's order, and it lists no subcommand that answers "unknown
// subcommand". The one addition is SETINFO, from Redis 7.2 (docs/compatibility.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::e2e {
namespace {

using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

// CLIENT HELP's entries: the header line, then per subcommand its first line (which starts with
// the subcommand's name) joined with the indented lines that follow it.
std::vector<std::string> HelpEntries(RespClient& client) {
  const std::string reply = client.Call({"CLIENT", "HELP"});
  std::vector<std::string> entries;
  for (std::string_view line : test_support::SplitReply(reply).elements) {
    if (line.starts_with("+ ") && !entries.empty()) {
      entries.back() += line;
    } else {
      entries.emplace_back(line);
    }
  }
  return entries;
}

// The subcommand an entry documents: its first word ("+KILL <ip:port>\r\n" -> "KILL").
std::string_view SubcommandOf(std::string_view entry) {
  return entry.substr(1, entry.find_first_of(" \r") - 1);
}

std::unique_ptr<ServerProcess> Start(ServerKind kind) {
  std::string error;
  auto server = ServerProcess::Start({.kind = kind, .directives = {}}, error);
  EXPECT_TRUE(server) << error;
  return server;
}

TEST(ClientHelpTest, RedisLinesForEverySubcommandMagnetarImplements) {
  if (test_support::ServerBinary(ServerKind::kRedis).empty()) GTEST_SKIP() << "no redis-server";
  auto magnetar = Start(ServerKind::kMagnetar);
  auto redis = Start(ServerKind::kRedis);
  ASSERT_TRUE(magnetar && redis);
  RespClient magnetar_client, redis_client;
  ASSERT_TRUE(magnetar_client.Connect(magnetar->port())) << magnetar_client.error();
  ASSERT_TRUE(redis_client.Connect(redis->port())) << redis_client.error();

  std::vector<std::string> redis_entries = HelpEntries(redis_client);
  ASSERT_FALSE(redis_entries.empty());
  std::vector<std::string> expected = {redis_entries.front()};  // the header
  for (size_t i = 1; i < redis_entries.size(); ++i) {
    const std::string name(SubcommandOf(redis_entries[i]));
    const std::string reply = magnetar_client.Call({"CLIENT", name});
    if (!reply.starts_with("-ERR unknown subcommand '")) expected.push_back(redis_entries[i]);
  }
  std::vector<std::string> listed = HelpEntries(magnetar_client);
  auto setinfo = std::find_if(listed.begin(), listed.end(), [](const std::string& entry) {
    return SubcommandOf(entry) == "SETINFO";
  });
  ASSERT_NE(setinfo, listed.end());
  listed.erase(setinfo);
  EXPECT_EQ(listed, expected);
}

}  // namespace
}  // namespace magnetar::e2e
