// The AOF when the disk refuses a write. A file size limit set on the running server (the soft
// RLIMIT_FSIZE, which an unprivileged process may lower and raise again up to its hard limit)
// makes the AOF's write() fail with EFBIG, as a full disk makes it fail with ENOSPC.
// - everysec and no behave as Redis: the write that failed is acknowledged, later writes and PING
//   get "MISCONF Errors writing to the AOF file: <reason>", reads keep working, and writes are
//   accepted again once the retried write succeeds.
// - always does better than Redis (which exits): the write that failed is not acknowledged (its
//   client gets the MISCONF error) and nothing acknowledged is lost.
// Magnetar only: Redis does not ignore SIGXFSZ and dies of the limit (checked against Redis with
// a full tmpfs instead, see docs/persistence.md).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "e2e/aof_fixture.h"
#include "e2e/info_field.h"
#include "e2e/temp_dir.h"

namespace magnetar::e2e {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kTooLarge =
    "-MISCONF Errors writing to the AOF file: File too large\r\n";

class AofWriteErrorsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ServerProcess::Start(
        {.kind = ServerKind::kMagnetar,
         .directives = {{"dir", dir_.path()}, {"appendonly", "yes"}, {"appendfsync", GetParam()}}},
        error);
    ASSERT_NE(server_, nullptr) << error;
    client_ = std::make_unique<RespClient>();
    ASSERT_TRUE(client_->Connect(server_->port())) << client_->error();
  }

  // Files may grow by `room` more bytes (RLIM_INFINITY lifts the limit).
  ::testing::AssertionResult LimitFileSize(rlim_t room) {
    rlimit limit{};
    if (prlimit(server_->pid(), RLIMIT_FSIZE, nullptr, &limit) != 0) {
      return ::testing::AssertionFailure() << "prlimit: " << std::strerror(errno);
    }
    limit.rlim_cur = room == RLIM_INFINITY ? limit.rlim_max : AofSize() + room;
    if (prlimit(server_->pid(), RLIMIT_FSIZE, &limit, nullptr) != 0) {
      return ::testing::AssertionFailure() << "prlimit: " << std::strerror(errno);
    }
    return ::testing::AssertionSuccess();
  }

  rlim_t AofSize() {
    return std::filesystem::file_size(dir_.file("appendonlydir/appendonly.aof.1.incr.aof"));
  }

  // Waits for the cron's retry to get the pending write onto the disk.
  ::testing::AssertionResult WritesAcceptedAgain() {
    for (int i = 0; i < 500; ++i) {
      if (InfoField(*client_, "persistence", "aof_last_write_status") == "ok") {
        return ::testing::AssertionSuccess();
      }
      std::this_thread::sleep_for(10ms);
    }
    return ::testing::AssertionFailure() << "still refusing writes; log:\n" << server_->LogTail();
  }

  // Kills the server and starts it again on the same directory.
  void Restart() {
    ::kill(server_->pid(), SIGKILL);
    server_->Stop();
    SetUp();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RespClient> client_;
};

TEST_P(AofWriteErrorsTest, WritesAreRefusedUntilTheDiskTakesThemAgain) {
  ASSERT_EQ(client_->Call({"SET", "before", "1"}), "+OK\r\n");
  ASSERT_TRUE(LimitFileSize(10));
  std::string reply = client_->Call({"SET", "failed", std::string(100, 'x')});
  if (GetParam() == "always") {
    EXPECT_EQ(reply, kTooLarge);  // never acknowledged
  } else {
    EXPECT_EQ(reply, "+OK\r\n");  // as Redis: the failure is noticed after the reply
  }
  EXPECT_EQ(client_->Call({"SET", "later", "1"}), kTooLarge);
  EXPECT_EQ(client_->Call({"PING"}), kTooLarge);
  EXPECT_EQ(client_->Call({"GET", "before"}), "$1\r\n1\r\n");
  EXPECT_EQ(InfoField(*client_, "persistence", "aof_last_write_status"), "err");
  // A transaction with a write is refused as a whole (EXECABORT), as Redis refuses it.
  EXPECT_EQ(client_->Call({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(client_->Call({"INCR", "counter"}), kTooLarge);
  EXPECT_EQ(client_->Call({"EXEC"}).substr(0, 10), "-EXECABORT");

  ASSERT_TRUE(LimitFileSize(RLIM_INFINITY));
  ASSERT_TRUE(WritesAcceptedAgain());
  EXPECT_EQ(client_->Call({"SET", "after", "1"}), "+OK\r\n");
  EXPECT_EQ(client_->Call({"PING"}), "+PONG\r\n");

  // The failed write was kept and written by the retry: memory and file agree after a crash.
  Restart();
  EXPECT_EQ(client_->Call({"MGET", "before", "after", "later"}),
            "*3\r\n$1\r\n1\r\n$1\r\n1\r\n$-1\r\n");
  EXPECT_EQ(client_->Call({"STRLEN", "failed"}), ":100\r\n");
  EXPECT_EQ(client_->Call({"EXISTS", "counter"}), ":0\r\n");
}

// always: the writes of a pipelined batch are committed together; when the commit fails, each
// write's reply becomes the error while the reads between them keep theirs.
using AofAlwaysWriteErrorsTest = AofWriteErrorsTest;

TEST_P(AofAlwaysWriteErrorsTest, AFailedCommitRefusesEachWriteOfThePipelineOnly) {
  ASSERT_EQ(client_->Call({"SET", "before", "1"}), "+OK\r\n");
  ASSERT_TRUE(LimitFileSize(10));
  ASSERT_TRUE(client_->SendRaw(
      "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$40\r\n0123456789012345678901234567890123456789\r\n"
      "*2\r\n$3\r\nGET\r\n$6\r\nbefore\r\n"
      "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"));
  EXPECT_EQ(
      ReadReplies(*client_, 3),
      (std::vector<std::string>{std::string(kTooLarge), "$1\r\n1\r\n", std::string(kTooLarge)}));
  ASSERT_TRUE(LimitFileSize(RLIM_INFINITY));
  ASSERT_TRUE(WritesAcceptedAgain());
}

INSTANTIATE_TEST_SUITE_P(Policy, AofAlwaysWriteErrorsTest, ::testing::Values("always"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Policies, AofWriteErrorsTest,
                         ::testing::Values("always", "everysec", "no"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace magnetar::e2e
