#include "magnetar/server/startup.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

#include "logging.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "magnetar/server/version.h"

namespace magnetar::server {
namespace {

// Detaches from the terminal the classic way: fork, setsid, standard streams to /dev/null.
void Daemonize() {
  if (fork() != 0) _exit(0);
  setsid();
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
}

void WritePidfile(const std::string& path) {
  std::ofstream file(path);
  if (!file) {
    spdlog::warn("Failed to write PID file: {}", path);
    return;
  }
  file << getpid() << "\n";
}

// Redis's `jemalloc-bg-thread yes`: jemalloc purges dirty pages on its own thread instead of
// inside whichever free() crosses the decay threshold, which on the event loop is a pause of
// milliseconds after a large table is released. Threads do not survive fork(), so this runs
// after daemonizing.
void StartAllocatorBackgroundThread() {
#if defined(MAGNETAR_WITH_JEMALLOC)
  bool enable = true;
  if (mallctl("background_thread", nullptr, nullptr, &enable, sizeof(enable)) != 0) {
    spdlog::warn("Failed to enable jemalloc's background thread");
  }
#endif
}

}  // namespace

int RunServer(int argc, char** argv) {
  CommandLine command_line;
  try {
    command_line = ParseCommandLine(argc, argv);
  } catch (const ConfigError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  if (!command_line.run) {
    std::fputs(command_line.output.c_str(), stdout);
    return command_line.exit_code;
  }
  Config& config = command_line.config;
  // A file size limit (ulimit -f) then makes a write fail with EFBIG, which the AOF and the RDB
  // writers report and recover from, instead of killing the server.
  std::signal(SIGXFSZ, SIG_IGN);
  if (!config.dir.empty() && chdir(config.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s': %s\n", config.dir.c_str(), std::strerror(errno));
    return 1;
  }
  // Redis writes the pidfile when daemonized even if none is configured.
  if (config.daemonize && config.pidfile.empty()) config.pidfile = "/var/run/redis.pid";
  if (config.daemonize) {
    // A daemon without a log file has nowhere to print: Redis sends it to /dev/null.
    if (config.logfile.empty()) config.logfile = "/dev/null";
    Daemonize();
  }
  try {
    SetupLogging(config);
  } catch (const ConfigError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  spdlog::info("Magnetar {} (Redis {} compatible) pid={} starting", kMagnetarVersion, kRedisVersion,
               getpid());
  for (const std::string& warning : command_line.warnings) spdlog::warn("{}", warning);
  if (!config.pidfile.empty()) WritePidfile(config.pidfile);
  StartAllocatorBackgroundThread();
  int exit_code = 0;
  {
    Server server(std::move(config));
    try {
      server.Listen();
      server.HandleShutdownSignals();
      spdlog::info("Server initialized, port={}", server.config().port);
      // As Redis: listen first, so that clients connecting during a long load hear -LOADING.
      // With appendonly yes the AOF is the dataset, and dump.rdb is not read.
      bool loaded =
          server.config().appendonly ? server.aof().Start() : server.rdb_saver().LoadAtStartup();
      if (loaded) {
        server.replication().Start();
        server.Run();
      } else {
        exit_code = 1;
      }
    } catch (const ConfigError& error) {
      spdlog::warn("{}", error.what());
      exit_code = 1;
    } catch (const ShutdownDuringLoad&) {
      spdlog::warn("Magnetar is now ready to exit, bye bye...");
    }
    if (!server.config().pidfile.empty()) unlink(server.config().pidfile.c_str());
  }
  return exit_code;
}

}  // namespace magnetar::server
