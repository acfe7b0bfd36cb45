// CLIENT through the dispatcher, replies compared byte for byte with Redis 7.0.15's.
#include "magnetar/server/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::BulkPayload;
using test_support::FakeConnection;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The name=value fields of one CLIENT LIST line.
std::vector<std::pair<std::string, std::string>> Fields(std::string_view line) {
  std::vector<std::pair<std::string, std::string>> fields;
  while (!line.empty()) {
    size_t end = line.find_first_of(" \n");
    std::string_view field = line.substr(0, end);
    size_t equals = field.find('=');
    fields.emplace_back(field.substr(0, equals), field.substr(equals + 1));
    line.remove_prefix(end == line.npos ? line.size() : end + 1);
  }
  return fields;
}

std::vector<std::string> FieldNames(std::string_view line) {
  std::vector<std::string> names;
  for (const auto& [name, value] : Fields(line)) names.push_back(name);
  return names;
}

std::string FieldValue(std::string_view line, std::string_view wanted) {
  for (const auto& [name, value] : Fields(line)) {
    if (name == wanted) return value;
  }
  return "<missing>";
}

// The lines of a CLIENT LIST reply.
std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end == text.npos ? text.size() : end + 1);
  }
  return lines;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(connection_.Open(server_)); }

  std::string Run(std::initializer_list<std::string_view> args) { return connection_.Run(args); }
  // Opens one more client.
  FakeConnection& Connect(std::string peer) {
    auto& other = others_.emplace_back(std::make_unique<FakeConnection>(std::move(peer)));
    EXPECT_TRUE(other->Open(server_));
    return *other;
  }
  uint64_t IdOf(FakeConnection& connection) {
    return static_cast<Client*>(connection.session())->id();
  }

  Server server_{Config{}};
  FakeConnection connection_;
  std::vector<std::unique_ptr<FakeConnection>> others_;
};

TEST_F(ClientTest, IdIsTheConnectionsId) {
  EXPECT_EQ(Run({"client", "id"}), ":" + std::to_string(IdOf(connection_)) + "\r\n");
  EXPECT_EQ(Run({"CLIENT", "ID", "x"}),
            "-ERR wrong number of arguments for 'client|id' command\r\n");
  EXPECT_EQ(Run({"client"}), "-ERR wrong number of arguments for 'client' command\r\n");
  EXPECT_EQ(Run({"client", "nosuch"}), "-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n");
}

TEST_F(ClientTest, SetNameAndGetName) {
  EXPECT_EQ(Run({"client", "getname"}), "$-1\r\n");
  EXPECT_EQ(Run({"client", "setname", "worker-1"}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "getname"}), "$8\r\nworker-1\r\n");
  EXPECT_EQ(Run({"client", "setname", ""}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "getname"}), "$-1\r\n");
}

TEST_F(ClientTest, SetNameRefusesSpacesAndControlCharacters) {
  const std::string error =
      "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
  EXPECT_EQ(Run({"client", "setname", "a b"}), error);
  EXPECT_EQ(Run({"client", "setname", "a\nb"}), error);
  EXPECT_EQ(Run({"client", "setname", "\x7f"}), error);
  EXPECT_EQ(Run({"client", "setname", "caf\xc3\xa9"}), error);
  EXPECT_EQ(Run({"client", "getname"}), "$-1\r\n");
}

TEST_F(ClientTest, ListHasRedisFieldsInOrder) {
  Run({"client", "setname", "me"});
  std::string reply = Run({"client", "list"});
  std::string_view text = BulkPayload(reply);
  ASSERT_TRUE(text.ends_with("\n"));
  std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  EXPECT_THAT(
      FieldNames(line),
      ElementsAreArray({"id",        "addr",     "laddr",     "fd",   "name", "age",   "idle",
                        "flags",     "db",       "sub",       "psub", "ssub", "multi", "qbuf",
                        "qbuf-free", "argv-mem", "multi-mem", "rbs",  "rbp",  "obl",   "oll",
                        "omem",      "tot-mem",  "events",    "cmd",  "user", "redir", "resp"}));
  EXPECT_EQ(FieldValue(line, "id"), std::to_string(IdOf(connection_)));
  EXPECT_EQ(FieldValue(line, "addr"), "127.0.0.1:50000");
  EXPECT_EQ(FieldValue(line, "laddr"), "127.0.0.1:6379");
  EXPECT_EQ(FieldValue(line, "fd"), "10");
  EXPECT_EQ(FieldValue(line, "name"), "me");
  EXPECT_EQ(FieldValue(line, "flags"), "N");
  EXPECT_EQ(FieldValue(line, "db"), "0");
  EXPECT_EQ(FieldValue(line, "multi"), "-1");
  EXPECT_EQ(FieldValue(line, "argv-mem"), "10");  // "client" + "list"
  EXPECT_EQ(FieldValue(line, "cmd"), "client|list");
  EXPECT_EQ(FieldValue(line, "user"), "default");
  EXPECT_EQ(FieldValue(line, "redir"), "-1");
  EXPECT_EQ(FieldValue(line, "resp"), "2");
}

TEST_F(ClientTest, ListShowsOtherClientsLastCommandAndDatabase) {
  FakeConnection& other = Connect("127.0.0.7:41000");
  other.Run({"select", "5"});
  other.Run({"get", "k"});
  std::vector<std::string> lines = Lines(BulkPayload(Run({"client", "list"})));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(FieldValue(lines[1], "addr"), "127.0.0.7:41000");
  EXPECT_EQ(FieldValue(lines[1], "db"), "5");
  EXPECT_EQ(FieldValue(lines[1], "cmd"), "get");
  EXPECT_EQ(FieldValue(lines[1], "argv-mem"), "0");
}

TEST_F(ClientTest, NewClientHasRunNoCommand) {
  Connect("127.0.0.8:41000");
  std::vector<std::string> lines = Lines(BulkPayload(Run({"client", "list"})));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(FieldValue(lines[1], "cmd"), "NULL");
}

TEST_F(ClientTest, ListFiltersByTypeAndId) {
  FakeConnection& other = Connect("127.0.0.9:41000");
  std::string other_id = std::to_string(IdOf(other));
  EXPECT_EQ(Lines(BulkPayload(Run({"client", "list", "TYPE", "normal"}))).size(), 2u);
  EXPECT_EQ(Run({"client", "list", "type", "pubsub"}), "$0\r\n\r\n");
  EXPECT_EQ(Run({"client", "list", "type", "replica"}), "$0\r\n\r\n");
  EXPECT_EQ(Run({"client", "list", "type", "bogus"}), "-ERR Unknown client type 'bogus'\r\n");

  // In the order asked, repeats included, unknown ids skipped.
  std::vector<std::string> lines =
      Lines(BulkPayload(Run({"client", "list", "id", other_id, "99999", "-1", other_id})));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(FieldValue(lines[0], "id"), other_id);
  EXPECT_EQ(FieldValue(lines[1], "id"), other_id);
  EXPECT_EQ(Run({"client", "list", "id", "1", "x"}), "-ERR Invalid client ID\r\n");
  EXPECT_EQ(Run({"client", "list", "id", "01"}), "-ERR Invalid client ID\r\n");
}

TEST_F(ClientTest, ListRefusesOtherArguments) {
  const std::string syntax = "-ERR syntax error\r\n";
  EXPECT_EQ(Run({"client", "list", "id"}), syntax);
  EXPECT_EQ(Run({"client", "list", "type"}), syntax);
  EXPECT_EQ(Run({"client", "list", "foo"}), syntax);
  EXPECT_EQ(Run({"client", "list", "type", "normal", "id", "1"}), syntax);
}

TEST_F(ClientTest, InfoDescribesTheCaller) {
  Run({"client", "no-evict", "on"});
  std::string reply = Run({"client", "info"});
  std::string_view line = BulkPayload(reply);
  EXPECT_TRUE(line.ends_with("\n"));
  EXPECT_EQ(FieldValue(line, "id"), std::to_string(IdOf(connection_)));
  EXPECT_EQ(FieldValue(line, "flags"), "e");
  EXPECT_EQ(FieldValue(line, "cmd"), "client|info");
  EXPECT_EQ(Run({"client", "no-evict", "OFF"}), "+OK\r\n");
  EXPECT_EQ(FieldValue(BulkPayload(Run({"client", "info"})), "flags"), "N");
  EXPECT_EQ(Run({"client", "no-evict", "maybe"}), "-ERR syntax error\r\n");

  Run({"hello", "3"});
  std::string resp3 = Run({"client", "info"});
  EXPECT_THAT(resp3, StartsWith("="));
  EXPECT_EQ(FieldValue(BulkPayload(resp3), "resp"), "3");
}

TEST_F(ClientTest, UnixSocketClientsShowTheSocketPath) {
  server_.config().unixsocket = "/tmp/magnetar.sock";
  FakeConnection local("");
  local.set_unix();
  ASSERT_TRUE(local.Open(server_));
  std::string reply = local.Run({"client", "info"});
  std::string_view line = BulkPayload(reply);
  EXPECT_EQ(FieldValue(line, "addr"), "/tmp/magnetar.sock:0");
  EXPECT_EQ(FieldValue(line, "laddr"), "/tmp/magnetar.sock:0");
  EXPECT_EQ(FieldValue(line, "flags"), "U");
  EXPECT_EQ(Run({"client", "kill", "addr", "/tmp/magnetar.sock:0"}), ":1\r\n");
  EXPECT_TRUE(local.closed());
}

TEST_F(ClientTest, KillById) {
  FakeConnection& other = Connect("127.0.0.10:41000");
  std::string other_id = std::to_string(IdOf(other));
  EXPECT_EQ(Run({"client", "kill", "id", other_id}), ":1\r\n");
  EXPECT_TRUE(other.closed());
  EXPECT_EQ(other.session(), nullptr);
  EXPECT_EQ(server_.clients().size(), 1u);
  EXPECT_EQ(Run({"client", "kill", "id", other_id}), ":0\r\n");
  EXPECT_FALSE(connection_.closing());
}

TEST_F(ClientTest, KillFilterErrors) {
  EXPECT_EQ(Run({"client", "kill", "id", "0"}), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(Run({"client", "kill", "id", "x"}), "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(Run({"client", "kill", "type", "x"}), "-ERR Unknown client type 'x'\r\n");
  EXPECT_EQ(Run({"client", "kill", "user", "bob"}), "-ERR No such user 'bob'\r\n");
  EXPECT_EQ(Run({"client", "kill", "skipme", "maybe"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"client", "kill", "id", "1", "type"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"client", "kill", "color", "red"}), "-ERR syntax error\r\n");
  EXPECT_EQ(Run({"client", "kill"}),
            "-ERR wrong number of arguments for 'client|kill' command\r\n");
}

TEST_F(ClientTest, KillByFiltersSkipsCallerByDefault) {
  FakeConnection& a = Connect("127.0.0.11:41000");
  FakeConnection& b = Connect("127.0.0.12:41000");
  EXPECT_EQ(Run({"client", "kill", "addr", "127.0.0.11:41000", "laddr", "127.0.0.1:6379"}),
            ":1\r\n");
  EXPECT_TRUE(a.closed());
  EXPECT_FALSE(b.closed());
  EXPECT_EQ(Run({"client", "kill", "type", "normal", "user", "default"}), ":1\r\n");
  EXPECT_TRUE(b.closed());
  EXPECT_FALSE(connection_.closing());
}

TEST_F(ClientTest, KillOldFormByAddress) {
  FakeConnection& other = Connect("127.0.0.13:41000");
  EXPECT_EQ(Run({"client", "kill", "127.0.0.13:41000"}), "+OK\r\n");
  EXPECT_TRUE(other.closed());
  EXPECT_EQ(Run({"client", "kill", "127.0.0.13:41000"}), "-ERR No such client\r\n");
}

TEST_F(ClientTest, KillingItselfRepliesFirst) {
  EXPECT_EQ(Run({"client", "kill", "127.0.0.1:50000"}), "+OK\r\n");
  EXPECT_TRUE(connection_.close_after_reply());
  EXPECT_FALSE(connection_.closed());
}

TEST_F(ClientTest, KillItselfOnlyWithSkipmeNo) {
  EXPECT_EQ(Run({"client", "kill", "addr", "127.0.0.1:50000"}), ":0\r\n");
  EXPECT_FALSE(connection_.closing());
  EXPECT_EQ(Run({"client", "kill", "addr", "127.0.0.1:50000", "skipme", "no"}), ":1\r\n");
  EXPECT_TRUE(connection_.close_after_reply());
}

TEST_F(ClientTest, ReplyOffDropsRepliesUntilOn) {
  EXPECT_EQ(Run({"client", "reply", "off"}), "");
  EXPECT_EQ(Run({"ping"}), "");
  EXPECT_EQ(Run({"set", "k", "v"}), "");
  EXPECT_EQ(Run({"client", "reply", "skip"}), "");  // no effect while off
  EXPECT_EQ(Run({"client", "reply", "on"}), "+OK\r\n");
  EXPECT_EQ(Run({"get", "k"}), "$1\r\nv\r\n");
}

TEST_F(ClientTest, ReplySkipDropsOnlyTheNextReply) {
  EXPECT_EQ(Run({"client", "reply", "skip"}), "");
  EXPECT_EQ(Run({"ping"}), "");
  EXPECT_EQ(Run({"ping"}), "+PONG\r\n");
  EXPECT_EQ(Run({"client", "reply", "maybe"}), "-ERR syntax error\r\n");
}

TEST_F(ClientTest, SetInfoStoresLibraryNameAndVersion) {
  EXPECT_EQ(Run({"client", "setinfo", "LIB-NAME", "redis-py"}), "+OK\r\n");
  EXPECT_EQ(Run({"client", "setinfo", "lib-ver", "4.3.4"}), "+OK\r\n");
  const Client& client = *static_cast<Client*>(connection_.session());
  EXPECT_EQ(client.lib_name, "redis-py");
  EXPECT_EQ(client.lib_ver, "4.3.4");
  EXPECT_EQ(Run({"client", "setinfo", "lib-ver", "4 3"}),
            "-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(Run({"client", "setinfo", "lib-color", "x"}),
            "-ERR Unrecognized option 'lib-color'\r\n");
  EXPECT_EQ(client.lib_ver, "4.3.4");
}

TEST_F(ClientTest, HelpListsSubcommands) {
  std::string reply = Run({"client", "help"});
  EXPECT_THAT(reply, StartsWith("*39\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. "
                                "Subcommands are:\r\n+GETNAME\r\n"));
  EXPECT_THAT(reply, HasSubstr("\r\n+UNBLOCK <clientid> [TIMEOUT|ERROR]\r\n"
                               "+    Unblock the specified blocked client.\r\n"));
  EXPECT_TRUE(reply.ends_with("+HELP\r\n+    Prints this help.\r\n"));
}

}  // namespace
}  // namespace magnetar::server
