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

// Redis's buffer for long double text (MAX_LONG_DOUBLE_CHARS): ParseLongDouble rejects texts this
// long or longer, and FormatLongDouble needs this much room (the largest finite long double printed
// with 17 decimals takes under 5000 characters).
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Accepts what Redis's string2ld accepts (INCRBYFLOAT, HINCRBYFLOAT operands): the whole text is a
// strtold number ("inf" and hex floats included), no leading space, not NaN, neither overflowing
// to infinity nor underflowing to zero, shorter than kMaxLongDoubleChars.
std::optional<long double> ParseLongDouble(std::string_view text);

// Writes `value` in Redis's human-friendly long double form, as INCRBYFLOAT stores and replies it:
// "%.17Lf" with trailing zeros and a trailing '.' removed, "-0" written as "0", infinities as
// "inf"/"-inf". `out` must hold kMaxLongDoubleChars; returns the length written.
size_t FormatLongDouble(long double value, char* out);

}  // namespace magnetar
