// The propagation differential test: every tests/diff/propagation/*.redis script runs line by
// line through a redis-server 7.0 that writes its AOF and through an in-process Magnetar whose
// propagator feeds a RecordingSink. After each line the two servers are held against each other
// three ways: the reply, the commands the line propagated (what Redis appended to its AOF), and
// the keyspace notifications a subscriber to __keyspace@*__:* received. docs/testing.md describes
// the script format.
//
// Redis runs with `appendfsync always`, which writes the AOF before the reply leaves, and with
// active expiry switched off (DEBUG SET-ACTIVE-EXPIRE 0), so that a key past its deadline goes
// only when a command finds it, as in the in-process Magnetar, whose event loop (and so its
// active expiry) never runs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "comparison.h"
#include "magnetar/common/numbers.h"
#include "magnetar/resp/request_parser.h"
#include "magnetar/server/server.h"
#include "script.h"
#include "script_files.h"
#include "support/fake_connection.h"
#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::diff {
namespace {

using test_support::Escape;
using test_support::FakeConnection;
using test_support::ReadStatus;
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

using Command = std::vector<std::string>;

// Lines run on both servers one after the other, so an absolute time either computes from "now"
// (SET EX -> PXAT, EXPIRE -> PEXPIREAT) differs by little more than a line's run time.
constexpr int64_t kTimeToleranceMs = 2000;
// The subscriber that collects notifications; both servers raise every class.
constexpr std::string_view kEventsPattern = "__keyspace@*__:*";
constexpr std::string_view kEventClasses = "KEAmn";
constexpr int kMaxReportedDifferences = 20;

// One line of a propagation script: a command, or a pause.
struct Line {
  int number = 0;
  std::string text;
  std::optional<int64_t> sleep_ms;
  Step step;  // the command, parsed as a differential script line (with its @N connection)
};

// Parses a propagation script: differential script lines (script.h) and `!sleep <ms>` lines.
bool ParsePropagationScript(std::string_view text, std::vector<Line>& lines, std::string& error) {
  int number = 0;
  while (!text.empty()) {
    ++number;
    size_t newline = text.find('\n');
    std::string_view raw = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    size_t start = raw.find_first_not_of(" \t\r");
    if (start == std::string_view::npos || raw[start] == '#') continue;
    std::string_view rest = raw.substr(start);
    if (rest.ends_with('\r')) rest.remove_suffix(1);
    Line line;
    line.number = number;
    line.text = std::string(rest);
    auto fail = [&](std::string_view problem) {
      error = fmt::format("line {}: {}: {}", number, problem, line.text);
      return false;
    };
    if (rest.starts_with("!sleep")) {
      std::optional<int64_t> ms = ParseInt64(rest.substr(std::min<size_t>(7, rest.size())));
      if (!ms || *ms < 0) return fail("expected !sleep <ms>");
      line.sleep_ms = ms;
      lines.push_back(std::move(line));
      continue;
    }
    std::vector<Step> steps;
    std::string problem;
    if (!ParseScript(rest, steps, problem)) return fail(problem.substr(problem.find(": ") + 2));
    if (steps.size() != 1) return fail("expected a command");
    line.step = std::move(steps.front());
    if (line.step.raw || line.step.closes || line.step.no_reply || line.step.read) {
      return fail("!raw, !closes, !noreply and !read are for reply scripts");
    }
    lines.push_back(std::move(line));
  }
  return true;
}

// The keyspace notifications among a subscriber's raw output, as "<channel> <event>"; the answer
// to the PING that ends each batch is left out.
std::vector<std::string> KeyspaceEvents(std::string_view output) {
  std::vector<std::string> events;
  while (!output.empty()) {
    size_t length = test_support::CompleteReplyLength(output);
    if (length == 0 || length == test_support::kMalformedReply) {
      events.push_back("(malformed: " + Escape(output) + ")");
      break;
    }
    test_support::ReplyParts parts = test_support::SplitReply(output.substr(0, length));
    output.remove_prefix(length);
    if (parts.elements.size() == 4 && test_support::BulkPayload(parts.elements[0]) == "pmessage") {
      events.push_back(fmt::format("{} {}", test_support::BulkPayload(parts.elements[2]),
                                   test_support::BulkPayload(parts.elements[3])));
    }
  }
  return events;
}

// One server driven by a script: its connections, what it propagated, its notifications.
class Side {
 public:
  virtual ~Side() = default;
  // Starts the server with notifications on and a subscriber listening; "" or why not.
  virtual std::string Start() = 0;
  // Runs one command on the script's connection `connection` (opened on first use) and returns
  // the reply.
  virtual std::string Run(int connection, std::span<const std::string_view> args) = 0;
  // The commands propagated since the last call.
  virtual std::vector<Command> TakePropagated() = 0;
  // Everything the subscriber received since the last call, up to the answer to a PING it sends
  // now (so every notification of the commands already answered is included).
  virtual std::string TakeSubscriberOutput() = 0;
};

constexpr std::string_view kSubscriberPong = "*2\r\n$4\r\npong\r\n$0\r\n\r\n";

class RedisSide final : public Side {
 public:
  std::string Start() override {
    std::string error;
    server_ = ServerProcess::Start({.kind = ServerKind::kRedis,
                                    .directives = {{"appendonly", "yes"},
                                                   {"appendfsync", "always"},
                                                   {"enable-debug-command", "yes"}}},
                                   error);
    if (!server_) return error;
    if (!subscriber_.Connect(server_->port())) return subscriber_.error();
    if (std::string reply = subscriber_.Call({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
        reply != "+OK\r\n") {
      return "DEBUG SET-ACTIVE-EXPIRE: " + Escape(reply);
    }
    if (std::string reply =
            subscriber_.Call({"CONFIG", "SET", "notify-keyspace-events", kEventClasses});
        reply != "+OK\r\n") {
      return "CONFIG SET notify-keyspace-events: " + Escape(reply);
    }
    subscriber_.Call({"PSUBSCRIBE", kEventsPattern});
    return FindAof();
  }

  std::string Run(int connection, std::span<const std::string_view> args) override {
    std::unique_ptr<RespClient>& client = clients_[connection];
    if (!client) {
      client = std::make_unique<RespClient>(std::chrono::seconds(5));
      if (!client->Connect(server_->port())) return "(cannot connect) " + client->error();
    }
    std::string reply = client->Call(args);
    return reply.empty() ? "(no reply) " + client->error() : reply;
  }

  std::vector<Command> TakePropagated() override {
    std::ifstream file(aof_path_, std::ios::binary);
    file.seekg(static_cast<std::streamoff>(aof_offset_));
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    aof_offset_ += bytes.size();
    unparsed_ += bytes;
    std::vector<Command> commands;
    resp::RequestParser parser(limits_);
    std::string_view input = unparsed_;
    while (parser.Parse(input) == resp::ParseStatus::kRequest) {
      commands.emplace_back(parser.args().begin(), parser.args().end());
      input.remove_prefix(parser.consumed());
    }
    unparsed_.erase(0, unparsed_.size() - input.size());
    return commands;
  }

  std::string TakeSubscriberOutput() override {
    std::vector<std::string_view> ping{"PING"};
    if (!subscriber_.Send(ping)) return "(subscriber lost) " + subscriber_.error();
    std::string output, reply;
    while (subscriber_.ReadReply(reply) == ReadStatus::kReply) {
      if (reply == kSubscriberPong) return output;
      output += reply;
    }
    return output + "(subscriber lost) " + subscriber_.error();
  }

  ServerProcess& server() { return *server_; }

 private:
  // Redis 7.0 appends to the incremental file its manifest names last.
  std::string FindAof() {
    const std::string directory = server_->directory() + "/appendonlydir";
    std::ifstream manifest(directory + "/appendonly.aof.manifest");
    std::string line;
    while (std::getline(manifest, line)) {
      if (!line.ends_with("type i")) continue;
      // "file <name> seq <n> type i"
      size_t name_start = line.find(' ') + 1;
      aof_path_ =
          directory + "/" + line.substr(name_start, line.find(' ', name_start) - name_start);
    }
    return aof_path_.empty() ? "no incremental AOF in " + directory : "";
  }

  std::unique_ptr<ServerProcess> server_;
  RespClient subscriber_{std::chrono::seconds(5)};
  std::map<int, std::unique_ptr<RespClient>> clients_;
  std::string aof_path_;
  size_t aof_offset_ = 0;
  std::string unparsed_;  // the AOF's bytes after the last complete command
  resp::ParserLimits limits_;
};

class MagnetarSide final : public Side {
 public:
  ~MagnetarSide() override { server_.propagator().RemoveSink(sink_); }

  std::string Start() override {
    server_.propagator().AddSink(sink_);
    if (!subscriber_.Open(server_)) return "refused: " + subscriber_.refusal();
    std::string reply = subscriber_.Run({"CONFIG", "SET", "notify-keyspace-events", kEventClasses});
    if (reply != "+OK\r\n") return "CONFIG SET notify-keyspace-events: " + Escape(reply);
    subscriber_.Run({"PSUBSCRIBE", kEventsPattern});
    return "";
  }

  std::string Run(int connection, std::span<const std::string_view> args) override {
    std::unique_ptr<FakeConnection>& client = connections_[connection];
    if (!client) {
      client = std::make_unique<FakeConnection>();
      if (!client->Open(server_)) return "(refused) " + client->refusal();
    }
    return client->Run(std::vector<std::string_view>(args.begin(), args.end()));
  }

  std::vector<Command> TakePropagated() override { return std::exchange(sink_.commands, {}); }

  std::string TakeSubscriberOutput() override {
    std::string output = subscriber_.Run({"PING"});
    if (!output.ends_with(kSubscriberPong)) return output + "(no pong)";
    output.resize(output.size() - kSubscriberPong.size());
    return output;
  }

 private:
  server::Server server_{server::Config{}};
  server::RecordingSink sink_;
  // Connections after the server: they are destroyed first.
  FakeConnection subscriber_;
  std::map<int, std::unique_ptr<FakeConnection>> connections_;
};

// Whether argument `i` of a propagated command is an absolute time in ms that the server
// computed: SET's PXAT value, PEXPIREAT's deadline, RESTORE's relative TTL sent on as ABSTTL.
bool IsComputedTime(const Command& command, size_t i) {
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  if (lower(command[0]) == "pexpireat" || lower(command[0]) == "restore") return i == 2;
  return lower(command[0]) == "set" && i > 0 && lower(command[i - 1]) == "pxat";
}

bool SameCommand(const Command& ours, const Command& theirs) {
  if (ours.size() != theirs.size()) return false;
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i] == theirs[i]) continue;
    if (!IsComputedTime(ours, i)) return false;
    std::optional<int64_t> a = ParseInt64(ours[i]), b = ParseInt64(theirs[i]);
    if (!a || !b || std::abs(*a - *b) > kTimeToleranceMs) return false;
  }
  return true;
}

bool SameCommands(const std::vector<Command>& ours, const std::vector<Command>& theirs) {
  return std::equal(ours.begin(), ours.end(), theirs.begin(), theirs.end(), SameCommand);
}

std::string Describe(const std::vector<Command>& commands) {
  if (commands.empty()) return "(nothing)";
  std::string text;
  for (const Command& command : commands) {
    if (!text.empty()) text += " | ";
    for (size_t i = 0; i < command.size(); ++i) {
      fmt::format_to(std::back_inserter(text), "{}{}", i ? " " : "", Escape(command[i]));
    }
  }
  return text;
}

std::string Describe(const std::vector<std::string>& events) {
  if (events.empty()) return "(none)";
  std::string text;
  for (const std::string& event : events) text += (text.empty() ? "" : " | ") + Escape(event);
  return text;
}

class PropagationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PropagationTest, MatchesRedisAof) {
  if (test_support::ServerBinary(ServerKind::kRedis).empty()) {
    GTEST_SKIP() << "redis-server is not installed (set REDIS_SERVER to its path)";
  }
  const std::string path = std::string(MAGNETAR_PROPAGATION_SCRIPTS) + "/" + GetParam() + ".redis";
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "cannot read " << path;
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<Line> lines;
  std::string error;
  ASSERT_TRUE(ParsePropagationScript(text, lines, error)) << path << ": " << error;

  MagnetarSide magnetar;
  RedisSide redis;
  ASSERT_EQ(magnetar.Start(), "");
  ASSERT_EQ(redis.Start(), "");

  // Prints what Redis did with every line, for writing scripts.
  const bool trace = std::getenv("MAGNETAR_PROPAGATION_TRACE") != nullptr;
  int differences = 0;
  for (const Line& line : lines) {
    if (line.sleep_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(*line.sleep_ms));
      continue;
    }
    std::vector<std::string_view> args(line.step.args.begin(), line.step.args.end());
    std::string our_reply = magnetar.Run(line.step.connection, args);
    std::string their_reply = redis.Run(line.step.connection, args);
    std::vector<Command> our_writes = magnetar.TakePropagated();
    std::vector<Command> their_writes = redis.TakePropagated();
    std::vector<std::string> our_events = KeyspaceEvents(magnetar.TakeSubscriberOutput());
    std::vector<std::string> their_events = KeyspaceEvents(redis.TakeSubscriberOutput());

    if (trace) {
      fmt::print("{}:{}: {}\n  propagated: {}\n  events:     {}\n", GetParam(), line.number,
                 line.text, Describe(their_writes), Describe(their_events));
    }
    std::string report;
    if (Comparable(our_reply, line.step.compare) != Comparable(their_reply, line.step.compare)) {
      report += fmt::format("  reply      magnetar: \"{}\"\n             redis:    \"{}\"\n",
                            Escape(our_reply), Escape(their_reply));
    }
    if (!SameCommands(our_writes, their_writes)) {
      report += fmt::format("  propagated magnetar: {}\n             redis:    {}\n",
                            Describe(our_writes), Describe(their_writes));
    }
    if (our_events != their_events) {
      report += fmt::format("  events     magnetar: {}\n             redis:    {}\n",
                            Describe(our_events), Describe(their_events));
    }
    if (report.empty()) continue;
    ADD_FAILURE_AT(path.c_str(), line.number) << "command: " << line.text << "\n" << report;
    if (++differences == kMaxReportedDifferences) {
      ADD_FAILURE() << "stopping after " << differences << " differences";
      break;
    }
  }
  EXPECT_TRUE(redis.server().Alive()) << "redis-server " << redis.server().ExitDescription();
}

INSTANTIATE_TEST_SUITE_P(Scripts, PropagationTest,
                         ::testing::ValuesIn(ScriptNames(MAGNETAR_PROPAGATION_SCRIPTS)),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return ScriptTestName(info.param);
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PropagationTest);

}  // namespace
}  // namespace magnetar::diff
