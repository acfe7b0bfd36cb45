// Runs a server binary (magnetar-server, or Debian's redis-server as the reference) as a child
// process on a free loopback port for one test, and stops it when the test ends.
//
// Each server runs in its own temporary directory (its working directory, so nothing it might
// write lands in the source tree), with standard output and error in a log file there whose tail
// failure messages can show. The directory is removed when the server stops.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::test_support {

enum class ServerKind { kMagnetar, kRedis };

// "magnetar" or "redis", for test names and messages.
std::string_view ServerKindName(ServerKind kind);

// The binary to run: $MAGNETAR_SERVER (falling back to the build's own magnetar-server) or
// $REDIS_SERVER (falling back to /usr/bin/redis-server). Empty when the file is not there.
std::string ServerBinary(ServerKind kind);

// One configuration directive, passed on the command line as `--name value`. A value with
// several words (e.g. "normal 1mb 0 0") stays one argument.
struct Directive {
  std::string name;
  std::string value;
};

struct ServerOptions {
  ServerKind kind = ServerKind::kMagnetar;
  // Passed after the port and the test defaults (no RDB snapshots, no AOF), so they win.
  std::vector<Directive> directives;
  // The port to listen on (a server restarted where its clients expect it); 0 picks a free one.
  int port = 0;
};

class ServerProcess {
 public:
  // Starts a server and waits until it answers PING. On failure returns null with `error` saying
  // why, including the end of the server's log.
  static std::unique_ptr<ServerProcess> Start(const ServerOptions& options, std::string& error);

  ~ServerProcess();  // Stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  ServerKind kind() const { return kind_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The server's working directory, where it writes its files (Redis's appendonlydir).
  const std::string& directory() const { return directory_; }

  // True while the process has not exited.
  bool Alive();
  // How the process ended ("exited with status 1", "killed by signal 11"), or "running".
  std::string ExitDescription();
  // Resident memory now (VmRSS) and at its peak (VmHWM), in bytes; -1 when /proc cannot tell.
  int64_t RssBytes() const;
  int64_t PeakRssBytes() const;
  // The last `max_bytes` of the server's standard output and error.
  std::string LogTail(size_t max_bytes = 4000) const;

  // SIGTERM, then SIGKILL if the process has not exited after `grace`. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  ServerProcess(ServerKind kind, std::string directory);
  // Forks and execs the binary on `port`; false when that fails outright.
  bool Spawn(const std::string& binary, int port, const ServerOptions& options, std::string& error);
  // Waits until the server answers PING: false if it exited or never answered.
  bool WaitUntilReady(std::string& error);
  // Collects the exit status if the process has ended; true if it has.
  bool Reap(bool block);
  int64_t StatusField(std::string_view field) const;

  ServerKind kind_;
  std::string directory_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
  int wait_status_ = 0;
};

}  // namespace magnetar::test_support
