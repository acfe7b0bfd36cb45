// The steps of the write path that several families share: deleting a key the way the command
// (and the lazyfree-lazy-* settings) say, and the deterministic forms Redis 7.0 propagates for a
// deadline or a deletion in place of the command that caused it. Private to src/commands.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "magnetar/commands/command_context.h"

namespace magnetar::commands {

// Removes `key`; with `lazy` a large value is freed on the lazy-free thread (UNLINK's way).
// True when the key existed. Reports nothing.
bool DeleteKey(engine::Database& db, std::string_view key, bool lazy);

// Deletes `key` as the whole effect of the command (GETDEL, or a deadline given in the past):
// raises "del" and propagates `DEL key`, or `UNLINK key` when `lazy`, in place of the command.
// True when the key existed; nothing is reported otherwise.
bool DeleteInsteadOfCommand(CommandContext& ctx, std::string_view key, bool lazy);

// Whether a deadline given as `deadline_ms` at `now_ms` deletes the key at once (Redis's
// checkAlreadyExpired): it is not in the future, and this server decides when keys are gone. The
// primary's stream and the AOF being replayed file the deadline as sent instead (a PERSIST made
// before it may follow); the key then expires when the primary says, or after the load.
bool DeadlineDeletesAtOnce(const CommandContext& ctx, int64_t deadline_ms, int64_t now_ms);

// Gives the existing `key` the absolute deadline `deadline_ms` (in the future) and raises
// "expire". The caller decides how the command propagates.
void SetDeadline(CommandContext& ctx, std::string_view key, int64_t deadline_ms);

// Propagates `PEXPIREAT key deadline_ms` followed by `options` as the client sent them: how
// Redis writes every relative or second-based deadline.
void PropagateDeadline(CommandContext& ctx, std::string_view key, int64_t deadline_ms,
                       std::span<const std::string_view> options = {});

}  // namespace magnetar::commands
