// Errors are values on the command path. OpStatus names every failure a command can report, and
// ErrorText() holds the one table of Redis's exact error texts (without the leading '-').
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

namespace magnetar {

enum class OpStatus : uint8_t {
  kOk,
  kSyntaxError,
  kWrongType,
  kNotInteger,
  kNotFloat,
  kOverflow,
  kNoSuchKey,
  kOutOfRange,
  kDbIndexOutOfRange,
  kNoAuth,
  kWrongPass,
  kAuthNotConfigured,
  kNoProto,
  kOutOfMemory,
  kBusyKey,
  kSameObject,
  kInvalidExpire,
  kMaxClients,
  kBitOffset,
  kBitValue,
  kBitPosArgument,
  kBitfieldType,
  kBitfieldOverflowType,
  kBitfieldReadOnly,
  kBitOpNotSingleKey,
  kNanOrInfinity,
  kLcsStringTooLong,
  kLcsTableTooBig,
  kLcsAllocFailed,
  kNotHll,
  kCorruptHll,
};

// Redis's reply text for `status`, e.g. "WRONGTYPE Operation against a key holding the wrong kind
// of value". kOk maps to "OK".
std::string_view ErrorText(OpStatus status);

// Either a value or the reason there is none. Small and copyable; never throws.
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(OpStatus status) : data_(status) {}    // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }
  OpStatus status() const { return ok() ? OpStatus::kOk : std::get<OpStatus>(data_); }
  T& value() { return std::get<T>(data_); }
  const T& value() const { return std::get<T>(data_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, OpStatus> data_;
};

}  // namespace magnetar
