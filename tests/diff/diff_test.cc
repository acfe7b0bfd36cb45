// Runs every tests/diff/scripts/*.redis against a fresh magnetar-server and a fresh redis-server
// and compares each reply byte for byte (or as the line's directive says). One test per script.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>

#include "comparison.h"
#include "script.h"
#include "script_files.h"
#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::diff {
namespace {

using test_support::Escape;
using test_support::ReadStatus;
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

// A script that goes wrong early usually goes wrong on every later line too.
constexpr int kMaxReportedDifferences = 20;
// What a step compares when no reply came within the client's timeout.
constexpr std::string_view kTimedOut = "(timed out)";

std::string ScriptPath(const std::string& name) {
  return std::string(MAGNETAR_DIFF_SCRIPTS) + "/" + name + ".redis";
}

// What one server did with one step.
struct Outcome {
  std::string reply;     // raw bytes, or a description in parentheses when there was none
  std::string compared;  // what is held against the other server's outcome
};

// One server and the script's connections to it.
class Side {
 public:
  explicit Side(ServerKind kind) : kind_(kind) {}

  // Starts the server; "" on success, else why not. Both servers allow DEBUG, so that scripts
  // can compare its subcommands.
  std::string Start() {
    std::string error;
    server_ = ServerProcess::Start({.kind = kind_, .directives = {{"enable-debug-command", "yes"}}},
                                   error);
    return error;
  }

  Outcome Run(const Step& step) {
    std::unique_ptr<RespClient>& slot = clients_[step.connection];
    if (!slot) slot = std::make_unique<RespClient>(std::chrono::seconds(5));
    RespClient& client = *slot;
    if (!client.connected() && !client.Connect(server_->port())) {
      return Failed(client, "cannot connect", client.error());
    }
    if (!step.read) {
      std::vector<std::string_view> args(step.args.begin(), step.args.end());
      if (!(step.raw ? client.SendRaw(step.args[0]) : client.Send(args))) {
        // Whether a send to a closed connection fails or a later read sees the close depends
        // on timing, so both count as the same outcome.
        return Failed(client, test_support::ReadStatusName(ReadStatus::kClosed), client.error());
      }
    }
    if (step.no_reply) return {};
    Outcome outcome;
    ReadStatus status = client.ReadReply(outcome.reply);
    if (status != ReadStatus::kReply) {
      return Failed(client, test_support::ReadStatusName(status), client.error());
    }
    outcome.compared = Comparable(MaskedReply(outcome.reply, step.masks), step.compare);
    if (step.closes) {
      const char* after = client.WaitForClose() ? " (then closed)" : " (connection left open)";
      client.Close();
      outcome.compared += after;
      outcome.reply += after;
    }
    return outcome;
  }

  ServerProcess& server() { return *server_; }

 private:
  // Ends the connection so the next step starts on a new one, as redis-cli would reconnect.
  static Outcome Failed(RespClient& client, std::string_view what, std::string_view detail) {
    client.Close();
    std::string compared = fmt::format("({})", what);
    return {fmt::format("{} {}", compared, detail), compared};
  }

  ServerKind kind_;
  std::unique_ptr<ServerProcess> server_;
  std::map<int, std::unique_ptr<RespClient>> clients_;  // by the script's connection number
};

std::string CompareName(Compare mode) {
  switch (mode) {
    case Compare::kExact:
      return "byte for byte";
    case Compare::kShape:
      return "by shape (types and sizes)";
    case Compare::kSorted:
      return "with elements sorted";
    case Compare::kSkip:
      return "not at all";
  }
  return "";
}

class DiffTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DiffTest, RepliesMatchRedis) {
  if (test_support::ServerBinary(ServerKind::kRedis).empty()) {
    GTEST_SKIP() << "redis-server is not installed (set REDIS_SERVER to its path)";
  }
  const std::string path = ScriptPath(GetParam());
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "cannot read " << path;
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<Step> steps;
  std::string error;
  ASSERT_TRUE(ParseScript(text, steps, error)) << path << ": " << error;

  Side magnetar(ServerKind::kMagnetar), redis(ServerKind::kRedis);
  error = magnetar.Start();
  ASSERT_EQ(error, "");
  error = redis.Start();
  ASSERT_EQ(error, "");

  int differences = 0;
  for (const Step& step : steps) {
    Outcome ours = magnetar.Run(step);
    Outcome theirs = redis.Run(step);
    // Both waiting in vain means the script expects a reply (a !read of a message) that does not
    // come: a mistake in the script, which would otherwise pass unnoticed.
    const bool both_timed_out = ours.compared == kTimedOut && theirs.compared == kTimedOut;
    if (ours.compared == theirs.compared && !both_timed_out) continue;
    ADD_FAILURE_AT(path.c_str(), step.line) << "command: " << step.text << "\n"
                                            << "  compared " << CompareName(step.compare) << "\n"
                                            << "  magnetar: \"" << Escape(ours.reply) << "\"\n"
                                            << "  redis:    \"" << Escape(theirs.reply) << "\"";
    if (++differences == kMaxReportedDifferences) {
      ADD_FAILURE() << "stopping after " << differences << " differences";
      break;
    }
  }
  EXPECT_TRUE(magnetar.server().Alive())
      << "magnetar-server " << magnetar.server().ExitDescription() << "; log:\n"
      << magnetar.server().LogTail();
}

INSTANTIATE_TEST_SUITE_P(Scripts, DiffTest, ::testing::ValuesIn(ScriptNames(MAGNETAR_DIFF_SCRIPTS)),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return ScriptTestName(info.param);
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DiffTest);

}  // namespace
}  // namespace magnetar::diff
