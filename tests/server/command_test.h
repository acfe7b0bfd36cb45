// The fixture of the command tests that go through the real dispatcher: a Server (with the default
// configuration unless the test passes its own), the connection under test and another one (to
// WATCH, to subscribe), and a RecordingSink on the propagator so that a test can see what its last
// command propagated. A family's test derives from it, or names it: `using SetCommandsTest =
// CommandTest;`.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "magnetar/server/propagator.h"
#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {

class CommandTest : public ::testing::Test {
 protected:
  using Commands = std::vector<std::vector<std::string>>;

  explicit CommandTest(Config config = Config{}) : server_(std::move(config)) {}

  void SetUp() override {
    ASSERT_TRUE(client_.Open(server_));
    ASSERT_TRUE(other_.Open(server_));
    server_.propagator().AddSink(sink_);
  }
  void TearDown() override { server_.propagator().RemoveSink(sink_); }

  // Runs one command on the client under test, forgetting what earlier ones propagated.
  std::string Run(std::initializer_list<std::string_view> args) {
    sink_.commands.clear();
    return client_.Run(args);
  }
  // What the last Run propagated, without the SELECT the first write brings.
  Commands Propagated() const {
    Commands commands = sink_.commands;
    if (!commands.empty() && commands.front()[0] == "SELECT") commands.erase(commands.begin());
    return commands;
  }

  // The bulk strings of a RESP reply, in order (enough for the flat replies these tests read).
  static std::vector<std::string> Bulks(const std::string& reply) {
    std::vector<std::string> bulks;
    size_t at = 0;
    while ((at = reply.find('$', at)) != std::string::npos) {
      size_t end = reply.find("\r\n", at);
      size_t length = std::stoul(reply.substr(at + 1, end - at - 1));
      bulks.push_back(reply.substr(end + 2, length));
      at = end + 2 + length;
    }
    return bulks;
  }

  Server server_;
  RecordingSink sink_;
  test_support::FakeConnection client_;
  test_support::FakeConnection other_;
};

}  // namespace magnetar::server
