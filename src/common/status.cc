#include "magnetar/common/status.h"

namespace magnetar {

std::string_view ErrorText(OpStatus status) {
  switch (status) {
    case OpStatus::kOk:
      return "OK";
    case OpStatus::kSyntaxError:
      return "ERR syntax error";
    case OpStatus::kWrongType:
      return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case OpStatus::kNotInteger:
      return "ERR value is not an integer or out of range";
    case OpStatus::kNotFloat:
      return "ERR value is not a valid float";
    case OpStatus::kOverflow:
      return "ERR increment or decrement would overflow";
    case OpStatus::kNoSuchKey:
      return "ERR no such key";
    case OpStatus::kOutOfRange:
      return "ERR index out of range";
    case OpStatus::kDbIndexOutOfRange:
      return "ERR DB index is out of range";
    case OpStatus::kNoAuth:
      return "NOAUTH Authentication required.";
    case OpStatus::kWrongPass:
      return "WRONGPASS invalid username-password pair or user is disabled.";
    case OpStatus::kAuthNotConfigured:
      return "ERR AUTH <password> called without any password configured for the default user. "
             "Are you sure your configuration is correct?";
    case OpStatus::kNoProto:
      return "NOPROTO unsupported protocol version";
    case OpStatus::kOutOfMemory:
      return "OOM command not allowed when used memory > 'maxmemory'.";
    case OpStatus::kBusyKey:
      return "BUSYKEY Target key name already exists.";
    case OpStatus::kSameObject:
      return "ERR source and destination objects are the same";
    case OpStatus::kInvalidExpire:
      return "ERR invalid expire time";
    case OpStatus::kMaxClients:
      return "ERR max number of clients reached";
  }
  return "ERR unknown error";
}

}  // namespace magnetar
