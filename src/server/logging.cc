#include "logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace magnetar::server {
namespace {

// Redis marks each line's level with one character.
class LevelMark final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char mark = '*';
    switch (msg.level) {
      case spdlog::level::trace:
        mark = '.';
        break;
      case spdlog::level::debug:
        mark = '-';
        break;
      case spdlog::level::info:
        mark = '*';
        break;
      default:
        mark = '#';
        break;
    }
    dest.push_back(mark);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelMark>();
  }
};

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::trace;
    case LogLevel::kVerbose:
      return spdlog::level::debug;
    case LogLevel::kNotice:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
  }
  return spdlog::level::info;
}

}  // namespace

void SetupLogging(const Config& config) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (config.logfile.empty()) {
      logger = std::make_shared<spdlog::logger>("magnetar",
                                                std::make_shared<spdlog::sinks::stdout_sink_st>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          "magnetar", std::make_shared<spdlog::sinks::basic_file_sink_st>(config.logfile));
    }
  } catch (const spdlog::spdlog_ex& e) {
    throw ConfigError("Can't open the log file: " + std::string(e.what()));
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelMark>('*').set_pattern("%P:M %d %b %Y %H:%M:%S.%e %* %v");
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  SetLogLevel(config.loglevel);
}

void SetLogLevel(LogLevel level) { spdlog::set_level(ToSpdlog(level)); }

}  // namespace magnetar::server
