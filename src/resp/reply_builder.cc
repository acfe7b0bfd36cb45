#include "magnetar/resp/reply_builder.h"

#include "magnetar/common/numbers.h"

namespace magnetar::resp {

void ReplyBuilder::Header(char type, uint64_t length) {
  char text[kMaxInt64Chars + 3];
  text[0] = type;
  size_t n = 1 + FormatInt64(static_cast<int64_t>(length), text + 1);
  text[n++] = '\r';
  text[n++] = '\n';
  buffer_.append(text, n);
}

void ReplyBuilder::Line(char type, std::string_view text) {
  buffer_.push_back(type);
  buffer_.append(text);
  buffer_.append("\r\n", 2);
}

void ReplyBuilder::SimpleString(std::string_view text) { Line('+', text); }

void ReplyBuilder::Error(std::string_view text) {
  if (text.find_first_of("\r\n") == std::string_view::npos) return Line('-', text);
  buffer_.push_back('-');
  for (char c : text) buffer_.push_back(c == '\r' || c == '\n' ? ' ' : c);
  buffer_.append("\r\n", 2);
}

void ReplyBuilder::Integer(int64_t value) {
  char text[kMaxInt64Chars + 3];
  text[0] = ':';
  size_t n = 1 + FormatInt64(value, text + 1);
  text[n++] = '\r';
  text[n++] = '\n';
  buffer_.append(text, n);
}

void ReplyBuilder::AppendCommand(std::string& out, std::span<const std::string_view> argv) {
  char header[1 + kMaxInt64Chars + 2];
  header[0] = '*';
  size_t n = 1 + FormatInt64(static_cast<int64_t>(argv.size()), header + 1);
  header[n++] = '\r';
  header[n++] = '\n';
  out.append(header, n);
  for (std::string_view arg : argv) AppendBulk(out, arg);
}

void ReplyBuilder::AppendBulk(std::string& out, std::string_view data) {
  constexpr size_t kInline = 96;  // data up to this size travels in the stack chunk
  char chunk[1 + kMaxInt64Chars + 2 + kInline + 2];
  size_t n = 0;
  chunk[n++] = '$';
  if (data.size() < 10) {
    chunk[n++] = static_cast<char>('0' + data.size());
  } else {
    n += FormatInt64(static_cast<int64_t>(data.size()), chunk + n);
  }
  chunk[n++] = '\r';
  chunk[n++] = '\n';
  if (data.size() > kInline) {
    out.append(chunk, n);
    out.append(data);
    out.append("\r\n", 2);
    return;
  }
  data.copy(chunk + n, data.size());
  n += data.size();
  chunk[n++] = '\r';
  chunk[n++] = '\n';
  out.append(chunk, n);
}

void ReplyBuilder::Null() { buffer_.append(resp3() ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::NullArray() { buffer_.append(resp3() ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::Array(size_t length) { Header('*', length); }

void ReplyBuilder::Map(size_t pairs) { resp3() ? Header('%', pairs) : Header('*', pairs * 2); }

void ReplyBuilder::Set(size_t length) { Header(resp3() ? '~' : '*', length); }

void ReplyBuilder::Push(size_t length) { Header(resp3() ? '>' : '*', length); }

void ReplyBuilder::Double(double value) {
  char text[kMaxDoubleChars];
  size_t n = FormatDouble(value, text);
  if (resp3()) return Line(',', std::string_view(text, n));
  Bulk(std::string_view(text, n));
}

void ReplyBuilder::Bool(bool value) {
  if (resp3()) return buffer_.append(value ? "#t\r\n" : "#f\r\n"), void();
  Integer(value ? 1 : 0);
}

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (!resp3()) return Bulk(digits);
  Line('(', digits);
}

void ReplyBuilder::Attribute(size_t pairs) {
  if (resp3()) Header('|', pairs);
}

void ReplyBuilder::Verbatim(std::string_view text) {
  if (!resp3()) return Bulk(text);
  Header('=', text.size() + 4);
  buffer_.append("txt:", 4);
  buffer_.append(text);
  buffer_.append("\r\n", 2);
}

}  // namespace magnetar::resp
