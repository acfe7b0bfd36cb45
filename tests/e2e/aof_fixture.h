// The fixture of the AOF end-to-end tests: a server (Magnetar or Redis) with appendonly yes and
// appendfsync always in a directory of its own, killed with SIGKILL and restarted on it.
#pragma once

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "e2e/server_fixture.h"
#include "e2e/temp_dir.h"

namespace magnetar::e2e {

inline std::string Bulk(std::string_view text) {
  return fmt::format("${}\r\n{}\r\n", text.size(), text);
}

// A whole file's bytes ("" when it cannot be read).
inline std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return std::move(content).str();
}

// Polls until `done` holds; false if it never does within a bound meant only to end a hung test.
inline bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 6000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The next `count` replies of a pipeline sent with SendRaw ("" for one that did not come).
inline std::vector<std::string> ReadReplies(RespClient& client, size_t count) {
  std::vector<std::string> replies(count);
  for (std::string& reply : replies) {
    if (client.ReadReply(reply) != ReadStatus::kReply) reply.clear();
  }
  return replies;
}

const std::vector<Directive> kAofOn = {
    {"appendonly", "yes"}, {"appendfsync", "always"}, {"enable-debug-command", "yes"}};

class AofServerTest : public ServerTest {
 protected:
  // Starts the server on dir_ with kAofOn and `extra` (on `port`, or a free one when 0):
  // ASSERT_TRUE(StartWithAof()).
  ::testing::AssertionResult StartWithAof(std::vector<Directive> extra = {}, int port = 0) {
    std::vector<Directive> directives = {{"dir", dir_.path()}};
    directives.insert(directives.end(), kAofOn.begin(), kAofOn.end());
    directives.insert(directives.end(), extra.begin(), extra.end());
    std::string error;
    server_ = ServerProcess::Start(
        {.kind = GetParam(), .directives = std::move(directives), .port = port}, error);
    if (!server_) return ::testing::AssertionFailure() << error;
    return ::testing::AssertionSuccess();
  }
  void Kill() {
    ::kill(server_->pid(), SIGKILL);
    server_->Stop();
  }
  // Kills the server and starts it again on its directory, reconnecting `client`: the dataset
  // must come back with the same DEBUG DIGEST.
  ::testing::AssertionResult RestartKeepsDigest(std::unique_ptr<RespClient>& client) {
    std::string digest = client->Call({"DEBUG", "DIGEST"});
    Kill();
    if (::testing::AssertionResult started = StartWithAof(); !started) return started;
    client = Connect();
    std::string after = client->Call({"DEBUG", "DIGEST"});
    if (after == digest) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "DEBUG DIGEST " << digest << " became " << after;
  }
  // Appends half a command to incr file 1, as a crash in the middle of a write leaves it; returns
  // the file's size before, where loading must cut it.
  uintmax_t TearIncrFile() {
    std::string incr = AofFile("appendonly.aof.1.incr.aof");
    uintmax_t complete = std::filesystem::file_size(incr);
    std::ofstream(incr, std::ios::app | std::ios::binary) << "*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1";
    return complete;
  }
  std::string AofFile(std::string_view name) const {
    return dir_.file(fmt::format("appendonlydir/{}", name));
  }

  TempDir dir_;
};

}  // namespace magnetar::e2e
