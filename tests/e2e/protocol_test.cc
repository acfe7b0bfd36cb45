// Ordinary protocol use over a real socket: pipelining, inline commands, RESP3, QUIT.
#include <fmt/format.h>

#include <string>

#include "server_fixture.h"
#include "support/resp_reply.h"

namespace magnetar::e2e {
namespace {

using test_support::EncodeCommand;
using test_support::Escape;

std::string Bulk(std::string_view value) {
  return fmt::format("${}\r\n{}\r\n", value.size(), value);
}

class ProtocolTest : public ServerTest {};

TEST_P(ProtocolTest, PipelinedCommandsAnswerInOrder) {
  ASSERT_TRUE(StartServer());
  auto client = Connect();
  // 500 SET/GET pairs on one key in a single write: each GET sees the SET just before it only if
  // the server runs them in order, and the replies must come back in that order.
  constexpr int kPairs = 500;
  std::string batch;
  for (int i = 0; i < kPairs; ++i) {
    std::string value = "value-" + std::to_string(i);
    std::string_view set[] = {"SET", "key", value};
    std::string_view get[] = {"GET", "key"};
    batch += EncodeCommand(set) + EncodeCommand(get);
  }
  ASSERT_TRUE(client->SendRaw(batch)) << client->error();
  for (int i = 0; i < kPairs; ++i) {
    std::string reply;
    ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply) << "SET #" << i << client->error();
    ASSERT_EQ(reply, "+OK\r\n") << "SET #" << i;
    ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply) << "GET #" << i << client->error();
    ASSERT_EQ(reply, Bulk("value-" + std::to_string(i))) << "GET #" << i;
  }
}

TEST_P(ProtocolTest, InlineCommands) {
  ASSERT_TRUE(StartServer());
  auto client = Connect();
  // Blank lines are skipped without a reply; a bare "\n" ends a line as well as "\r\n".
  ASSERT_TRUE(
      client->SendRaw("PING\r\n"
                      "\r\n"
                      "   \n"
                      "SET greeting \"hello\\x20world\\n\"\r\n"
                      "GET greeting\n"
                      "  ECHO   'it\\'s'   \r\n"
                      "ECHO \"\"\r\n"));
  std::string reply;
  const std::string expected[] = {"+PONG\r\n", "+OK\r\n", Bulk("hello world\n"), Bulk("it's"),
                                  Bulk("")};
  for (const std::string& want : expected) {
    ASSERT_EQ(client->ReadReply(reply), ReadStatus::kReply) << client->error();
    EXPECT_EQ(Escape(reply), Escape(want));
  }
  // Multibulk and inline requests mix on one connection.
  EXPECT_EQ(client->Call({"GET", "greeting"}), Bulk("hello world\n"));
}

TEST_P(ProtocolTest, Resp3AfterHello3) {
  ASSERT_TRUE(StartServer());
  auto client = Connect();
  EXPECT_EQ(client->Call({"GET", "missing"}), "$-1\r\n");
  std::string hello = client->Call({"HELLO", "3"});
  EXPECT_TRUE(hello.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")) << Escape(hello);
  EXPECT_NE(hello.find("$5\r\nproto\r\n:3\r\n"), std::string::npos) << Escape(hello);
  EXPECT_EQ(client->Call({"GET", "missing"}), "_\r\n");
  EXPECT_EQ(client->Call({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(client->Call({"GET", "k"}), "$1\r\nv\r\n");
  // HELLO 2 goes back to RESP2, whose map is a flat array.
  hello = client->Call({"HELLO", "2"});
  EXPECT_TRUE(hello.starts_with("*14\r\n")) << Escape(hello);
  EXPECT_EQ(client->Call({"GET", "missing"}), "$-1\r\n");
  // The protocol belongs to the connection: another client still speaks RESP2.
  auto other = Connect();
  EXPECT_EQ(client->Call({"HELLO", "3"}).substr(0, 4), "%7\r\n");
  EXPECT_EQ(other->Call({"GET", "missing"}), "$-1\r\n");
}

TEST_P(ProtocolTest, QuitRepliesOkAndCloses) {
  ASSERT_TRUE(StartServer());
  auto client = Connect();
  // A command pipelined after QUIT never runs.
  ASSERT_TRUE(
      client->SendRaw(EncodeCommand(std::vector<std::string_view>{"QUIT"}) +
                      EncodeCommand(std::vector<std::string_view>{"SET", "after", "quit"})));
  std::string received;
  EXPECT_TRUE(client->WaitForClose(&received)) << client->error();
  EXPECT_EQ(received, "+OK\r\n");
  auto other = Connect();
  EXPECT_EQ(other->Call({"GET", "after"}), "$-1\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, ProtocolTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
