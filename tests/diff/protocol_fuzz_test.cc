// Feeds the same pseudo-random request streams to magnetar-server and redis-server and compares
// everything each sends back until it closes the connection. A stream is a few requests, each
// multibulk or inline, some of them damaged (a fragment inserted, bytes dropped, cut short), so
// the streams reach far more parser states than uniformly random bytes, which nearly always stop
// at the first stray quote. Commands come from a vocabulary of commands Magnetar implements, so a
// difference is a parser or reply difference, not a missing command.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::diff {
namespace {

using test_support::Escape;
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;

using namespace std::string_view_literals;

constexpr int kStreams = 500;

// Picks uniformly from a fixed list.
template <typename T, size_t N>
const T& Pick(std::mt19937& random, const T (&items)[N]) {
  return items[std::uniform_int_distribution<size_t>(0, N - 1)(random)];
}

bool Chance(std::mt19937& random, double probability) {
  return std::uniform_real_distribution<double>(0, 1)(random) < probability;
}

std::string RandomArgument(std::mt19937& random) {
  static constexpr std::string_view kArguments[] = {
      "key",  "value", "",   "a b",        "quote\"d",
      "it's", "\r\n",  "\\", "\x00\xff"sv, "99999999999999999999",
      "-1",   "0",     "x"};
  std::string arg(Pick(random, kArguments));
  if (Chance(random, 0.1))
    arg = std::string(std::uniform_int_distribution<size_t>(1, 300)(random), 'z');
  return arg;
}

// An argument in inline syntax: plain when it can be, else quoted with escapes.
std::string InlineWord(std::mt19937& random, std::string_view arg) {
  bool plain = !arg.empty() && arg.find_first_of(" \t\r\n\"'\\") == std::string_view::npos &&
               arg.find('\0') == std::string_view::npos;
  if (plain && Chance(random, 0.8)) return std::string(arg);
  std::string word = "\"";
  for (char c : arg) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      word += '\\';
      word += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      word += "\\x";
      word += kHex[byte >> 4];
      word += kHex[byte & 0xf];
    } else {
      word += c;
    }
  }
  return word + "\"";
}

std::string RandomRequest(std::mt19937& random) {
  static constexpr std::string_view kCommands[] = {"PING", "ping", "ECHO", "SET",   "GET",
                                                   "DEL",  "get",  "Set",  "nosuch"};
  std::vector<std::string> args = {std::string(Pick(random, kCommands))};
  int extra = std::uniform_int_distribution<int>(0, 3)(random);
  for (int i = 0; i < extra; ++i) args.push_back(RandomArgument(random));
  if (Chance(random, 0.7)) return test_support::EncodeCommand(args);
  std::string line;
  for (const std::string& arg : args) line += InlineWord(random, arg) + " ";
  line.pop_back();
  return line + (Chance(random, 0.8) ? "\r\n" : "\n");
}

// Damages a request the way a broken client might.
void Mutate(std::mt19937& random, std::string& request) {
  static constexpr std::string_view kFragments[] = {"*",
                                                    "$",
                                                    "*1",
                                                    "$3",
                                                    "-1",
                                                    "0",
                                                    "99999999999999999999",
                                                    "\r\n",
                                                    "\n",
                                                    "\r",
                                                    " ",
                                                    "\"",
                                                    "'",
                                                    "\\",
                                                    "\\x4",
                                                    "\\x41",
                                                    "\x00",
                                                    "\xff",
                                                    "*3000000000\r\n",
                                                    "$-5\r\n"};
  size_t position = std::uniform_int_distribution<size_t>(0, request.size())(random);
  switch (std::uniform_int_distribution<int>(0, 3)(random)) {
    case 0:
      request.insert(position, Pick(random, kFragments));
      break;
    case 1:
      request.erase(position, std::uniform_int_distribution<size_t>(1, 4)(random));
      break;
    case 2:
      if (position < request.size()) request[position] = static_cast<char>(random());
      break;
    default:
      request.resize(position);
      break;
  }
}

std::string RandomStream(std::mt19937& random) {
  std::string stream;
  int requests = std::uniform_int_distribution<int>(1, 8)(random);
  for (int i = 0; i < requests; ++i) {
    std::string request = RandomRequest(random);
    if (Chance(random, 0.25)) Mutate(random, request);
    stream += request;
  }
  return stream;
}

// Everything the server sends back for `stream` up to its close. The client half-closes after
// the stream, so a request left unfinished ends with the connection rather than a timeout.
std::string Transcript(const ServerProcess& server, std::string_view stream) {
  RespClient client(std::chrono::seconds(5));
  if (!client.Connect(server.port())) return "(cannot connect: " + client.error() + ")";
  client.SendRaw(stream);
  client.ShutdownWrite();
  std::string received;
  if (!client.WaitForClose(&received)) received += "(left open)";
  return received;
}

TEST(ProtocolFuzzTest, ReplyStreamsMatchRedis) {
  if (test_support::ServerBinary(ServerKind::kRedis).empty()) {
    GTEST_SKIP() << "redis-server is not installed (set REDIS_SERVER to its path)";
  }
  std::string error;
  auto magnetar = ServerProcess::Start({.kind = ServerKind::kMagnetar, .directives = {}}, error);
  ASSERT_NE(magnetar, nullptr) << error;
  auto redis = ServerProcess::Start({.kind = ServerKind::kRedis, .directives = {}}, error);
  ASSERT_NE(redis, nullptr) << error;

  std::mt19937 random(7001);
  int differences = 0;
  for (int i = 0; i < kStreams && differences < 5; ++i) {
    const std::string stream = RandomStream(random);
    const std::string ours = Transcript(*magnetar, stream);
    const std::string theirs = Transcript(*redis, stream);
    if (ours == theirs) continue;
    ++differences;
    ADD_FAILURE() << "stream #" << i << ": \"" << Escape(stream) << "\"\n"
                  << "  magnetar: \"" << Escape(ours) << "\"\n"
                  << "  redis:    \"" << Escape(theirs) << "\"";
  }
  EXPECT_TRUE(magnetar->Alive()) << "magnetar-server " << magnetar->ExitDescription() << "; log:\n"
                                 << magnetar->LogTail();
}

}  // namespace
}  // namespace magnetar::diff
