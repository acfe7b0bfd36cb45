#include "full_sync.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "magnetar/common/clock.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/server/client.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "snapshot_file_job.h"

namespace magnetar::server {
namespace {

// The walk runs in slices this long between client requests, as a BGSAVE's does.
constexpr int64_t kSliceUs = 500;
// While a replica's socket has this much of the RDB still to take, the walk waits for it rather
// than holding more of the dataset in memory.
constexpr size_t kMaxPendingBytes = 8 << 20;

int64_t NowMs() { return MonotonicUs() / 1000; }

}  // namespace

FullSync::FullSync(Server& server, Replication& replication)
    : server_(server),
      replication_(replication),
      timer_(server.loop().AddTimer([this] { OnTimer(); })) {}

FullSync::~FullSync() = default;

void FullSync::Add(Client& replica) {
  if (waiting_.empty()) first_waiting_ms_ = NowMs();
  waiting_.push_back(&replica);
  if (snapshot_ == nullptr) Arm(0);
}

void FullSync::Remove(Client& replica) {
  std::erase(waiting_, &replica);
  if (std::erase(targets_, &replica) == 0 || !targets_.empty() || snapshot_ == nullptr) return;
  // Nobody receives this snapshot any more: its walk only marks entries from now on.
  snapshot_->Abandon();
  Arm(0);
}

void FullSync::Arm(int64_t delay_ms) { server_.loop().ArmTimer(timer_, delay_ms); }

void FullSync::OnTimer() {
  if (snapshot_ != nullptr) {
    if (!snapshot_->abandoned() && Backlog() > kMaxPendingBytes) return Arm(1);
    if (!snapshot_->Step(MonotonicUs() + kSliceUs)) return Arm(0);
    return Finish();
  }
  if (waiting_.empty()) return;
  const Config& config = server_.config();
  const int64_t wait_ms = config.repl_diskless_sync_delay * 1000 - (NowMs() - first_waiting_ms_);
  const bool enough =
      config.repl_diskless_sync_max_replicas > 0 &&
      static_cast<int64_t>(waiting_.size()) >= config.repl_diskless_sync_max_replicas;
  if (wait_ms > 0 && !enough) return Arm(std::min<int64_t>(wait_ms, 100));
  Begin();
}

void FullSync::Begin() {
  targets_.swap(waiting_);
  waiting_.clear();
  const uint64_t offset = replication_.offset();
  eof_mark_ = RandomHexId();
  crc_ = 0;
  persistence::RdbSnapshotOptions options = RdbOptions(server_);
  options.aux.insert(options.aux.end(), {{"repl-stream-db", "0"},
                                         {"repl-id", replication_.replid()},
                                         {"repl-offset", std::to_string(offset)},
                                         {"aof-base", "0"}});
  const std::string header = fmt::format("+FULLRESYNC {} {}\r\n", replication_.replid(), offset);
  for (Client* replica : targets_) {
    std::string& out = replica->reply().buffer();
    if (!replica->replica->old_sync) out += header;
    out += "$EOF:" + eof_mark_ + "\r\n";
    replica->replica->phase = ReplicaState::Phase::kTransfer;
    replica->replica->held.clear();
    replica->connection().ScheduleFlush();
  }
  spdlog::info("Starting BGSAVE for SYNC with target: replicas sockets");
  // The stream each replica gets after its RDB starts with a SELECT.
  server_.propagator().ForgetSelectedDb();
  sink_ =
      std::make_unique<persistence::RdbSnapshotSink>(server_.keyspace(), *this, std::move(options));
  sink_->Begin();
  snapshot_ = std::make_unique<engine::Snapshot>(server_.keyspace(), *sink_);
  Arm(0);
}

void FullSync::Push(std::string chunk) {
  if (server_.config().rdbchecksum) {
    crc_ = persistence::Crc64(crc_, {reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()});
  }
  for (Client* replica : targets_) {
    replica->reply().buffer() += chunk;
    replica->connection().ScheduleFlush();
  }
}

size_t FullSync::Backlog() const {
  size_t most = 0;
  for (const Client* replica : targets_) {
    most = std::max(most, replica->connection().output_pending());
  }
  return most;
}

void FullSync::Finish() {
  const bool abandoned = snapshot_->abandoned();
  snapshot_.reset();
  if (!abandoned) sink_->Finish();
  sink_.reset();
  std::string tail(8, '\0');
  for (size_t i = 0; i < 8; ++i) tail[i] = static_cast<char>((crc_ >> (8 * i)) & 0xff);
  tail += eof_mark_;
  std::vector<Client*> done;
  done.swap(targets_);
  for (Client* replica : done) {
    replica->reply().buffer() += tail;
    replication_.TransferDone(*replica);
  }
  if (!done.empty()) {
    spdlog::info("Diskless rdb transfer, done reading from pipe, {} replicas still up.",
                 done.size());
  }
  // Replicas that arrived meanwhile get the next snapshot.
  if (!waiting_.empty()) Arm(0);
}

}  // namespace magnetar::server
