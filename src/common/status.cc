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
    case OpStatus::kBitOffset:
      return "ERR bit offset is not an integer or out of range";
    case OpStatus::kBitValue:
      return "ERR bit is not an integer or out of range";
    case OpStatus::kBitPosArgument:
      return "ERR The bit argument must be 1 or 0.";
    case OpStatus::kBitfieldType:
      return "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
             "but i64 is.";
    case OpStatus::kBitfieldOverflowType:
      return "ERR Invalid OVERFLOW type specified";
    case OpStatus::kBitfieldReadOnly:
      return "ERR BITFIELD_RO only supports the GET subcommand";
    case OpStatus::kBitOpNotSingleKey:
      return "ERR BITOP NOT must be called with a single source key.";
    case OpStatus::kNanOrInfinity:
      return "ERR increment would produce NaN or Infinity";
    case OpStatus::kLcsStringTooLong:
      return "ERR String too long for LCS";
    case OpStatus::kLcsTableTooBig:
      return "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    case OpStatus::kLcsAllocFailed:
      return "ERR Insufficient memory, failed allocating transient memory for LCS";
    case OpStatus::kNotHll:
      return "WRONGTYPE Key is not a valid HyperLogLog string value.";
    case OpStatus::kCorruptHll:
      return "INVALIDOBJ Corrupted HLL object detected";
  }
  return "ERR unknown error";
}

}  // namespace magnetar
