// Value syntax shared by redis.conf, the command line and the CONFIG command: Redis's memory
// units, yes/no, C-style numbers, and the quoting CONFIG REWRITE writes strings back with. The
// parsers accept exactly what Redis 7.0 accepts, quirks included, so a file that loads in one
// loads in the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace magnetar::server {

// A memory amount: digits, then no unit or "b" (bytes), "k" (1000), "kb" (1024), "m", "mb",
// "g", "gb", in any case. No sign and no spaces. As in Redis, the digits may be empty (0) or
// have leading zeros, and an amount too large for 64 bits is not an error here: it wraps into a
// value (negative once read as signed) that the caller's range check then refuses.
std::optional<int64_t> ParseMemory(std::string_view text);

// strtoll's rules in `base`, as Redis applies them to unixsocketperm and the soft seconds of
// client-output-buffer-limit: leading blanks and a sign allowed, the whole text must be used,
// overflow saturates, and the empty text is 0.
std::optional<int64_t> ParseCLong(std::string_view text, int base);

// "yes" or "no", in any case.
std::optional<bool> ParseYesNo(std::string_view text);

// The form CONFIG REWRITE writes memory amounts in: "1gb", "64mb", "1kb" for whole multiples of
// 1024^n, plain bytes otherwise (0 included).
std::string FormatMemory(int64_t bytes);

// A percentile as Redis prints latency-tracking-info-percentiles and INFO latencystats' labels:
// "%f" without trailing zeros ("50", "99.9").
std::string FormatPercentile(double percentile);

// `text` in double quotes with Redis's escapes (\\ \" \n \r \t \a \b, \xHH for other
// non-printable bytes), as CONFIG REWRITE and the command line's directive text quote arguments.
std::string QuoteArg(std::string_view text);
// QuoteArg appending to `out` (MONITOR's lines, without a string per argument).
void AppendQuotedArg(std::string& out, std::string_view text);

std::string LowerCase(std::string_view text);

// Redis's reason for a number outside its range.
std::string RangeError(int64_t min, int64_t max);

}  // namespace magnetar::server
