// Number parsing and formatting with Redis's rules, which are stricter than strtoll/strtod:
// no leading '+', spaces or zeros for integers, no NaN for doubles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace magnetar {

// Longest text FormatInt64 writes ("-9223372036854775808").
inline constexpr size_t kMaxInt64Chars = 20;
// Room for FormatDouble's "%.17g" output.
inline constexpr size_t kMaxDoubleChars = 32;

// Accepts exactly what Redis's string2ll accepts: optional '-', digits, no leading zeros,
// "0" alone, within int64 range.
std::optional<int64_t> ParseInt64(std::string_view text);

// Accepts what Redis's string2d accepts: the whole text is a strtod number (inf included),
// no leading space, not NaN, not out of range.
std::optional<double> ParseDouble(std::string_view text);

// Writes the decimal text of `value` into `out` (at least kMaxInt64Chars) and returns its length.
size_t FormatInt64(int64_t value, char* out);

// Writes `value` as Redis writes doubles in replies ("%.17g", "inf", "-inf") into `out` (at least
// kMaxDoubleChars) and returns its length.
size_t FormatDouble(double value, char* out);

}  // namespace magnetar
