// redis-server's command line: `magnetar-server [config-file] [--<directive> <value> ...] [-]`.
// As in Redis, the command-line directives become lines of text appended after the file (and
// standard input), so they override it and errors in them are reported the same way.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "config_file.h"
#include "config_limits.h"
#include "config_values.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/resp/request_parser.h"
#include "magnetar/server/config.h"
#include "magnetar/server/version.h"

namespace magnetar::server {
namespace {

constexpr std::string_view kExamples = R"(Directives:
  Any redis.conf directive may follow as --<directive> <value> ...; they are applied after the
  configuration file. A '-' as the first or last argument reads more configuration from stdin.

Examples:
  magnetar-server                                   (run with the default configuration)
  echo 'port 7777' | magnetar-server -
  magnetar-server /etc/redis/redis.conf
  magnetar-server --port 7777 --requirepass secret
  magnetar-server /etc/redis/redis.conf --loglevel verbose --daemonize no
)";

std::string VersionText() {
#ifdef MAGNETAR_WITH_JEMALLOC
  constexpr std::string_view kMalloc = "jemalloc";
#else
  constexpr std::string_view kMalloc = "libc";
#endif
  return fmt::format("Magnetar server v={} magnetar={} malloc={} bits={}", kRedisVersion,
                     kMagnetarVersion, kMalloc, sizeof(void*) * 8);
}

// Redis's absolute form of a path given on the command line: relative to the working
// directory, not resolving symbolic links.
std::string AbsolutePath(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::absolute(path, ignored).lexically_normal().string();
}

size_t WordCount(std::string_view text) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  return resp::SplitInlineArgs(text, storage, spans) ? spans.size() : 0;
}

bool IsOptionName(std::string_view arg) { return arg.size() >= 2 && arg.starts_with("--"); }

// Turns the arguments after the configuration file into redis.conf lines the way redis-server
// does: "--name" starts a directive (once the previous one has a value), every other argument is
// a quoted value, and a lone "--save" before another option means `save ""`. A "-" first or last
// asks for standard input instead.
std::string DirectivesText(int argc, const char* const* argv, int first, bool& from_stdin) {
  std::string text;
  bool has_value = true;
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool last = i + 1 == argc;
    if (arg == "-" && (i == 1 || last)) {
      from_stdin = true;
    } else if (has_value && IsOptionName(arg)) {
      text.append("\n").append(arg.substr(2)).append(" ");
      // "--port 6380" in one argument is a whole directive already.
      has_value = WordCount(arg) != 1;
      if (!has_value && commands::EqualsIgnoreCase(arg, "--save")) {
        if (last || IsOptionName(argv[i + 1])) {
          text.append("\"\"");
          has_value = true;
        }
      }
    } else {
      text.append(QuoteArg(arg)).append(" ");
      has_value = true;
    }
  }
  return text;
}

// Checks made once every line is applied, and the absolute forms the server keeps.
std::optional<ConfigLoadError> Finish(Config& config, std::vector<std::string>& warnings) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path dir = fs::canonical(fs::absolute(config.dir, error), error);
  if (!error) config.dir = dir.string();
  if (!config.logfile.empty()) {
    // Redis opens the log file once to refuse one it could never write to.
    fs::path log = fs::path(config.dir) / config.logfile;
    FILE* file = std::fopen(log.c_str(), "a");
    if (!file) {
      return ConfigLoadError{
          .kind = ConfigLoadError::Kind::kFinal,
          .reason = fmt::format("Can't open the log file: {}", std::strerror(errno))};
    }
    std::fclose(file);
  }
  config.maxclients = FitMaxclientsToFileLimit(config.maxclients, &warnings);
  return std::nullopt;
}

}  // namespace

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  CommandLine result;
  // As redis-server, only a first argument asks for help or the version: later ones are
  // directives and their values, whose syntax CLI11 does not describe.
  std::string_view first = argc >= 2 ? argv[1] : "";
  if (first == "-h" || first == "--help" || first == "-v" || first == "--version") {
    CLI::App app(
        "Magnetar: an in-memory data server compatible with Redis " + std::string(kRedisVersion),
        "magnetar-server");
    std::string unused;
    app.add_option("config-file", unused,
                   "A configuration file in redis.conf syntax ('-' reads standard input)");
    app.set_version_flag("-v,--version", VersionText());
    app.footer(std::string(kExamples));
    try {
      app.parse(2, argv);
    } catch (const CLI::ParseError& stop) {
      std::ostringstream out, err;
      result.exit_code = app.exit(stop, out, err);
      result.output = out.str() + err.str();
    }
    result.run = false;
    return result;
  }

  const bool has_file = argc >= 2 && !first.starts_with("-");
  bool from_stdin = false;
  std::string options = DirectivesText(argc, argv, has_file ? 2 : 1, from_stdin);

  Config& config = result.config;
  ConfigLoader loader(config);
  std::string text;
  std::string origin = "(command line)";
  if (has_file) {
    origin = argv[1];
    if (auto error = loader.Read(origin, text)) throw ConfigError(error->Message());
    config.config_file = AbsolutePath(origin);
  } else {
    result.warnings.push_back(
        "Warning: no config file specified, using the default config. In order to specify a "
        "config file use magnetar-server /path/to/redis.conf");
  }
  if (from_stdin) {
    text.append(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  text.append(options);

  if (auto error = loader.Load(text, origin)) throw ConfigError(error->Message());
  result.warnings.insert(result.warnings.end(), loader.warnings().begin(), loader.warnings().end());
  if (auto error = Finish(config, result.warnings)) throw ConfigError(error->Message());
  if (argc > 0) config.executable = AbsolutePath(argv[0]);
  return result;
}

}  // namespace magnetar::server
