// Walks a command's arguments. The first failure is latched: later calls return neutral values
// and the handler checks ok()/status() once at the end instead of after every step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "magnetar/common/status.h"

namespace magnetar::commands {

// Case-insensitive ASCII comparison, as Redis compares command names and keywords.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class ArgParser {
 public:
  ArgParser(std::span<const std::string_view> args, size_t start) : args_(args), pos_(start) {}

  bool HasNext() const { return pos_ < args_.size(); }
  size_t remaining() const { return args_.size() - pos_; }
  // The next argument; latches kSyntaxError when there is none.
  std::string_view Next();
  // Consumes the next argument if it equals `keyword` (case-insensitive).
  bool NextIs(std::string_view keyword);
  // The next argument as an integer; latches kNotInteger when it is not one.
  int64_t NextInt64();
  // The next argument as a double; latches kNotFloat when it is not one.
  double NextDouble();
  // Latches `status` unless an earlier failure is already latched.
  void Fail(OpStatus status);

  bool ok() const { return status_ == OpStatus::kOk; }
  OpStatus status() const { return status_; }

 private:
  std::span<const std::string_view> args_;
  size_t pos_;
  OpStatus status_ = OpStatus::kOk;
};

}  // namespace magnetar::commands
