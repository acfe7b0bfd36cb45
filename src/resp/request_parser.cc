#include "magnetar/resp/request_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "magnetar/common/numbers.h"

namespace magnetar::resp {
namespace {

// Before AUTH, Redis caps a multibulk at 10 arguments and a bulk at 16 KiB.
constexpr int64_t kUnauthenticatedMaxArgs = 10;
constexpr int64_t kUnauthenticatedMaxBulk = 16 * 1024;

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsWordEnd(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Finds `terminator` in a protocol line the way Redis's strchr() over its query buffer does: a
// NUL byte before it hides it, and the request then waits for more input like an unfinished line.
size_t FindLineEnd(std::string_view input, size_t from, char terminator) {
  for (size_t i = from; i < input.size(); ++i) {
    if (input[i] == terminator) return i;
    if (input[i] == '\0') return std::string_view::npos;
  }
  return std::string_view::npos;
}

// Reads a canonical protocol length at `*pos` (1 to 9 digits, no sign, no leading zero, then
// CRLF) and moves past it; anything else, including the end of the input, returns -1.
int64_t ReadLength(std::string_view input, size_t* pos) {
  size_t p = *pos;
  if (p >= input.size() || input[p] < '1' || input[p] > '9') return -1;
  int64_t value = input[p++] - '0';
  for (size_t digits = 1; p < input.size() && input[p] >= '0' && input[p] <= '9'; ++digits) {
    if (digits == 9) return -1;
    value = value * 10 + (input[p++] - '0');
  }
  if (p + 1 >= input.size() || input[p] != '\r' || input[p + 1] != '\n') return -1;
  *pos = p + 2;
  return value;
}

}  // namespace

bool SplitInlineArgs(std::string_view line, std::string& storage,
                     std::vector<std::pair<size_t, size_t>>& spans) {
  // Redis splits a C string: an embedded NUL ends the line.
  line = line.substr(0, std::min(line.size(), line.find('\0')));
  size_t p = 0;
  const size_t n = line.size();
  auto at = [&](size_t i) { return i < n ? line[i] : '\0'; };
  while (true) {
    while (p < n && IsSpace(line[p])) ++p;
    if (p >= n) return true;
    size_t start = storage.size();
    bool in_double = false, in_single = false, done = false;
    while (!done) {
      char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          storage.push_back(static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          char e = at(++p);
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          storage.push_back(e);
        } else if (c == '"') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          storage.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          storage.push_back('\'');
          ++p;
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          storage.push_back(c);
        }
      } else if (c == '\0' || IsWordEnd(c)) {
        done = true;
      } else if (c == '"') {
        in_double = true;
      } else if (c == '\'') {
        in_single = true;
      } else {
        storage.push_back(c);
      }
      if (p < n) ++p;
    }
    spans.emplace_back(start, storage.size() - start);
  }
}

void RequestParser::Reset() {
  multibulk_left_ = -1;
  bulk_len_ = -1;
  pos_ = 0;
  spans_.clear();
  bytes_wanted_ = 0;
}

ParseStatus RequestParser::Fail(std::string_view message) {
  error_.assign("ERR Protocol error: ").append(message);
  Reset();
  return ParseStatus::kError;
}

ParseStatus RequestParser::NeedMore(std::string_view input) {
  if (input.size() - pos_ > limits_->max_query_buffer) {
    Reset();
    return ParseStatus::kOverflow;
  }
  return ParseStatus::kNeedMore;
}

ParseStatus RequestParser::Done(size_t consumed) {
  consumed_ = consumed;
  Reset();
  return ParseStatus::kRequest;
}

ParseStatus RequestParser::Parse(std::string_view input) {
  if (ahead_next_ < ahead_.size() && TakeLookedAhead(input)) return ParseStatus::kRequest;
  ParseStatus status = ParseFresh(input);
  current_ = args_;
  return status;
}

ParseStatus RequestParser::ParseFresh(std::string_view input) {
  consumed_ = 0;
  args_.clear();
  if (input.empty()) return ParseStatus::kNeedMore;
  if (multibulk_left_ < 0 && input[0] == '*') {
    if (size_t bytes = ParseWholeMultibulk(input, CurrentWholeLimits(), args_)) {
      consumed_ = bytes;
      return ParseStatus::kRequest;
    }
  }
  if (multibulk_left_ >= 0 || input[0] == '*') return ParseMultibulk(input);
  return ParseInline(input);
}

bool RequestParser::TakeLookedAhead(std::string_view input) {
  const LookedAhead& next = ahead_[ahead_next_];
  if (input.data() != next.begin || input.size() < next.bytes || multibulk_left_ >= 0 ||
      CurrentWholeLimits() != ahead_limits_) {
    DropLookAhead();
    return false;
  }
  ++ahead_next_;
  consumed_ = next.bytes;
  current_ = std::span<const std::string_view>(ahead_args_).subspan(next.first_arg, next.argc);
  return true;
}

size_t RequestParser::LookAhead(std::string_view input, size_t max) {
  DropLookAhead();
  if (multibulk_left_ >= 0) return 0;
  ahead_limits_ = CurrentWholeLimits();
  size_t pos = 0;
  while (ahead_.size() < max && pos < input.size() && input[pos] == '*') {
    size_t first = ahead_args_.size();
    size_t bytes = ParseWholeMultibulk(input.substr(pos), ahead_limits_, ahead_args_);
    if (bytes == 0) break;
    ahead_.push_back({input.data() + pos, bytes, first, ahead_args_.size() - first});
    pos += bytes;
  }
  return ahead_.size();
}

std::span<const std::string_view> RequestParser::looked_ahead(size_t i) const {
  return std::span<const std::string_view>(ahead_args_)
      .subspan(ahead_[i].first_arg, ahead_[i].argc);
}

size_t RequestParser::looked_ahead_bytes() const {
  if (ahead_.empty()) return 0;
  return static_cast<size_t>(ahead_.back().begin - ahead_.front().begin) + ahead_.back().bytes;
}

void RequestParser::DropLookAhead() {
  ahead_.clear();
  ahead_args_.clear();
  ahead_next_ = 0;
}

RequestParser::WholeLimits RequestParser::CurrentWholeLimits() const {
  // Until the client authenticates, Redis refuses large multibulk and bulk headers.
  int64_t max_bulk = auth_required_ ? kUnauthenticatedMaxBulk : limits_->max_bulk_len;
  max_bulk = std::min<int64_t>(max_bulk, static_cast<int64_t>(limits_->max_query_buffer) - 2);
  return {auth_required_ ? kUnauthenticatedMaxArgs : INT64_MAX, max_bulk};
}

size_t RequestParser::ParseWholeMultibulk(std::string_view input, const WholeLimits& limits,
                                          std::vector<std::string_view>& out) const {
  size_t pos = 1;
  int64_t count = ReadLength(input, &pos);
  if (count < 0 || count > limits.max_args) return 0;
  const size_t first = out.size();
  for (int64_t i = 0; i < count; ++i) {
    if (pos >= input.size() || input[pos] != '$') break;
    size_t header = ++pos;
    int64_t len = ReadLength(input, &pos);
    if (len < 0 && input.substr(header, 3) == "0\r\n") {  // "$0" is canonical too
      pos = header + 3;
      len = 0;
    }
    if (len < 0 || len > limits.max_bulk) break;
    size_t end = pos + static_cast<size_t>(len) + 2;
    if (end > input.size()) break;
    out.emplace_back(input.data() + pos, static_cast<size_t>(len));
    pos = end;
  }
  if (out.size() - first != static_cast<size_t>(count)) {
    out.resize(first);
    return 0;
  }
  return pos;
}

ParseStatus RequestParser::ParseInline(std::string_view input) {
  size_t newline = FindLineEnd(input, 0, '\n');
  if (newline == std::string_view::npos) {
    if (input.size() > limits_->max_inline_len) return Fail("too big inline request");
    return NeedMore(input);
  }
  std::string_view line = input.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  inline_storage_.clear();
  spans_.clear();
  if (!SplitInlineArgs(line, inline_storage_, spans_)) {
    return Fail("unbalanced quotes in request");
  }
  for (auto [offset, length] : spans_) {
    args_.emplace_back(inline_storage_.data() + offset, length);
  }
  return Done(newline + 1);
}

ParseStatus RequestParser::ParseMultibulk(std::string_view input) {
  if (multibulk_left_ < 0) {
    size_t cr = FindLineEnd(input, 0, '\r');
    if (cr == std::string_view::npos) {
      if (input.size() > limits_->max_inline_len) return Fail("too big mbulk count string");
      return NeedMore(input);
    }
    if (cr + 1 >= input.size()) return NeedMore(input);  // "\n" not here yet
    auto count = ParseInt64(input.substr(1, cr - 1));
    if (!count || *count > INT_MAX) return Fail("invalid multibulk length");
    if (auth_required_ && *count > kUnauthenticatedMaxArgs) {
      return Fail("unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    if (*count <= 0) return Done(pos_);  // an empty request: nothing to run
    multibulk_left_ = *count;
  }
  while (multibulk_left_ > 0) {
    if (bulk_len_ < 0) {
      size_t cr = FindLineEnd(input, pos_, '\r');
      if (cr == std::string_view::npos) {
        if (input.size() - pos_ > limits_->max_inline_len) return Fail("too big bulk count string");
        return NeedMore(input);
      }
      if (cr + 1 >= input.size()) return NeedMore(input);
      if (input[pos_] != '$') {
        return Fail(std::string("expected '$', got '") + input[pos_] + "'");
      }
      auto len = ParseInt64(input.substr(pos_ + 1, cr - pos_ - 1));
      if (!len || *len < 0 || *len > limits_->max_bulk_len) return Fail("invalid bulk length");
      if (auth_required_ && *len > kUnauthenticatedMaxBulk) {
        return Fail("unauthenticated bulk length");
      }
      bulk_len_ = *len;
      pos_ = cr + 2;
      if (static_cast<size_t>(bulk_len_) + 2 > limits_->max_query_buffer) {
        Reset();
        return ParseStatus::kOverflow;
      }
    }
    // The bulk's trailing CRLF is skipped unchecked, as Redis does.
    size_t end = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (end > input.size()) {
      bytes_wanted_ = end;
      return NeedMore(input);
    }
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = end;
    bulk_len_ = -1;
    --multibulk_left_;
  }
  for (auto [offset, length] : spans_) args_.push_back(input.substr(offset, length));
  return Done(pos_);
}

}  // namespace magnetar::resp
