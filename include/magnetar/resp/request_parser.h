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
  // Looks ahead at a pipelined batch: parses up to `max` whole requests at the front of `input`
  // (multibulks of canonical lengths, when no request is half parsed) without consuming them, and
  // returns how many. looked_ahead(i) gives the i-th one's arguments, so the caller can prefetch
  // what they will touch. Parse then returns them in turn without parsing them again, as long as
  // each is passed at the same address and the limits it was parsed under still hold; anything
  // else drops them and parses afresh.
  size_t LookAhead(std::string_view input, size_t max);
  std::span<const std::string_view> looked_ahead(size_t i) const;
  // The bytes the requests looked at take, from the front of LookAhead's input.
  size_t looked_ahead_bytes() const;
  // Forgets the requests looked at. The caller must call it before it moves or rewrites the bytes
  // they view, or consumes them without Parse.
  void DropLookAhead();

  // After kRequest: the arguments, viewing `input` or the parser's own storage (inline requests
  // with escapes). Valid until the next Parse call or until the caller changes its buffer.
  std::span<const std::string_view> args() const { return current_; }
  // After kRequest: how many bytes the request took. After kNeedMore: 0.
  size_t consumed() const { return consumed_; }
  // After kError: the reply text without the leading "-", e.g. "ERR Protocol error: ...".
  std::string_view error() const { return error_; }
  // After kNeedMore inside a bulk: how many bytes the whole request needs at least, so the
  // caller can reserve once. 0 when unknown.
  size_t bytes_wanted() const { return bytes_wanted_; }

 private:
  // The limits a whole request is parsed under: a request looked at under others is parsed again.
  struct WholeLimits {
    int64_t max_args;
    int64_t max_bulk;
    bool operator==(const WholeLimits&) const = default;
  };
  WholeLimits CurrentWholeLimits() const;
  // Parse's first try, the look-ahead's only one: one pass over a request of canonical lengths,
  // appending its arguments to `out`. Returns the bytes it takes, or 0 (and `out` as it was) when
  // it declines; the incremental path below then takes the request and reports its errors.
  size_t ParseWholeMultibulk(std::string_view input, const WholeLimits& limits,
                             std::vector<std::string_view>& out) const;
  // Parse's way through a request looked at before: true when `input` is it.
  bool TakeLookedAhead(std::string_view input);
  ParseStatus ParseFresh(std::string_view input);
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
  std::span<const std::string_view> current_;  // args(): args_, or a request looked at before

  struct LookedAhead {
    const char* begin;  // where the request starts in the caller's buffer
    size_t bytes;
    size_t first_arg;  // in ahead_args_
    size_t argc;
  };
  std::vector<LookedAhead> ahead_;
  size_t ahead_next_ = 0;  // the next of ahead_ that Parse returns
  std::vector<std::string_view> ahead_args_;
  WholeLimits ahead_limits_{};
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
