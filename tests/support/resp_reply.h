// Helpers for raw RESP2/RESP3 replies as they travel on the wire: where one reply ends, how to
// print one readably, and how to encode a command. Tests compare replies byte for byte, so these
// work on raw bytes and never decode values.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::test_support {

// Returned by CompleteReplyLength for bytes that cannot start or continue a reply.
inline constexpr size_t kMalformedReply = static_cast<size_t>(-1);

// The length of the first complete reply at the front of `bytes`, 0 when more bytes are needed,
// or kMalformedReply. Knows every RESP3 type, including attributes, which prefix the reply they
// describe and so are counted together with it.
size_t CompleteReplyLength(std::string_view bytes);

// A complete reply split one level deep: the header line (type byte up to CRLF, or the whole
// reply for a scalar) and, for aggregates, each element's raw bytes (a map's keys and values
// alternate).
struct ReplyParts {
  std::string_view header;
  std::vector<std::string_view> elements;
};
ReplyParts SplitReply(std::string_view reply);

// True for the type bytes of aggregates: * % ~ > |.
bool IsAggregate(char type);

// Printable text of arbitrary bytes for failure messages: "\r", "\n", "\t", "\\", "\"" and
// "\xHH" for other bytes outside printable ASCII.
std::string Escape(std::string_view bytes);

// The RESP2 multibulk encoding of a command, as clients send it.
std::string EncodeCommand(std::span<const std::string_view> args);
std::string EncodeCommand(std::span<const std::string> args);

}  // namespace magnetar::test_support
