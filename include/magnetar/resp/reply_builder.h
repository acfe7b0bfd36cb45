// ReplyBuilder writes replies in terms of what they mean (a null, a map, a double) and picks the
// RESP2 or RESP3 bytes for each itself, so no command knows which protocol its client speaks.
//
// It appends to a buffer it owns; the connection takes the bytes out with TakeBuffer()/buffer().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "magnetar/common/status.h"

namespace magnetar::resp {

enum class Protocol : uint8_t { kResp2 = 2, kResp3 = 3 };

class ReplyBuilder {
 public:
  Protocol protocol() const { return protocol_; }
  void set_protocol(Protocol protocol) { protocol_ = protocol; }
  bool resp3() const { return protocol_ == Protocol::kResp3; }

  void SimpleString(std::string_view text);
  void Ok() { SimpleString("OK"); }
  // `text` is the whole error without the leading '-', e.g. "ERR syntax error". Line breaks in it
  // are replaced by spaces so the reply stays one protocol line.
  void Error(std::string_view text);
  void Error(OpStatus status) { Error(ErrorText(status)); }
  void Integer(int64_t value);
  void Bulk(std::string_view data) { AppendBulk(buffer_, data); }
  void Null();       // a missing value: $-1 or _
  void NullArray();  // a missing aggregate: *-1 or _
  void Array(size_t length);
  void Map(size_t pairs);  // RESP2: an array of 2*pairs
  void Set(size_t length);
  void Push(size_t length);
  void Double(double value);  // RESP2: a bulk string
  void Bool(bool value);      // RESP2: :1 or :0
  // An integer beyond 64 bits, given as its decimal text: RESP3 big number, RESP2 a bulk string.
  void BigNumber(std::string_view digits);
  // A RESP3 attribute of `pairs` key/value pairs, which the caller writes next; it describes the
  // reply that follows them. RESP2 has no attributes and no way to mark data as out of band, so
  // this writes nothing there and the caller must leave the pairs out too (resp3() tells).
  void Attribute(size_t pairs);
  // Free text such as INFO's: RESP3 verbatim string "=N\r\ntxt:...", RESP2 a bulk string.
  void Verbatim(std::string_view text);
  // Already-encoded RESP bytes, passed through as they are.
  void Raw(std::string_view bytes) { buffer_.append(bytes); }

  // Appends the bulk string "$<length>\r\n<data>\r\n" (the same bytes in RESP2 and RESP3) to
  // `out`, for messages encoded once outside any builder (pub/sub). Data up to 96 bytes goes in
  // one append of a chunk assembled on the stack: on replies of many short bulks (LRANGE 0 599)
  // the appends are the work, more than walking the values.
  static void AppendBulk(std::string& out, std::string_view data);
  // Appends `argv` as a client sends a command, an array of bulk strings: the form of the
  // commands in the AOF and in the replication stream.
  static void AppendCommand(std::string& out, std::span<const std::string_view> argv);

  std::string& buffer() { return buffer_; }
  const std::string& buffer() const { return buffer_; }
  size_t size() const { return buffer_.size(); }

 private:
  void Header(char type, uint64_t length);
  void Line(char type, std::string_view text);

  Protocol protocol_ = Protocol::kResp2;
  std::string buffer_;
};

}  // namespace magnetar::resp
