#include "full_sync.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "magnetar/common/clock.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/server/client.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "snapshot_file_job.h"

namespace magnetar::server {
namespace {

// While a replica's socket has this much of the RDB still to take, the walk waits for it rather
// than holding more of the dataset in memory.
constexpr size_t kMaxPendingBytes = 8 << 20;

}  // namespace

FullSync::FullSync(Server& server, Replication& replication)
    : server_(server),
      replication_(replication),
      timer_(server.loop().AddTimer([this] { OnTimer(); })) {}

FullSync::~FullSync() {
  if (file_fd_ >= 0) close(file_fd_);
}

void FullSync::Add(Client& replica) {
  if (waiting_.empty()) first_waiting_ms_ = MonotonicMs();
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
  if (file_job_ != nullptr) return StepFile();
  if (file_fd_ >= 0) return SendFile();
  if (snapshot_ != nullptr) {
    if (!snapshot_->abandoned() && Backlog() > kMaxPendingBytes) return Arm(1);
    if (!WalkSlice(*snapshot_)) return Arm(0);
    return Finish();
  }
  if (waiting_.empty()) return;
  // Redis waits repl-diskless-sync-delay so that one fork serves every replica asking about then.
  // Beginning a forkless snapshot costs nothing, so the wait is kept only where it is asked for by
  // count: while fewer than repl-diskless-sync-max-replicas (when set) wait, for at most the delay.
  const Config& config = server_.config();
  const int64_t wait_ms =
      config.repl_diskless_sync_delay * 1000 - (MonotonicMs() - first_waiting_ms_);
  const bool gathering =
      static_cast<int64_t>(waiting_.size()) < config.repl_diskless_sync_max_replicas;
  if (gathering && wait_ms > 0) return Arm(std::min<int64_t>(wait_ms, 100));
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
  const Config& config = server_.config();
  const bool to_disk =
      !config.repl_diskless_sync || std::any_of(targets_.begin(), targets_.end(),
                                                [](Client* c) { return !c->replica->capa_eof; });
  const std::string header = fmt::format("+FULLRESYNC {} {}\r\n", replication_.replid(), offset);
  for (Client* replica : targets_) {
    std::string& out = replica->reply().buffer();
    if (!replica->replica->old_sync) out += header;
    if (!to_disk) out += "$EOF:" + eof_mark_ + "\r\n";
    replica->replica->phase = ReplicaState::Phase::kTransfer;
    replica->replica->held.clear();
    replica->connection().ScheduleFlush();
  }
  // The stream each replica gets after its RDB starts with a SELECT.
  server_.propagator().ForgetSelectedDb();
  if (to_disk) {
    spdlog::info("Starting BGSAVE for SYNC with target: disk");
    file_job_ = std::make_unique<SnapshotFileJob>();
    std::string error;
    if (!file_job_->Start(server_, config.dir, config.dbfilename, std::move(options),
                          config.rdb_save_incremental_fsync, error)) {
      file_job_.reset();
      return Abort(error);
    }
    file_fd_ = open(file_job_->file->temp_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (file_fd_ < 0) return Abort(std::strerror(errno));
    return Arm(0);
  }
  spdlog::info("Starting BGSAVE for SYNC with target: replicas sockets");
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
    if (replica->connection().closing()) continue;  // dropped: its output is gone
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
    replication_.TransferDone(*replica, /*await_ack=*/true);
  }
  if (!done.empty()) {
    spdlog::info("Diskless rdb transfer, done reading from pipe, {} replicas still up.",
                 done.size());
  }
  // Replicas that arrived meanwhile get the next snapshot.
  if (!waiting_.empty()) Arm(0);
}

void FullSync::StepFile() {
  int64_t delay_ms = 0;
  std::optional<persistence::RdbFileOutcome> outcome = file_job_->Advance(delay_ms);
  if (!outcome) return Arm(delay_ms);
  file_job_.reset();
  if (!outcome->ok) return Abort(outcome->error);
  struct stat info;
  if (fstat(file_fd_, &info) != 0) return Abort(std::strerror(errno));
  file_size_ = static_cast<uint64_t>(info.st_size);
  file_sent_ = 0;
  spdlog::info("Background RDB transfer started");
  const std::string header = fmt::format("${}\r\n", file_size_);
  for (Client* replica : targets_) replica->reply().buffer() += header;
  SendFile();
}

void FullSync::SendFile() {
  std::string chunk;
  while (!targets_.empty() && file_sent_ < file_size_ && Backlog() <= kMaxPendingBytes) {
    chunk.resize(static_cast<size_t>(std::min<uint64_t>(file_size_ - file_sent_, 1 << 20)));
    ssize_t n = pread(file_fd_, chunk.data(), chunk.size(), static_cast<off_t>(file_sent_));
    if (n <= 0) return Abort(n < 0 ? std::strerror(errno) : "the RDB file is shorter");
    chunk.resize(static_cast<size_t>(n));
    file_sent_ += static_cast<uint64_t>(n);
    for (Client* replica : targets_) {
      replica->reply().buffer() += chunk;
      replica->connection().ScheduleFlush();
    }
  }
  if (!targets_.empty() && file_sent_ < file_size_) return Arm(1);
  close(file_fd_);
  file_fd_ = -1;
  std::vector<Client*> done;
  done.swap(targets_);
  // The replica knows where the RDB ends: the stream can follow at once.
  for (Client* replica : done) replication_.TransferDone(*replica, /*await_ack=*/false);
  if (!waiting_.empty()) Arm(0);
}

void FullSync::Abort(std::string_view why) {
  spdlog::warn("Full sync aborted: {}", why);
  if (file_fd_ >= 0) close(file_fd_);
  file_fd_ = -1;
  std::vector<Client*> dropped;
  dropped.swap(targets_);
  for (Client* replica : dropped) replica->connection().CloseSoon("full sync failed");
  if (!waiting_.empty()) Arm(0);
}

}  // namespace magnetar::server
