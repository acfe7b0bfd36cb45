// BGREWRITEAOF without fork: the incr file switches to a new one at once, so writes made during
// the rewrite need no buffering, and the snapshot machinery of the RDB saves writes the new base
// from the dataset of that same instant, in slices between client requests. Once the base is on
// disk the manifest names it and the incr files since, and the older files are removed.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "aof_base.h"
#include "aof_loader.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"

namespace magnetar::server {
std::string Aof::RequestRewrite(bool in_exec, bool& scheduled) {
  scheduled = rewrite_ == nullptr && (in_exec || server_.rdb_saver().background_save_running());
  if (!scheduled) return StartRewrite();
  rewrite_scheduled_ = true;
  // Asked for by the user: earlier failures do not hold it back (Redis resets the count too).
  consecutive_failures_ = 0;
  return {};
}

void Aof::RewriteCron() {
  // Redis runs one fork at a time; here a rewrite waits for a BGSAVE likewise.
  if (rewrite_ != nullptr || server_.rdb_saver().background_save_running()) return;
  if (rewrite_scheduled_) {
    if (RewriteLimited()) return;
    // CONFIG SET appendonly yes waited for the save: it turns the AOF on now.
    if (writer_ == nullptr && server_.config().appendonly) return Switch();
    StartRewrite();
    return;
  }
  if (AutoRewriteDue()) StartRewrite();
}

bool Aof::AutoRewriteDue() {
  const Config& config = server_.config();
  if (writer_ == nullptr || enabling_ || config.auto_aof_rewrite_percentage <= 0) return false;
  const uint64_t current = CurrentSize();
  if (current <= static_cast<uint64_t>(config.auto_aof_rewrite_min_size)) return false;
  const uint64_t base = std::max<uint64_t>(rewrite_base_size_, 1);
  const int64_t growth = static_cast<int64_t>(current * 100 / base) - 100;
  if (growth < config.auto_aof_rewrite_percentage || RewriteLimited()) return false;
  spdlog::info("Starting automatic rewriting of AOF on {}% growth", growth);
  return true;
}

bool Aof::RewriteLimited() {
  constexpr uint64_t kFailuresBeforeLimit = 3;
  constexpr int64_t kLongestDelayMinutes = 60;
  if (consecutive_failures_ < kFailuresBeforeLimit) {
    limit_delay_minutes_ = 0;
    limited_until_ = 0;
    return false;
  }
  const int64_t now = server_.clock().NowMs() / 1000;
  if (limited_until_ != 0) {
    if (now < limited_until_) return true;
    limited_until_ = 0;  // the wait is over: one more attempt
    return false;
  }
  limit_delay_minutes_ =
      std::min(limit_delay_minutes_ == 0 ? 1 : limit_delay_minutes_ * 2, kLongestDelayMinutes);
  limited_until_ = now + limit_delay_minutes_ * 60;
  spdlog::warn(
      "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} "
      "minutes",
      limit_delay_minutes_);
  return true;
}

std::string Aof::StartRewrite() {
  if (rewrite_ != nullptr) return "ERR Background append only file rewriting already in progress";
  // A failed start is not retried from the cron as a scheduled one; RewriteFailed counts it.
  rewrite_scheduled_ = false;
  if (writer_ == nullptr) {
    RewriteWhileOff();
    return {};
  }
  const Config& config = server_.config();
  // Listed in the manifest before the rewrite starts, so that a crash meanwhile still loads the
  // old base, the old incr files and this one.
  int64_t incr_seq = manifest_.last_incr_seq() + 1;
  manifest_.files.push_back({AofIncrName(config, incr_seq), incr_seq, AofManifest::Type::kIncr});
  if (!OpenIncr(manifest_.files.back().name, kCreatedForRewrite)) {
    manifest_.files.pop_back();
    RewriteFailed();
    return {};
  }
  CountClosedFiles();  // the previous incr file is complete
  StartBase(incr_seq);
  return {};
}

// With the AOF off Redis 7.0 still writes a base, and a manifest that names it alone: the files
// of an earlier run become history.
void Aof::RewriteWhileOff() {
  if (!CreateDir()) return RewriteFailed();
  ReadManifestOnDisk();
  StartBase(manifest_.last_incr_seq() + 1);
}

void Aof::ReadManifestOnDisk() {
  std::string error;
  std::optional<std::string> text = ReadWholeFile(dir_ + "/" + AofManifestName(server_.config()));
  std::optional<AofManifest> on_disk = text ? AofManifest::Parse(*text, error) : AofManifest();
  manifest_ = on_disk.value_or(AofManifest());
}

void Aof::StartBase(int64_t first_incr_seq) {
  const AofManifest::File* base = manifest_.base();
  int64_t base_seq = (base != nullptr ? base->seq : 0) + 1;
  std::string error;
  const Config& config = server_.config();
  rewrite_ = StartAofBase(server_, dir_, AofBaseName(config, base_seq, config.aof_use_rdb_preamble),
                          error);
  if (rewrite_ == nullptr) {
    spdlog::warn("Can't create the AOF base file: {}", error);
    return RewriteFailed();
  }
  rewrite_->seq = base_seq;
  rewrite_->first_incr_seq = first_incr_seq;
  spdlog::info("Background append only file rewriting started");
  server_.loop().ArmTimer(rewrite_timer_, 0);
}

void Aof::Switch() {
  const Config& config = server_.config();
  if (!config.appendonly) {
    if (rewrite_ != nullptr && rewrite_->snapshot != nullptr) rewrite_->snapshot->Abandon();
    rewrite_.reset();
    if (writer_ != nullptr) server_.propagator().RemoveSink(*writer_);
    writer_.reset();
    if (enabling_) unlink((dir_ + "/" + TempIncrName()).c_str());
    enabling_ = false;
    rewrite_scheduled_ = false;
    return;
  }
  if (writer_ != nullptr) return;
  if (server_.rdb_saver().background_save_running() || rewrite_ != nullptr) {
    // As in Redis: no write is kept meanwhile, the base written once the save ends holds them.
    spdlog::warn(
        "AOF was enabled but there is already another background operation. An AOF background "
        "was scheduled to start when possible.");
    rewrite_scheduled_ = true;
    return;
  }
  rewrite_scheduled_ = false;
  if (!CreateDir()) return;
  // The files of an earlier run stay named until the new base replaces them; their numbers go on.
  ReadManifestOnDisk();
  if (!OpenIncr(TempIncrName(), kTempForEnabling)) return;
  closed_files_size_ = 0;  // the old files are no part of what is being written
  enabling_ = true;
  StartBase(manifest_.last_incr_seq() + 1);
}

std::string Aof::TempIncrName() const {
  return "temp-" + server_.config().appendfilename + ".incr";
}

void Aof::OnRewriteStep() {
  if (rewrite_ == nullptr) return;
  int64_t next_delay_ms;
  if (std::optional<persistence::RdbFileOutcome> outcome = rewrite_->Advance(next_delay_ms)) {
    return FinishRewrite(*outcome);
  }
  server_.loop().ArmTimer(rewrite_timer_, next_delay_ms);
}

void Aof::RewriteFailed() {
  ++consecutive_failures_;
  last_rewrite_ok_ = false;
  spdlog::warn("Background AOF rewrite failed");
}

void Aof::FinishRewrite(const persistence::RdbFileOutcome& outcome) {
  std::unique_ptr<AofBaseJob> job = std::move(rewrite_);
  last_rewrite_seconds_ = (MonotonicUs() - job->start_us) / 1'000'000;
  if (!outcome.ok) {
    spdlog::warn("Error writing the AOF base file {}: {}", job->name, outcome.error);
    return RewriteFailed();
  }
  AofManifest next;
  next.files.push_back({job->name, job->seq, AofManifest::Type::kBase});
  if (enabling_) {
    // The temporary incr file, whose descriptor the writer keeps, takes its place in the layout.
    std::string incr = AofIncrName(server_.config(), job->first_incr_seq);
    if (rename((dir_ + "/" + TempIncrName()).c_str(), (dir_ + "/" + incr).c_str()) != 0) {
      spdlog::warn("Can't rename the temporary AOF incr file: {}", std::strerror(errno));
      unlink((dir_ + "/" + job->name).c_str());
      return RewriteFailed();
    }
    manifest_.files.push_back({incr, job->first_incr_seq, AofManifest::Type::kIncr});
  }
  std::vector<std::string> history;
  for (const AofManifest::File& file : manifest_.files) {
    if (file.type == AofManifest::Type::kIncr && file.seq >= job->first_incr_seq) {
      next.files.push_back(file);
    } else {
      history.push_back(file.name);
    }
  }
  std::string error = WriteAofManifest(dir_, AofManifestName(server_.config()), next);
  if (!error.empty()) {
    spdlog::warn("{}", error);
    unlink((dir_ + "/" + job->name).c_str());
    return RewriteFailed();
  }
  manifest_ = std::move(next);
  enabling_ = false;
  CountClosedFiles();
  rewrite_base_size_ = CurrentSize();
  for (const std::string& name : history) {
    spdlog::info("Removing the history file {}", name);
    unlink((dir_ + "/" + name).c_str());
  }
  ++rewrites_;
  consecutive_failures_ = 0;
  last_rewrite_ok_ = true;
  spdlog::info("Background AOF rewrite terminated with success");
}

}  // namespace magnetar::server
