// The AOF's side of the group commit and of a disk that refuses writes: the loop's commit handler,
// the replies of a failed always commit turned into MISCONF, and the writer's host (server/aof.h).
#include <fmt/format.h>

#include <cstring>
#include <string>

#include "error_stats.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/client.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

std::string Aof::WriteErrorText() const {
  return fmt::format("MISCONF Errors writing to the AOF file: {}",
                     std::strerror(writer_ != nullptr ? writer_->error_number() : 0));
}

void Aof::HoldOutput() { server_.loop().HoldOutput(); }

void Aof::NoteWriteReply(Client& client, size_t mark) {
  if (writer_ == nullptr || server_.config().appendfsync != AppendFsync::kAlways) return;
  batch_replies_.push_back({client.id(), mark, client.reply().size()});
}

void Aof::CommitBatch() {
  if (writer_ != nullptr && !writer_->Commit()) RefuseBatchReplies();
  batch_replies_.clear();
}

// The replies are still in their clients' output, which the loop held back: each is replaced by
// the error, the last first so that the offsets of the earlier ones stay right. A reply that is
// no longer there (CLIENT REPLY OFF dropped it, the client left) is skipped.
void Aof::RefuseBatchReplies() {
  const std::string error = WriteErrorText();
  std::string encoded = "-" + error + "\r\n";
  for (auto reply = batch_replies_.rbegin(); reply != batch_replies_.rend(); ++reply) {
    auto client = server_.clients().find(reply->client_id);
    if (client == server_.clients().end()) continue;
    std::string& output = client->second->reply().buffer();
    if (reply->end > output.size() || reply->begin >= reply->end) continue;
    output.replace(reply->begin, reply->end - reply->begin, encoded);
    ++server_.stats().total_error_replies;
    CountErrorReply(server_.stats(), error);
  }
}

bool Aof::SnapshotWriting() const {
  return rewrite_ != nullptr || server_.rdb_saver().background_save_running();
}

}  // namespace magnetar::server
