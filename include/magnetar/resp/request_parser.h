// Sans-I/O RESP request parser: bytes in, one request (argv), need-more, or a protocol error out.
//
// The parser is incremental: it remembers how far into the current request it got, so a request
// that arrives in many reads (a 500 MB bulk, a multibulk of millions of arguments) is scanned
// once, not re-parsed from the start on every read. The caller owns the bytes. Its contract:
// every call passes the unconsumed bytes starting at the first byte of the current request
// (bytes may be appended, and the buffer may move, between calls); after kRequest it drops
// consumed() bytes from the front before the next call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::resp {

struct ParserLimits {
  int64_t max_bulk_len = 512ll * 1024 * 1024;  // proto-max-bulk-len
  // A line (inline request, or a '*'/'$' header) longer than this without a newline is refused.
  size_t max_inline_len = 64 * 1024;
  // client-query-buffer-limit: how many bytes of a request may wait, not yet parsed into complete
  // arguments. A bulk argument counts whole, since Redis reads one into its query buffer in one
  // piece; many small arguments do not add up.
  size_t max_query_buffer = 1024ull * 1024 * 1024;
};

// kOverflow: the client exceeded max_query_buffer; Redis closes such a client without a reply.
enum class ParseStatus { kRequest, kNeedMore, kError, kOverflow };

class RequestParser {
 public:
  explicit RequestParser(const ParserLimits& limits) : limits_(&limits) {}

  // Until the client authenticates, Redis refuses large multibulk and bulk headers so an anonymous
  // client cannot make the server reserve memory.
  void set_auth_required(bool required) { auth_required_ = required; }

  ParseStatus Parse(std::string_view input);
  // Parses `input`'s first request only if it is a whole multibulk request of canonical lengths
  // and no request is half parsed; otherwise returns false and records nothing, so the request
  // can be parsed again later by either method. On true, args() and consumed() are set. Lets a
  // caller look ahead at the requests of a pipelined batch before running them.
  bool ParseWhole(std::string_view input);

  // After kRequest: the arguments, viewing `input` or the parser's own storage (inline requests
  // with escapes). Valid until the next Parse call or until the caller changes its buffer.
  std::span<const std::string_view> args() const { return args_; }
  // After kRequest: how many bytes the request took. After kNeedMore: 0.
  size_t consumed() const { return consumed_; }
  // After kError: the reply text without the leading "-", e.g. "ERR Protocol error: ...".
  std::string_view error() const { return error_; }
  // After kNeedMore inside a bulk: how many bytes the whole request needs at least, so the
  // caller can reserve once. 0 when unknown.
  size_t bytes_wanted() const { return bytes_wanted_; }

 private:
  // ParseWhole's work: one pass over a request of canonical lengths. When it declines, the
  // incremental path below takes the request (and reports its errors).
  bool ParseWholeMultibulk(std::string_view input);
  ParseStatus ParseMultibulk(std::string_view input);
  ParseStatus ParseInline(std::string_view input);
  ParseStatus Fail(std::string_view message);
  // kNeedMore, or kOverflow when the unparsed part of `input` is over the query buffer limit.
  ParseStatus NeedMore(std::string_view input);
  ParseStatus Done(size_t consumed);
  void Reset();

  const ParserLimits* limits_;
  bool auth_required_ = false;

  // Progress through the current multibulk request.
  int64_t multibulk_left_ = -1;                   // -1: the header is not parsed yet
  int64_t bulk_len_ = -1;                         // -1: the next '$' header is not parsed yet
  size_t pos_ = 0;                                // offset in the request where parsing resumes
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of each parsed argument

  std::vector<std::string_view> args_;
  std::string inline_storage_;  // unescaped inline arguments
  size_t consumed_ = 0;
  size_t bytes_wanted_ = 0;
  std::string error_;
};

// Splits an inline command line the way Redis does: whitespace-separated words, "double quotes"
// with \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' with \' only. Returns false on
// unbalanced quotes (or a closing quote not followed by a space). Words are appended to `storage`
// and their (offset, length) to `spans`.
bool SplitInlineArgs(std::string_view line, std::string& storage,
                     std::vector<std::pair<size_t, size_t>>& spans);

}  // namespace magnetar::resp
