#include "config_values.h"

#include <fmt/format.h>

#include <cstdlib>

#include "magnetar/commands/arg_parser.h"

namespace magnetar::server {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t multiplier;
};

constexpr Unit kUnits[] = {
    {"", 1},
    {"b", 1},
    {"k", 1000},
    {"kb", 1024},
    {"m", 1000 * 1000},
    {"mb", 1024 * 1024},
    {"g", 1000ull * 1000 * 1000},
    {"gb", 1024ull * 1024 * 1024},
};

// Redis copies the digits into a 128-byte buffer and refuses longer numbers.
constexpr size_t kMaxMemoryDigits = 127;

}  // namespace

std::optional<int64_t> ParseMemory(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view suffix = text.substr(digits);
  const Unit* unit = nullptr;
  for (const Unit& candidate : kUnits) {
    if (commands::EqualsIgnoreCase(suffix, candidate.suffix)) unit = &candidate;
  }
  if (!unit || digits > kMaxMemoryDigits) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    // strtoull saturates where the digits overflow; Redis does not look at errno.
    if (value > (UINT64_MAX - digit) / 10) {
      value = UINT64_MAX;
      break;
    }
    value = value * 10 + digit;
  }
  // The multiplication wraps as Redis's unsigned arithmetic does.
  return static_cast<int64_t>(value * unit->multiplier);
}

std::optional<int64_t> ParseCLong(std::string_view text, int base) {
  std::string copy(text);
  char* end = nullptr;

  long long value = std::strtoll(copy.c_str(), &end, base);
  if (*end != '\0') return std::nullopt;
  return value;
}

std::optional<bool> ParseYesNo(std::string_view text) {
  if (commands::EqualsIgnoreCase(text, "yes")) return true;
  if (commands::EqualsIgnoreCase(text, "no")) return false;
  return std::nullopt;
}

std::string FormatMemory(int64_t bytes) {
  constexpr int64_t kKb = 1024, kMb = 1024 * kKb, kGb = 1024 * kMb;
  if (bytes != 0 && bytes % kGb == 0) return fmt::format("{}gb", bytes / kGb);
  if (bytes != 0 && bytes % kMb == 0) return fmt::format("{}mb", bytes / kMb);
  if (bytes != 0 && bytes % kKb == 0) return fmt::format("{}kb", bytes / kKb);
  return std::to_string(bytes);
}

std::string FormatPercentile(double percentile) {
  std::string text = fmt::format("{:f}", percentile);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string QuoteArg(std::string_view text) {
  std::string out;
  AppendQuotedArg(out, text);
  return out;
}

void AppendQuotedArg(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '\\':
      case '"':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\a':
        out.append("\\a");
        break;
      case '\b':
        out.append("\\b");
        break;
      default:
        if (c >= ' ' && c <= '~') {
          out.push_back(c);
        } else {
          fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned char>(c));
        }
    }
  }
  out.push_back('"');
}

std::string LowerCase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::string RangeError(int64_t min, int64_t max) {
  return fmt::format("argument must be between {} and {} inclusive", min, max);
}

}  // namespace magnetar::server
