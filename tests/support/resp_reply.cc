#include "support/resp_reply.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

#include "magnetar/common/numbers.h"

namespace magnetar::test_support {
namespace {

bool IsLineType(char type) {
  switch (type) {
    case '+':  // simple string
    case '-':  // error
    case ':':  // integer
    case '_':  // RESP3 null
    case '#':  // boolean
    case ',':  // double
    case '(':  // big number
      return true;
    default:
      return false;
  }
}

// Types followed by a length line and that many bytes plus CRLF.
bool IsBlobType(char type) { return type == '$' || type == '!' || type == '='; }

// Maps and attributes count pairs; the other aggregates count elements.
int64_t ElementsPerEntry(char type) { return type == '%' || type == '|' ? 2 : 1; }

// A length or count from a header; -1 only where RESP2 uses it for a null.
std::optional<int64_t> HeaderNumber(char type, std::string_view text) {
  auto number = ParseInt64(text);
  if (!number || *number < -1) return std::nullopt;
  if (*number == -1 && type != '$' && type != '*') return std::nullopt;
  return number;
}

template <typename Args>
std::string Encode(const Args& args) {
  std::string out = fmt::format("*{}\r\n", args.size());
  for (std::string_view arg : args)
    fmt::format_to(std::back_inserter(out), "${}\r\n{}\r\n", arg.size(), arg);
  return out;
}

}  // namespace

bool IsAggregate(char type) {
  return type == '*' || type == '%' || type == '~' || type == '>' || type == '|';
}

size_t CompleteReplyLength(std::string_view bytes) {
  size_t pos = 0;
  // Replies still to be read; an aggregate header adds its elements. An attribute describes the
  // reply that follows it, so it adds its entries without using up a place.
  int64_t pending = 1;
  while (pending > 0) {
    if (pos >= bytes.size()) return 0;
    const char type = bytes[pos];
    if (!IsLineType(type) && !IsBlobType(type) && !IsAggregate(type)) return kMalformedReply;
    const size_t eol = bytes.find("\r\n", pos);
    if (eol == std::string_view::npos) return 0;
    std::string_view body = bytes.substr(pos + 1, eol - pos - 1);
    pos = eol + 2;
    if (IsLineType(type)) {
      --pending;
      continue;
    }
    auto number = HeaderNumber(type, body);
    if (!number) return kMalformedReply;
    if (IsBlobType(type)) {
      if (*number >= 0) {
        const size_t end = pos + static_cast<size_t>(*number);
        if (bytes.size() < end + 2) return 0;
        if (bytes.substr(end, 2) != "\r\n") return kMalformedReply;
        pos = end + 2;
      }
      --pending;
      continue;
    }
    pending += std::max<int64_t>(*number, 0) * ElementsPerEntry(type) - (type == '|' ? 0 : 1);
  }
  return pos;
}

ReplyParts SplitReply(std::string_view reply) {
  ReplyParts parts;
  size_t eol = reply.find("\r\n");
  if (reply.empty() || !IsAggregate(reply[0]) || eol == std::string_view::npos) {
    parts.header = reply;
    return parts;
  }
  parts.header = reply.substr(0, eol + 2);
  std::string_view rest = reply.substr(eol + 2);
  while (!rest.empty()) {
    size_t length = CompleteReplyLength(rest);
    if (length == 0 || length == kMalformedReply) {
      parts.elements.push_back(rest);
      break;
    }
    parts.elements.push_back(rest.substr(0, length));
    rest.remove_prefix(length);
  }
  return parts;
}

std::string Escape(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() + 8);
  for (char c : bytes) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default: {
        auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
          out += c;
        } else {
          out += "\\x";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
        }
      }
    }
  }
  return out;
}

std::string EncodeCommand(std::span<const std::string_view> args) { return Encode(args); }

std::string EncodeCommand(std::span<const std::string> args) { return Encode(args); }

}  // namespace magnetar::test_support
