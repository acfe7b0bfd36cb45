// redis-benchmark, a real client with its own expectations of replies, runs its SET, GET, INCR and
// MSET tests to the end, and the data they wrote is there afterwards.
#include <cstdio>
#include <string>

#include "server_fixture.h"

namespace magnetar::e2e {
namespace {

class BenchmarkClientTest : public ServerTest {};

// Runs `command`, returning its standard output and exit status.
std::pair<std::string, int> RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  return {output, pclose(pipe)};
}

TEST_P(BenchmarkClientTest, SetGetIncrMsetComplete) {
  if (RunCommand("command -v redis-benchmark").second != 0) GTEST_SKIP() << "no redis-benchmark";
  ASSERT_TRUE(StartServer());
  constexpr int kRequests = 20000;
  auto [output, status] =
      RunCommand("timeout 120 redis-benchmark -h 127.0.0.1 -p " + std::to_string(server_->port()) +
                 " -t set,get,incr,mset -n " + std::to_string(kRequests) + " -P 16 -c 10 -q 2>&1");
  EXPECT_EQ(status, 0) << output;
  for (const char* test : {"SET: ", "GET: ", "INCR: ", "MSET (10 keys): "}) {
    EXPECT_NE(output.find(test), std::string::npos) << test << " missing in:\n" << output;
  }
  auto client = Connect();
  // Without -r every INCR hits the one key, so it counts the requests exactly.
  EXPECT_EQ(client->Call({"GET", "counter:__rand_int__"}),
            "$5\r\n" + std::to_string(kRequests) + "\r\n");
  // SET and MSET wrote the key with a 3-byte payload (-d's default; its bytes are random).
  EXPECT_EQ(client->Call({"STRLEN", "key:__rand_int__"}), ":3\r\n");
  EXPECT_TRUE(ServesNewClient());
}

INSTANTIATE_TEST_SUITE_P(Servers, BenchmarkClientTest, BothServers(), ServerParamName);

}  // namespace
}  // namespace magnetar::e2e
