// BGREWRITEAOF without fork: the incr file switches to a new one at once, so writes made during
// the rewrite need no buffering, and the snapshot machinery of the RDB saves writes the new base
// from the dataset of that same instant, in slices between client requests. Once the base is on
// disk the manifest names it and the incr files since, and the older files are removed.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aof_base.h"
#include "aof_loader.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/server.h"

namespace magnetar::server {
std::string Aof::StartRewrite() {
  if (rewrite_ != nullptr) return "ERR Background append only file rewriting already in progress";
  if (writer_ == nullptr) return "ERR Magnetar rewrites the append only file only when it is on";
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
  StartBase(incr_seq);
  return {};
}

void Aof::StartBase(int64_t first_incr_seq) {
  const AofManifest::File* base = manifest_.base();
  int64_t base_seq = (base != nullptr ? base->seq : 0) + 1;
  std::string error;
  rewrite_ = StartAofBase(server_, dir_, AofBaseName(server_.config(), base_seq, true), error);
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
    return;
  }
  if (writer_ != nullptr) return;
  if (mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    spdlog::warn("Can't open or create append-only dir {}: {}", config.appenddirname,
                 std::strerror(errno));
    return;
  }
  // The files of an earlier run stay named until the new base replaces them; their numbers go on.
  std::string error;
  std::optional<std::string> text = ReadWholeFile(dir_ + "/" + AofManifestName(config));
  std::optional<AofManifest> old = text ? AofManifest::Parse(*text, error) : AofManifest();
  manifest_ = old.value_or(AofManifest());
  if (!OpenIncr(TempIncrName(), kTempForEnabling)) return;
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
