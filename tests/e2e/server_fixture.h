// A fixture for end-to-end tests that run once against magnetar-server and once against real
// redis-server, so each expectation is checked on the reference too (tests asserting Redis's
// behaviour must pass on Redis). Redis runs are skipped when redis-server is not installed.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::test_support {

// Names the parameter in gtest's messages.
inline void PrintTo(ServerKind kind, std::ostream* out) { *out << ServerKindName(kind); }

}  // namespace magnetar::test_support

namespace magnetar::e2e {

using test_support::Directive;
using test_support::ReadStatus;
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

class ServerTest : public ::testing::TestWithParam<ServerKind> {
 protected:
  void SetUp() override {
    if (test_support::ServerBinary(GetParam()).empty()) {
      GTEST_SKIP() << test_support::ServerKindName(GetParam()) << " binary not found";
    }
  }

  // Starts the server under test with extra directives: ASSERT_TRUE(StartServer(...)). `port` 0
  // picks a free one.
  ::testing::AssertionResult StartServer(std::vector<Directive> directives = {}, int port = 0) {
    std::string error;
    server_ = ServerProcess::Start(
        {.kind = GetParam(), .directives = std::move(directives), .port = port}, error);
    if (!server_) return ::testing::AssertionFailure() << error;
    return ::testing::AssertionSuccess();
  }

  // A new connection to the server.
  std::unique_ptr<RespClient> Connect() {
    auto client = std::make_unique<RespClient>();
    EXPECT_TRUE(client->Connect(server_->port())) << client->error();
    return client;
  }

  // The server is still running and answers a new client.
  ::testing::AssertionResult ServesNewClient() {
    if (!server_->Alive()) {
      return ::testing::AssertionFailure() << "server " << server_->ExitDescription() << "; log:\n"
                                           << server_->LogTail();
    }
    RespClient client;
    if (!client.Connect(server_->port())) return ::testing::AssertionFailure() << client.error();
    std::string reply = client.Call({"PING"});
    if (reply != "+PONG\r\n") {
      return ::testing::AssertionFailure() << "PING answered \"" << test_support::Escape(reply)
                                           << "\" (" << client.error() << ")";
    }
    return ::testing::AssertionSuccess();
  }

  std::unique_ptr<ServerProcess> server_;
};

// For INSTANTIATE_TEST_SUITE_P(Servers, Suite, BothServers(), ServerParamName): each test runs
// as .../magnetar and .../redis.
inline auto BothServers() { return ::testing::Values(ServerKind::kMagnetar, ServerKind::kRedis); }
inline std::string ServerParamName(const ::testing::TestParamInfo<ServerKind>& info) {
  return std::string(test_support::ServerKindName(info.param));
}

}  // namespace magnetar::e2e
