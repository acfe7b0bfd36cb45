#include "master_link.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "dispatcher.h"
#include "info_sections.h"
#include "magnetar/common/clock.h"
#include "magnetar/common/cpu_yield.h"
#include "magnetar/common/numbers.h"
#include "magnetar/net/connection.h"
#include "magnetar/persistence/rdb_loader.h"
#include "magnetar/server/client.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"

namespace magnetar::server {
namespace {

constexpr size_t kEofMarkSize = 40;
// A handshake reply or payload header longer than this is not one.
constexpr size_t kMaxLine = 64 * 1024;

// Redis goes on with the handshake after these replies to PING: the primary wants AUTH next.
bool PingErrorAllowed(std::string_view line) {
  return line.starts_with("-NOAUTH") || line.starts_with("-NOPERM") ||
         line.starts_with("-ERR operation not permitted");
}

}  // namespace

bool MasterLink::DatasetEmpty() const {
  const engine::Keyspace& keyspace = server_.keyspace();
  for (size_t i = 0; i < keyspace.database_count(); ++i) {
    if (keyspace.db(i).Size() != 0) return false;
  }
  return true;
}

MasterLink::MasterLink(Server& server, Replication& replication, std::string host, int port)
    : server_(server), replication_(replication), host_(std::move(host)), port_(port) {}

MasterLink::~MasterLink() { Fail(""); }

void MasterLink::Connect() {
  state_ = State::kConnecting;
  psync_refused_ = false;
  spdlog::info("Connecting to MASTER {}:{}", host_, port_);
  std::weak_ptr<int> alive = alive_;
  server_.loop().Connect(
      host_, port_, server_.config().repl_timeout * 1000, server_.connection_limits(),
      [this, alive](net::Connection* connection,
                    std::string error) -> std::unique_ptr<net::Session> {
        if (alive.expired() || state_ != State::kConnecting) return nullptr;
        if (connection == nullptr) {
          spdlog::warn("Error condition on socket for SYNC: {}", error);
          state_ = State::kIdle;
          return nullptr;
        }
        spdlog::info("MASTER <-> REPLICA sync started");
        auto client = std::make_unique<Client>(server_, *connection, server_.NextClientId());
        client->is_primary_link = true;
        client->authenticated = true;
        connection->parser().set_auth_required(false);
        connection->set_raw_input(true);
        connection_ = connection;
        client_ = client.get();
        state_ = State::kHandshake;
        step_ = Step::kPing;
        last_io_ms_ = MonotonicMs();
        SendStep();
        return client;
      });
}

void MasterLink::Send(std::span<const std::string_view> args) {
  std::string& out = connection_->reply().buffer();
  fmt::format_to(std::back_inserter(out), "*{}\r\n", args.size());
  for (std::string_view arg : args) {
    fmt::format_to(std::back_inserter(out), "${}\r\n", arg.size());
    out.append(arg);
    out.append("\r\n");
  }
  connection_->ScheduleFlush();
}

void MasterLink::SendStep() {
  const Config& config = server_.config();
  switch (step_) {
    case Step::kPing: {
      std::string_view ping[] = {"PING"};
      return Send(ping);
    }
    case Step::kAuth:
      if (!config.masterauth.empty()) {
        std::string_view with_user[] = {"AUTH", config.masteruser, config.masterauth};
        std::string_view password_only[] = {"AUTH", config.masterauth};
        return config.masteruser.empty() ? Send(password_only) : Send(with_user);
      }
      step_ = Step::kPort;
      [[fallthrough]];
    case Step::kPort: {
      std::string port = std::to_string(
          config.replica_announce_port != 0 ? config.replica_announce_port : config.port);
      std::string_view args[] = {"REPLCONF", "listening-port", port};
      return Send(args);
    }
    case Step::kIp:
      if (!config.replica_announce_ip.empty()) {
        std::string_view args[] = {"REPLCONF", "ip-address", config.replica_announce_ip};
        return Send(args);
      }
      step_ = Step::kCapa;
      [[fallthrough]];
    case Step::kCapa: {
      std::string_view args[] = {"REPLCONF", "capa", "eof", "capa", "psync2"};
      return Send(args);
    }
    case Step::kPsync: {
      // A server with a history (a former primary, a replica that synced, a restart from an
      // RDB that holds one) asks to continue it; a new one asks for everything.
      if (replication_.has_history()) {
        std::string from = std::to_string(replication_.offset() + 1);
        spdlog::info("Trying a partial resynchronization (request {}:{}).", replication_.replid(),
                     from);
        // A primary handing its role over asks the target to take it first.
        std::string_view args[] = {"PSYNC", replication_.replid(), from, "FAILOVER"};
        const bool failover =
            replication_.failover_state() == Replication::FailoverState::kInProgress;
        return Send(std::span<const std::string_view>(args, failover ? 4 : 3));
      }
      spdlog::info("Partial resynchronization not possible (no cached master)");
      std::string_view args[] = {"PSYNC", "?", "-1"};
      return Send(args);
    }
  }
}

void MasterLink::OnReply(std::string_view line) {
  switch (step_) {
    case Step::kPing:
      if (line[0] == '-' && !PingErrorAllowed(line)) {
        return Fail(fmt::format("Error reply to PING from master: '{}'", line));
      }
      spdlog::info("Master replied to PING, replication can continue...");
      step_ = Step::kAuth;
      return SendStep();
    case Step::kAuth:
      if (line[0] == '-') return Fail(fmt::format("Unable to AUTH to MASTER: {}", line));
      step_ = Step::kPort;
      return SendStep();
    case Step::kPort:
    case Step::kIp:
      // Errors are not fatal: an older primary may not know the option.
      if (line[0] == '-')
        spdlog::info("(Non critical) Master does not understand REPLCONF: {}", line);
      step_ = step_ == Step::kPort ? Step::kIp : Step::kCapa;
      return SendStep();
    case Step::kCapa:
      if (line[0] == '-')
        spdlog::info("(Non critical) Master does not understand REPLCONF capa: {}", line);
      step_ = Step::kPsync;
      return SendStep();
    case Step::kPsync:
      break;
  }
  if (line.starts_with("+FULLRESYNC")) {
    std::vector<std::string_view> words;
    for (std::string_view rest = line; !rest.empty();) {
      size_t space = rest.find(' ');
      words.push_back(rest.substr(0, space));
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    std::optional<int64_t> offset = words.size() == 3 ? ParseInt64(words[2]) : std::nullopt;
    if (!offset || words[1].size() != kEofMarkSize) {
      return Fail(fmt::format("Master replied with wrong +FULLRESYNC syntax: {}", line));
    }
    sync_replid_ = words[1];
    sync_offset_ = static_cast<uint64_t>(*offset);
    spdlog::info("Full resync from master: {}:{}", sync_replid_, sync_offset_);
    state_ = State::kTransfer;
    header_read_ = false;
    replication_.FailoverDone();
    return;
  }
  if (line.starts_with("+CONTINUE")) {
    std::string_view id = line.substr(std::min<size_t>(line.size(), 10));
    spdlog::info("Successful partial resynchronization with master.");
    if (id.size() == kEofMarkSize && id != replication_.replid()) {
      replication_.ContinueWithReplid(std::string(id));
    }
    spdlog::info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    replication_.FailoverDone();
    return StartStreaming();
  }
  psync_refused_ = line[0] == '-';
  Fail(fmt::format("Unexpected reply to PSYNC from master: {}", line));
}

bool MasterLink::BeginPayload(std::string_view header) {
  if (header[0] == '-') {
    Fail(fmt::format("MASTER aborted replication with an error: {}", header));
    return false;
  }
  if (header[0] != '$') {
    Fail(
        fmt::format("Bad protocol from MASTER, the first byte is not '$' (we received '{}'), "
                    "are you sure the host and port are right?",
                    header));
    return false;
  }
  eof_mode_ = header.starts_with("$EOF:") && header.size() == 5 + kEofMarkSize;
  payload_total_ = 0;
  if (eof_mode_) {
    eof_mark_ = header.substr(5);
  } else {
    std::optional<int64_t> length = ParseInt64(header.substr(1));
    if (!length || *length < 0) {
      Fail("Bad payload length from MASTER");
      return false;
    }
    payload_total_ = static_cast<uint64_t>(*length);
  }
  payload_read_ = payload_stored_ = payload_written_back_ = 0;
  tail_.clear();
  header_read_ = true;
  const Config& config = server_.config();
  to_memory_ = config.repl_diskless_load == ReplDisklessLoad::kSwapDb ||
               (config.repl_diskless_load == ReplDisklessLoad::kOnEmptyDb && DatasetEmpty());
  if (!to_memory_) {
    payload_path_ =
        fmt::format("{}/temp-{}.{}.rdb", config.dir, server_.clock().NowMs() / 1000, getpid());
    payload_fd_ = open(payload_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (payload_fd_ < 0) {
      Fail(fmt::format("Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
                       std::strerror(errno)));
      return false;
    }
  }
  spdlog::info("MASTER <-> REPLICA sync: receiving {} from master to {}",
               eof_mode_ ? std::string("streamed RDB") : fmt::format("{} bytes", payload_total_),
               to_memory_ ? "memory" : "disk");
  return true;
}

void MasterLink::StorePayload(std::string_view bytes) {
  // While the payload streams in, the loop reads and stores it without ever waiting in epoll:
  // bulk work, which offers the CPU every 128 KiB.
  payload_unyielded_ += bytes.size();
  if (payload_unyielded_ >= 128 << 10) {
    payload_unyielded_ = 0;
    YieldCpu();
  }
  if (to_memory_) {
    payload_.append(bytes);
    return;
  }
  while (!bytes.empty() && payload_fd_ >= 0) {
    ssize_t n = write(payload_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Fail(
          fmt::format("Write error writing to the DB file on disk: {}", std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    payload_stored_ += static_cast<uint64_t>(n);
  }
  // As Redis does, the file goes to the disk every few MB as it arrives, so the fsync before the
  // load has little left to write: that fsync had the loop submit hundreds of MB of writeback in
  // one go. Here the writeback is only started, so the loop never waits for the disk (and it is a
  // hint: if it fails, the fsync does the writing).
  constexpr uint64_t kWritebackBytes = 2 << 20;
  if (payload_fd_ >= 0 && payload_stored_ - payload_written_back_ >= kWritebackBytes) {
    sync_file_range(payload_fd_, static_cast<off_t>(payload_written_back_),
                    static_cast<off_t>(payload_stored_ - payload_written_back_),
                    SYNC_FILE_RANGE_WRITE);
    payload_written_back_ = payload_stored_;
  }
}

size_t MasterLink::ReadPayload(std::string_view input, bool& complete) {
  if (!eof_mode_) {
    size_t n =
        static_cast<size_t>(std::min<uint64_t>(input.size(), payload_total_ - payload_read_));
    StorePayload(input.substr(0, n));
    payload_read_ += n;
    complete = payload_read_ == payload_total_;
    return n;
  }
  // The primary sends nothing after the end mark until this replica acknowledges, so the mark is
  // always the last bytes read; the last bytes are held back until more arrive.
  payload_read_ += input.size();
  if (input.size() >= kEofMarkSize) {
    StorePayload(tail_);
    StorePayload(input.substr(0, input.size() - kEofMarkSize));
    tail_.assign(input.substr(input.size() - kEofMarkSize));
  } else {
    tail_.append(input);
    if (tail_.size() > kEofMarkSize) {
      StorePayload(std::string_view(tail_).substr(0, tail_.size() - kEofMarkSize));
      tail_.erase(0, tail_.size() - kEofMarkSize);
    }
  }
  complete = tail_ == eof_mark_;
  return input.size();
}

bool MasterLink::LoadPayload() {
  engine::Keyspace& keyspace = server_.keyspace();
  RdbSaver& saver = server_.rdb_saver();
  spdlog::info("MASTER <-> REPLICA sync: Flushing old data");
  saver.StopWriting();
  keyspace.FlushAll();
  saver.AbortBackgroundSave();
  spdlog::info("MASTER <-> REPLICA sync: Loading DB in memory");
  persistence::RdbLoadOptions options;
  options.skip_expired = false;  // the primary sends the deletions
  options.now_ms = server_.clock().NowMs();
  options.progress = [](uint64_t) { YieldCpu(); };
  persistence::RdbLoadResult result;
  if (to_memory_) {
    persistence::MemoryRdbInput input(
        {reinterpret_cast<const uint8_t*>(payload_.data()), payload_.size()});
    result = persistence::LoadRdb(input, keyspace, options);
    std::string().swap(payload_);
  } else {
    // The received file becomes this server's RDB file, as in Redis.
    fsync(payload_fd_);
    close(payload_fd_);
    payload_fd_ = -1;
    const Config& config = server_.config();
    std::string final_path = config.dir + "/" + config.dbfilename;
    if (rename(payload_path_.c_str(), final_path.c_str()) != 0) final_path = payload_path_;
    payload_path_.clear();
    int fd = open(final_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      persistence::FileRdbInput input(fd, UINT64_MAX);
      result = persistence::LoadRdb(input, keyspace, options);
      close(fd);
    } else {
      result.error = std::strerror(errno);
    }
  }
  if (!result.ok) {
    keyspace.FlushAll();
    Fail(fmt::format("Failed trying to load the MASTER synchronization DB: {}", result.error));
    return false;
  }
  replication_.AdoptPrimary(sync_replid_, sync_offset_);
  spdlog::info("MASTER <-> REPLICA sync: Finished with success");
  return true;
}

size_t MasterLink::OnRawInput(std::string_view input) {
  last_io_ms_ = MonotonicMs();
  size_t used = 0;
  while (used < input.size() && (state_ == State::kHandshake || state_ == State::kTransfer)) {
    std::string_view rest = input.substr(used);
    if (state_ == State::kHandshake || !header_read_) {
      size_t newline = rest.find('\n');
      if (newline == std::string_view::npos) {
        if (rest.size() > kMaxLine) Fail("Protocol error: too long a reply from MASTER");
        break;
      }
      std::string_view line = rest.substr(0, newline);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      used += newline + 1;
      if (line.empty()) continue;  // the primary's keep-alive while it prepares the sync
      if (state_ == State::kHandshake) {
        OnReply(line);
      } else if (!BeginPayload(line)) {
        break;
      }
      continue;
    }
    bool complete = false;
    used += ReadPayload(rest, complete);
    if (complete && state_ == State::kTransfer && LoadPayload()) StartStreaming();
  }
  return used;
}

void MasterLink::StartStreaming() {
  state_ = State::kConnected;
  connection_->set_raw_input(false);
  tail_.clear();
  // The first ACK also tells a primary that waits for it that the RDB was loaded.
  SendAck();
}

int64_t MasterLink::Apply(Client& client, std::span<const std::string_view> args,
                          int64_t start_us) {
  last_io_ms_ = start_us / 1000;
  std::string_view raw = client.connection().request();
  resp::ReplyBuilder& reply = client.reply();
  const size_t mark = reply.size();
  const int64_t end_us = Dispatch(server_, client, args, start_us);
  reply.buffer().resize(mark);  // a primary gets no replies
  // The offset an ACK reports is the stream applied before REPLCONF GETACK, as in Redis.
  if (ack_requested_) {
    ack_requested_ = false;
    SendAck();
  }
  replication_.Feed(raw);
  return end_us;
}

void MasterLink::SendAck() {
  if (connection_ == nullptr) return;
  std::string offset = std::to_string(replication_.offset());
  std::string_view args[] = {"REPLCONF", "ACK", offset};
  Send(args);
}

void MasterLink::Cron() {
  if (state_ == State::kIdle) return Connect();
  if (state_ == State::kConnecting) return;
  if (MonotonicMs() - last_io_ms_ > server_.config().repl_timeout * 1000) {
    return Fail(state_ == State::kConnected ? "MASTER timeout: no data nor PING received..."
                                            : "Timeout connecting to the MASTER...");
  }
  if (state_ == State::kConnected) SendAck();
}

void MasterLink::OnClosed() {
  if (state_ == State::kConnected) spdlog::warn("Connection with master lost.");
  connection_ = nullptr;
  client_ = nullptr;
  Fail("");
}

void MasterLink::Fail(std::string_view why) {
  if (!why.empty()) spdlog::warn("{}", why);
  if (state_ == State::kConnected || down_since_ms_ == 0) down_since_ms_ = MonotonicMs();
  state_ = State::kIdle;
  if (payload_fd_ >= 0) close(payload_fd_);
  payload_fd_ = -1;
  if (!payload_path_.empty()) unlink(payload_path_.c_str());
  payload_path_.clear();
  std::string().swap(payload_);
  tail_.clear();
  net::Connection* connection = connection_;
  connection_ = nullptr;
  client_ = nullptr;
  if (connection != nullptr) connection->Close("");
}

void MasterLink::AppendInfo(std::string& out) const {
  using info::Field;
  using info::Fixed2Field;
  const int64_t now = MonotonicMs();
  Field(out, "master_host", host_);
  Field(out, "master_port", port_);
  Field(out, "master_link_status", up() ? "up" : "down");
  Field(out, "master_last_io_seconds_ago",
        connection_ != nullptr ? (now - last_io_ms_) / 1000 : int64_t{-1});
  Field(out, "master_sync_in_progress", state_ == State::kTransfer ? 1 : 0);
  Field(out, "slave_read_repl_offset", replication_.offset());
  Field(out, "slave_repl_offset", replication_.offset());
  if (state_ == State::kTransfer) {
    const int64_t total = eof_mode_ ? -1 : static_cast<int64_t>(payload_total_);
    Field(out, "master_sync_total_bytes", total);
    Field(out, "master_sync_read_bytes", payload_read_);
    Field(out, "master_sync_left_bytes",
          eof_mode_ ? int64_t{-1} : total - static_cast<int64_t>(payload_read_));
    Fixed2Field(out, "master_sync_perc",
                eof_mode_ || total == 0
                    ? 0.0
                    : static_cast<double>(payload_read_) * 100 / static_cast<double>(total));
    Field(out, "master_sync_last_io_seconds_ago", (now - last_io_ms_) / 1000);
  }
  if (!up()) {
    Field(out, "master_link_down_since_seconds",
          down_since_ms_ == 0 ? int64_t{-1} : (now - down_since_ms_) / 1000);
  }
}

void MasterLink::ReplyRole(resp::ReplyBuilder& reply) const {
  reply.Array(5);
  reply.Bulk("slave");
  reply.Bulk(host_);
  reply.Integer(port_);
  switch (state_) {
    case State::kIdle:
      reply.Bulk("connect");
      break;
    case State::kConnecting:
      reply.Bulk("connecting");
      break;
    case State::kHandshake:
      reply.Bulk("handshake");
      break;
    case State::kTransfer:
      reply.Bulk("sync");
      break;
    case State::kConnected:
      reply.Bulk("connected");
      break;
  }
  reply.Integer(up() ? static_cast<int64_t>(replication_.offset()) : -1);
}

}  // namespace magnetar::server
