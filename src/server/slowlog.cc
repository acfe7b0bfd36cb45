#include "magnetar/server/slowlog.h"

#include <fmt/format.h>

#include <algorithm>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_spec.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/client.h"
#include "magnetar/server/server.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using commands::EqualsIgnoreCase;

// Redis 7.0's limits on what an entry keeps: the last kept argument then says how many were
// left out, and a longer argument keeps its first kMaxArgBytes bytes.
constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgBytes = 128;

std::string LoggedArg(std::string_view arg) {
  if (arg.size() <= kMaxArgBytes) return std::string(arg);
  return fmt::format("{}... ({} more bytes)", arg.substr(0, kMaxArgBytes),
                     arg.size() - kMaxArgBytes);
}

}  // namespace

bool IsRedactedArgument(std::string_view command, std::span<const std::string_view> args,
                        size_t i) {
  if (command == "auth") return i >= 1;
  if (command == "hello") {
    // HELLO's options as HELLO reads them, up to the first it cannot.
    for (size_t j = 2; j < i; ++j) {
      const size_t more = args.size() - 1 - j;
      if (EqualsIgnoreCase(args[j], "auth") && more >= 2) {
        if (i <= j + 2) return true;
        j += 2;
      } else if (EqualsIgnoreCase(args[j], "setname") && more >= 1) {
        ++j;
      } else {
        return false;
      }
    }
    return false;
  }
  if (command == "config|set" && i >= 3 && i % 2 == 1) {
    constexpr std::string_view kSecrets[] = {"requirepass", "masterauth", "tls-key-file-pass",
                                             "tls-client-key-file-pass"};
    return std::ranges::any_of(
        kSecrets, [&](std::string_view name) { return EqualsIgnoreCase(args[i - 1], name); });
  }
  return false;
}

void Slowlog::Add(const commands::CommandSpec& spec, std::span<const std::string_view> args,
                  int64_t duration_us, int64_t unix_seconds, std::string client_address,
                  std::string client_name, size_t max_len) {
  SlowlogEntry entry{
      next_id_++, unix_seconds, duration_us, {}, std::move(client_address), std::move(client_name)};
  const size_t kept = std::min(args.size(), kMaxArgs);
  entry.args.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept < args.size() && i == kept - 1) {
      entry.args.push_back(fmt::format("... ({} more arguments)", args.size() - i));
    } else if (IsRedactedArgument(spec.name, args, i)) {
      entry.args.emplace_back("(redacted)");
    } else {
      entry.args.push_back(LoggedArg(args[i]));
    }
  }
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

void LogSlowCommand(Server& server, const Client& client, const commands::CommandSpec& spec,
                    std::span<const std::string_view> args, int64_t duration_us, int64_t end_us) {
  if ((spec.flags & commands::kSkipSlowlog) || server.blocking().IsBlocked(client)) return;
  const Config& config = server.config();
  server.slowlog().Add(spec, args, duration_us, server.clock().NowUsAt(end_us) / 1'000'000,
                       PeerAddress(server, client), client.name,
                       static_cast<size_t>(config.slowlog_max_len));
}

}  // namespace magnetar::server
