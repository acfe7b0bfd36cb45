#include "command_families.h"

#include "magnetar/commands/families.h"
#include "server_families.h"

namespace magnetar::server {

void RegisterAllCommands(commands::CommandRegistry& registry) {
  registry.Add(ConnectionCommands());
  registry.Add(AdminCommands());
  registry.Add(CommandCommands());
  registry.Add(InfoCommands());
  registry.Add(MemoryCommands());
  registry.Add(ClientCommands());
  registry.Add(ConfigCommands());
  registry.Add(SlowlogCommands());
  registry.Add(LatencyCommands());
  registry.Add(MonitorCommands());
  registry.Add(PersistenceCommands());
  registry.Add(ReplicationCommands());
  registry.Add(TransactionCommands());
  registry.Add(PubSubCommands());
  registry.Add(commands::StringCommands());
  registry.Add(commands::KeyCommands());
  registry.Add(commands::KeyMoveCommands());
  registry.Add(commands::ExpireCommands());
  registry.Add(commands::ScanCommands());
  registry.Add(commands::ObjectCommands());
  registry.Add(commands::BitmapCommands());
  registry.Add(commands::HyperLogLogCommands());
  registry.Add(commands::HashCommands());
  registry.Add(commands::SetCommands());
  registry.Add(commands::SetAlgebraCommands());
  registry.Add(commands::ListCommands());
  registry.Add(commands::ZSetCommands());
  registry.Add(commands::ZSetRangeCommands());
  registry.Add(commands::ZSetPopCommands());
  registry.Add(commands::DumpRestoreCommands());
  registry.Add(commands::ZSetAlgebraCommands());
  registry.Add(commands::GeoCommands());
  registry.Add(commands::GeoSearchCommands());
  registry.Add(commands::SortCommands());
}

}  // namespace magnetar::server
