#include "support/server_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

#include "support/resp_client.h"

namespace magnetar::test_support {
namespace {

// A port picked by PickFreePort can be taken by someone else before the server binds it; the
// server then exits and Start tries again with another port.
constexpr int kStartAttempts = 5;
constexpr auto kStartupTimeout = std::chrono::seconds(30);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

// Asks the kernel for a free ephemeral port by binding port 0 on loopback. Ephemeral ports are
// far from Redis's 6379, which tests never touch.
int PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// Whether process `pid` holds a socket listening on TCP `port` (IPv4 or IPv6). A PONG alone can
// come from another test's server that won the race for the same port while ours is still on
// its way to failing the bind; the listener's socket inode tells whose it is.
bool ListensOn(pid_t pid, int port) {
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  std::vector<std::string> socket_inodes;
  std::error_code error;
  for (const auto& fd : std::filesystem::directory_iterator(proc / "fd", error)) {
    const std::string target = std::filesystem::read_symlink(fd.path(), error).string();
    if (target.starts_with("socket:[")) {
      socket_inodes.push_back(target.substr(8, target.size() - 9));
    }
  }
  // The columns: sl local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid timeout
  // inode; the local address is HEX_IP:HEX_PORT, and state 0A is LISTEN.
  constexpr size_t kLocal = 1, kState = 3, kInode = 9;
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream lines(proc / "net" / table);
    std::string line;
    std::getline(lines, line);  // The header.
    while (std::getline(lines, line)) {
      std::istringstream stream(line);
      std::vector<std::string> fields(std::istream_iterator<std::string>(stream), {});
      if (fields.size() <= kInode || fields[kState] != "0A") continue;
      const std::string& local = fields[kLocal];
      const size_t colon = local.rfind(':');
      if (colon == std::string::npos || std::stoi(local.substr(colon + 1), nullptr, 16) != port) {
        continue;
      }
      if (std::find(socket_inodes.begin(), socket_inodes.end(), fields[kInode]) !=
          socket_inodes.end()) {
        return true;
      }
    }
  }
  return false;
}

// PONG, or the refusal of a server started with requirepass: either way it is serving.
bool AnswersPing(std::string_view reply) {
  return reply == "+PONG\r\n" || reply.starts_with("-NOAUTH ");
}

}  // namespace

std::string_view ServerKindName(ServerKind kind) {
  return kind == ServerKind::kMagnetar ? "magnetar" : "redis";
}

std::string ServerBinary(ServerKind kind) {
  const bool magnetar = kind == ServerKind::kMagnetar;
  const char* from_env = std::getenv(magnetar ? "MAGNETAR_SERVER" : "REDIS_SERVER");
  std::string path = from_env && *from_env ? from_env
                     : magnetar            ? MAGNETAR_SERVER_PATH
                                           : "/usr/bin/redis-server";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

ServerProcess::ServerProcess(ServerKind kind, std::string directory)
    : kind_(kind), directory_(std::move(directory)) {}

ServerProcess::~ServerProcess() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const ServerOptions& options,
                                                    std::string& error) {
  const std::string binary = ServerBinary(options.kind);
  if (binary.empty()) {
    error = "no " + std::string(ServerKindName(options.kind)) + " binary to run";
    return nullptr;
  }
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::string directory =
        (std::filesystem::temp_directory_path() / "magnetar-test-XXXXXX").string();
    if (::mkdtemp(directory.data()) == nullptr) {
      error = std::string("mkdtemp: ") + std::strerror(errno);
      return nullptr;
    }
    std::unique_ptr<ServerProcess> server(new ServerProcess(options.kind, directory));
    const int port = options.port != 0 ? options.port : PickFreePort();
    if (port < 0) {
      error = "no free loopback port";
      return nullptr;
    }
    if (!server->Spawn(binary, port, options, error)) return nullptr;
    if (server->WaitUntilReady(error)) return server;
    // Still running but not answering is not a port clash: retrying would not help; nor does
    // retrying a port the caller chose.
    if (server->Alive() || options.port != 0) return nullptr;
  }
  return nullptr;
}

bool ServerProcess::Spawn(const std::string& binary, int port, const ServerOptions& options,
                          std::string& error) {
  std::vector<std::string> args = {binary,         "--port", std::to_string(port), "--save", "",
                                   "--appendonly", "no"};
  for (const Directive& directive : options.directives) {
    args.push_back("--" + directive.name);
    args.push_back(directive.value);
  }
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_path = directory_ + "/server.log";

  pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // A test binary that dies must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = ::open("/dev/null", O_RDONLY);
    if (log < 0 || null < 0 || ::chdir(directory_.c_str()) != 0) ::_exit(126);
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  port_ = port;
  return true;
}

bool ServerProcess::WaitUntilReady(std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + kStartupTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Reap(false)) {
      error = std::string(ServerKindName(kind_)) + " " + ExitDescription() +
              " during startup on port " + std::to_string(port_) + "; log:\n" + LogTail();
      return false;
    }
    RespClient client(std::chrono::seconds(1));
    if (client.Connect(port_) && AnswersPing(client.Call({"PING"})) && ListensOn(pid_, port_)) {
      return true;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  error = std::string(ServerKindName(kind_)) + " did not answer PING on port " +
          std::to_string(port_) + "; log:\n" + LogTail();
  return false;
}

bool ServerProcess::Reap(bool block) {
  if (exited_ || pid_ < 0) return true;
  int status = 0;
  pid_t result;
  do {
    result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (result < 0 && errno == EINTR);
  if (result == 0) return false;
  exited_ = true;
  wait_status_ = status;
  return true;
}

bool ServerProcess::Alive() { return !Reap(false); }

std::string ServerProcess::ExitDescription() {
  if (!Reap(false)) return "running";
  if (WIFEXITED(wait_status_))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status_));
  if (WIFSIGNALED(wait_status_))
    return "killed by signal " + std::to_string(WTERMSIG(wait_status_));
  return "ended";
}

void ServerProcess::Stop(std::chrono::milliseconds grace) {
  if (Reap(false)) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Reap(false)) return;
    std::this_thread::sleep_for(kPollInterval);
  }
  ::kill(pid_, SIGKILL);
  Reap(true);
}

int64_t ServerProcess::StatusField(std::string_view field) const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with(field) || line.size() <= field.size() || line[field.size()] != ':') {
      continue;
    }
    std::istringstream fields(line.substr(field.size() + 1));
    int64_t kilobytes = -1;
    fields >> kilobytes;
    return kilobytes < 0 ? -1 : kilobytes * 1024;
  }
  return -1;
}

int64_t ServerProcess::RssBytes() const { return StatusField("VmRSS"); }

int64_t ServerProcess::PeakRssBytes() const { return StatusField("VmHWM"); }

std::string ServerProcess::LogTail(size_t max_bytes) const {
  std::ifstream log(directory_ + "/server.log", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text.erase(0, text.size() - max_bytes);
  return text;
}

}  // namespace magnetar::test_support
