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
  const bool refusable = RefusedWhenOutOfMemory(client, spec);
  // Redis runs an eviction slice before every command while over the limit. A command that would
  // not be refused (a read, PING) gains nothing by waiting for one while the timer is already
  // evicting slice by slice, and would wait up to 500 µs: after a large CONFIG SET maxmemory
  // that made every read of the next seconds 0.5-1.5 ms slower.
  if (!refusable && server.evicting_in_background()) return {};
  if (server.Evict() != engine::EvictionResult::kFail || !refusable) return {};
  return ErrorText(OpStatus::kOutOfMemory);
}

}  // namespace magnetar::server
