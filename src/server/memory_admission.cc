#include "memory_admission.h"

#include "magnetar/common/status.h"
#include "magnetar/server/client.h"
#include "magnetar/server/server.h"

namespace magnetar::server {
namespace {

// Redis refuses deny-oom commands, EXEC of a transaction that queued one, and every command a
// client in MULTI would queue (a queue can grow without bound), but never EXEC, DISCARD, QUIT or
// RESET themselves.
bool RefusedWhenOutOfMemory(Client& client, const commands::CommandSpec& spec) {
  if (spec.flags & commands::kDenyOom) return true;
  if (!client.transaction.active()) return false;
  std::string_view name = spec.name;
  if (name == "exec") {
    bool denies = false;
    client.transaction.ForEach([&](const commands::RegisteredCommand* queued, auto) {
      denies = denies || (queued->spec->flags & commands::kDenyOom) != 0;
    });
    return denies;
  }
  return name != "discard" && name != "quit" && name != "reset";
}

}  // namespace

std::string_view OutOfMemoryRefusal(Server& server, Client& client,
                                    const commands::CommandSpec& spec) {
  if (server.Evict() != engine::EvictionResult::kFail) return {};
  if (!RefusedWhenOutOfMemory(client, spec)) return {};
  return ErrorText(OpStatus::kOutOfMemory);
}

}  // namespace magnetar::server
