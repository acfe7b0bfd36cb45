// magnetar-server [config-file] [--<directive> <value> ...]
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>

#include "magnetar/server/server.h"
#include "magnetar/server/startup.h"

int main(int argc, char** argv) { return magnetar::server::RunServer(argc, argv); }
