#pragma once

namespace magnetar::server {

// The whole life of the daemon: command line and configuration, logging, daemonize and pidfile,
// listeners, the event loop until shutdown. Returns the process exit code.
int RunServer(int argc, char** argv);

}  // namespace magnetar::server
