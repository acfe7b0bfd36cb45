// The cursor and options SCAN and the per-type scans (SSCAN...) read alike. Private to
// src/commands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "magnetar/commands/command_context.h"

namespace magnetar::commands {

// A cursor as Redis reads it (strtoul): an optional sign, decimal digits, nothing after them. A
// negative number wraps around; an empty argument is 0; leading spaces are refused.
std::optional<uint64_t> ParseCursor(std::string_view text);

struct ScanOptions {
  int64_t count = 10;
  std::optional<std::string_view> pattern;  // unset: every element
  std::optional<std::string_view> type;
};

// Parses MATCH, COUNT and, with `allow_type` (SCAN only), TYPE from args[start]; replies with the
// error and returns nullopt on a bad one.
std::optional<ScanOptions> ParseScanOptions(CommandContext& ctx, size_t start, bool allow_type);

}  // namespace magnetar::commands
