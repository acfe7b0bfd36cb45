// The Asio side of the net layer: listeners, the connection's read/parse/execute/write cycle,
// timers and signals. Everything runs on the one thread that calls EventLoop::Run().
#include "magnetar/net/event_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <deque>
#include <list>
#include <memory>
#include <vector>

#include "magnetar/common/clock.h"

namespace magnetar::net {
namespace asio = boost::asio;
using GenericSocket = asio::generic::stream_protocol::socket;

namespace {

// Reads land in a buffer with at least this much free room.
constexpr size_t kMinReadRoom = 16 * 1024;
// An empty read or write buffer larger than this is released rather than kept for reuse.
constexpr size_t kMaxIdleBuffer = 1024 * 1024;
// One connection's turn executes requests for at most this long before the loop serves the
// others, so a client pipelining heavy requests delays a neighbour's request by a fraction of a
// millisecond, not by the whole batch it sent.
constexpr int64_t kTurnBudgetUs = 200;
// A connection reads the clock for its turn's budget after this many requests in a row that ran
// no command (and so read no clock, see Process).
constexpr unsigned kUnclockedPerClockRead = 64;
// The flush queue reads the clock once per this many connections flushed.
constexpr unsigned kFlushesPerClockRead = 16;
// How many requests of a pipelined batch are looked at ahead of running them (see LookAhead).
constexpr size_t kLookAhead = 16;

class AsioConnection;

// The connections with output to send (replies to a batch, pub/sub messages), flushed by one
// handler the loop runs after those queued now: one post however many connections and messages,
// and each connection written once for everything it received.
//
// Like a connection's turn, a drain runs for kTurnBudgetUs at most and then lets the loop poll
// and serve what is ready before it goes on. A publish fanning out to thousands of subscribers
// thus delays other clients by a slice, not by the whole fan-out; and the publishes that arrive
// meanwhile append to the buffers of the subscribers not yet written, so each write carries every
// message that piled up instead of one system call per message.
//
// It also holds output back for a group commit (EventLoop::HoldOutput): while `holding`, a
// connection about to write joins `held` instead, and the commit handler, queued behind the
// handlers ready now, commits once and then writes them all.
struct FlushQueue {
  explicit FlushQueue(asio::io_context& io) : io(io) {}
  void Add(std::shared_ptr<AsioConnection> connection);
  void Drain();
  void Hold();
  void Defer(AsioConnection& connection);
  void Release();

  asio::io_context& io;
  std::vector<std::shared_ptr<AsioConnection>> queue;  // [next, end) wait to be flushed
  size_t next = 0;
  bool posted = false;  // a Drain is queued, or a spent one will resume

  std::function<void()> commit;
  bool holding = false;  // output waits for the commit handler, which is queued
  std::vector<std::shared_ptr<AsioConnection>> held;
};

class AsioConnection final : public Connection,
                             public std::enable_shared_from_this<AsioConnection> {
 public:
  AsioConnection(GenericSocket socket, const ConnectionLimits& limits, FlushQueue& flush_queue)
      : Connection(limits), socket_(std::move(socket)), flush_queue_(&flush_queue) {
    fd_ = socket_.native_handle();
    last_interaction_us_ = MonotonicUs();
  }

  void SetAddresses(std::string peer, std::string local, bool is_unix) {
    peer_address_ = std::move(peer);
    local_address_ = std::move(local);
    is_unix_ = is_unix;
  }

  // Takes ownership of `session` and starts reading.
  void Start(std::unique_ptr<Session> session) {
    session_ = std::move(session);
    Read();
  }

  // Sends `error` and closes: used when the server refuses a new client.
  void Refuse(std::string_view error) {
    reply_.Error(error);
    close_after_reply_ = true;
    Flush();
  }

  void Close(std::string_view reason) override {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_both, ignored);
    socket_.close(ignored);
    close_reason_ = reason;
    // A session closing its own connection from inside a command is destroyed once the command
    // returns; any other close destroys it now so the server forgets the client at once.
    if (!dispatching_) ReleaseSession();
  }

  void ScheduleFlush() override {
    if (flush_scheduled_ || closed_) return;
    flush_scheduled_ = true;
    flush_queue_->Add(shared_from_this());
  }

  // The scheduled flush: closes a connection CloseSoon() marked, else sends the output at once
  // if the socket takes it, which spares the completion handler of an asynchronous write (for a
  // subscriber, most of what a delivered message costs besides the system call).
  void RunScheduledFlush(int64_t now_us) {
    flush_scheduled_ = false;
    WriteNow(now_us);
  }

  // Sends the output at once, as far as the socket takes it (the rest asynchronously).
  void WriteNow(int64_t now_us) {
    if (closed_) return;
    if (close_soon_) return Close(close_soon_reason_);
    // A write in progress sends the rest when it completes (OnWritten).
    if (writing_ || reply_.size() == 0) return;
    if (flush_queue_->holding) return flush_queue_->Defer(*this);
    // Requests held back while output was pending resume as after an asynchronous write.
    if (SendOutput(now_us) && !reading_ && !resume_pending_) Process();
  }

  // The reply given on unblocking leaves with the next scheduled flush; the requests held back
  // run from a posted continuation, never inside the command of the client that unblocked this
  // one.
  void OnUnblocked() override {
    if (closed_) return;
    ScheduleFlush();
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->closed_ && !self->blocked_ && !self->resume_pending_) self->Process();
    });
  }

 private:
  void ReleaseSession() {
    if (!session_) return;
    auto session = std::move(session_);
    session->OnClose(close_reason_);
  }

  // How big the read buffer should be for the next read: room for one more read, and, while a big
  // bulk is arriving, twice what is there (up to the bulk's end). Growing with the bytes actually
  // received means a bulk header alone cannot make the server commit the bulk's size.
  size_t WantedReadBuffer() const {
    size_t wanted = read_end_ + kMinReadRoom;
    size_t bulk_end = read_begin_ + parser_.bytes_wanted();
    if (bulk_end > wanted) wanted = std::min(bulk_end, std::max(wanted, read_buffer_.size() * 2));
    return wanted;
  }

  void Read() {
    if (reading_ || closed_ || close_after_reply_ || close_soon_) return;
    // The bytes may be moved or read over below: requests looked at are parsed afresh.
    parser_.DropLookAhead();
    if (read_begin_ == read_end_) {
      read_begin_ = read_end_ = looked_ahead_until_ = 0;
      // Give back the room one big request needed once it is done.
      if (read_buffer_.size() > kMaxIdleBuffer) std::string().swap(read_buffer_);
    }
    if (read_buffer_.size() < WantedReadBuffer() && read_begin_ > 0) {
      // Slide unparsed bytes to the front first; grow only if that does not make room.
      read_buffer_.erase(0, read_begin_);
      read_end_ -= read_begin_;
      read_begin_ = looked_ahead_until_ = 0;
    }
    if (read_buffer_.size() < WantedReadBuffer()) read_buffer_.resize(WantedReadBuffer());
    reading_ = true;
    // Asio tries the read at once unless the last one returned 0 bytes, so after a short read this
    // one usually fails with "would block" before waiting for readiness: one wasted system call
    // per batch. Waiting with async_wait instead costs the same (Asio re-arms the descriptor with
    // epoll_ctl for every wait), so this stays the simple form.
    socket_.async_read_some(
        asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
          self->OnRead(ec, n);
        });
  }

  void OnRead(const boost::system::error_code& ec, size_t n) {
    reading_ = false;
    if (closed_) return;
    ++traffic_.reads;
    if (ec) return Close("");
    read_end_ += n;
    traffic_.input_bytes += n;
    last_interaction_us_ = MonotonicUs();
    Process(last_interaction_us_);
  }

  // Executes the complete requests in the buffer, sends the batch, and reads again unless the
  // client's unsent output says to wait or its turn ran out (then it resumes after the others).
  // `now_us` is a fresh reading of MonotonicUs(): each request is handed the reading that ended
  // the one before (the session times its commands from it), and hands back the one that ended
  // it, which also tells when the turn's budget is spent. One clock reading per request, where
  // timing each command from its own start would take two: a reading costs 37 ns on a KVM guest,
  // a tenth of what a pipelined LPUSH costs the server in all. A request that runs no command
  // (queued by MULTI, refused) hands back its start unread: after a run of those the connection
  // reads the clock itself.
  void Process(int64_t now_us = MonotonicUs()) {
    resume_pending_ = false;
    const int64_t turn_start = now_us;
    unsigned unclocked = 0;  // requests in a row that handed back the reading they were given
    size_t requests = 0;     // run in this turn
    bool paused_for_output = false;
    while (read_begin_ < read_end_ && !closed_ && !close_after_reply_ && !close_soon_ &&
           !blocked_) {
      if (output_pending() >= limits_->output_pause_bytes) {
        paused_for_output = true;
        break;
      }
      if (raw_input_) {
        if (!ProcessRaw()) break;
        if (closed_) return ReleaseSession();
        // Raw input may take long (a replica loading its payload): requests after it start now.
        now_us = MonotonicUs();
        continue;
      }
      if (read_begin_ >= looked_ahead_until_) LookAhead();
      if (now_us - turn_start > kTurnBudgetUs) {
        Flush();
        return YieldTurn();
      }
      std::string_view input(read_buffer_.data() + read_begin_, read_end_ - read_begin_);
      resp::ParseStatus status = parser_.Parse(input);
      if (status == resp::ParseStatus::kNeedMore) break;
      if (status == resp::ParseStatus::kOverflow) {
        return Close("closing client that reached max query buffer length");
      }
      if (status == resp::ParseStatus::kError) {
        reply_.Error(parser_.error());
        close_after_reply_ = true;
        break;
      }
      auto args = parser_.args();
      size_t consumed = parser_.consumed();
      if (!args.empty()) {
        request_ = std::string_view(read_buffer_.data() + read_begin_, consumed);
        dispatching_ = true;
        const int64_t start_us = now_us;
        now_us = session_->OnRequest(args, start_us);
        dispatching_ = false;
        ++requests;
        if (now_us != start_us) {
          unclocked = 0;
        } else if (++unclocked == kUnclockedPerClockRead) {
          unclocked = 0;
          now_us = MonotonicUs();
        }
        if (hold_request_) {
          hold_request_ = false;
          break;  // runs again, unconsumed, once unblocked
        }
      }
      read_begin_ += consumed;
      if (closed_) return ReleaseSession();
      if (OutputOverLimit()) return Close(kOutputLimitReason);
    }
    if (closed_) return;
    // A pipelined batch's replies leave after the handlers the loop has ready now, the other
    // clients' batches among them, as Redis writes in one go before it sleeps: a client that
    // pipelines on many connections (redis-benchmark -P, a pooled client library) then wakes
    // once for many instead of once per reply, and every wake-up it spares is a wake-up the
    // server's write does not pay for in the kernel. A lone request is answered at once: its
    // client waits on that reply alone, and behind the handlers ready now (a snapshot's walk
    // slice, other clients' turns of up to 200 µs each) its round trip would take as long again.
    if (requests > 1 && !paused_for_output && !close_after_reply_ && reply_.size() > 0) {
      ScheduleFlush();
      return Read();
    }
    Flush();
    // Output that held requests back and left at once (no completion handler to resume them):
    // they resume from a continuation, after the other clients.
    if (paused_for_output && output_pending() == 0 && !closed_) return YieldTurn();
    if (output_pending() < limits_->output_pause_bytes) Read();
  }

  // Hands the unparsed input to the session (raw mode). False when it took nothing.
  bool ProcessRaw() {
    dispatching_ = true;
    size_t used = session_->OnRawInput(
        std::string_view(read_buffer_.data() + read_begin_, read_end_ - read_begin_));
    dispatching_ = false;
    read_begin_ += used;
    looked_ahead_until_ = read_begin_;
    parser_.DropLookAhead();
    return used > 0;
  }

  // Lets the loop poll for I/O and serve every connection it finds ready before this one resumes.
  // The loop's queue holds its I/O poll as one more entry: after each poll come the handlers for
  // what it found, then the poll again. A post made now lands behind the next poll but ahead of
  // what that poll finds, so a neighbour whose request arrived during this turn would wait for the
  // next turn as well; posting again from a handler that runs after that poll lands behind them.
  void YieldTurn() {
    resume_pending_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      asio::post(self->socket_.get_executor(), [self] {
        if (self->resume_pending_ && !self->closed_) self->Process();
      });
    });
  }

  // Before the requests of a pipelined batch run, the session sees the next ones (after the one
  // about to run) and may prefetch what they will touch, so their cache misses overlap instead of
  // stalling one command after another, as in Valkey 8. The parser keeps what it parsed here, so
  // each request is parsed once; it parses afresh whatever something in between changed.
  void LookAhead() {
    std::string_view input(read_buffer_.data() + read_begin_, read_end_ - read_begin_);
    size_t seen = parser_.LookAhead(input, kLookAhead + 1);
    for (size_t i = 1; i < seen; ++i) session_->Prefetch(parser_.looked_ahead(i));
    looked_ahead_until_ = seen > 0 ? read_begin_ + parser_.looked_ahead_bytes() : read_end_;
  }

  void Flush() {
    if (writing_ || closed_ || close_soon_) return;
    if (reply_.size() == 0) {
      if (close_after_reply_) Close("");
      return;
    }
    if (flush_queue_->holding) return flush_queue_->Defer(*this);
    SendOutput(MonotonicUs());
  }

  // Sends the output at once, as far as the socket takes it, and the rest asynchronously from
  // where the socket stopped. True when all of it went: then no completion handler runs, which
  // is most of what an asynchronous write of a short reply costs besides the system call.
  bool SendOutput(int64_t now_us) {
    std::string& output = reply_.buffer();
    boost::system::error_code ec;
    size_t written = socket_.write_some(asio::buffer(output), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      Close("");
      return false;
    }
    if (written > 0) {
      traffic_.output_bytes += written;
      ++traffic_.writes;
      last_interaction_us_ = now_us;
    }
    if (written < output.size()) {
      write_buffer_.swap(output);
      output.clear();
      StartWrite(written);
      return false;
    }
    ClearBuffer(output);
    if (close_after_reply_) {
      Close("");
      return false;
    }
    return true;
  }

  // Writes write_buffer_ from `offset` on.
  void StartWrite(size_t offset) {
    traffic_.output_bytes += write_buffer_.size() - offset;
    ++traffic_.writes;
    writing_ = true;
    asio::async_write(socket_,
                      asio::buffer(write_buffer_.data() + offset, write_buffer_.size() - offset),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                        self->OnWritten(ec);
                      });
  }

  // Empties a buffer, giving its memory back if it grew big: one burst of output should not pin
  // its size forever.
  static void ClearBuffer(std::string& buffer) {
    if (buffer.capacity() > kMaxIdleBuffer) {
      std::string().swap(buffer);
    } else {
      buffer.clear();
    }
  }

  void OnWritten(const boost::system::error_code& ec) {
    writing_ = false;
    if (closed_) return;
    if (ec) return Close("");
    // A client receiving replies is active, even while its requests are held back.
    last_interaction_us_ = MonotonicUs();
    if (reply_.size() == 0) {
      ClearBuffer(write_buffer_);
      ClearBuffer(reply_.buffer());
    } else {
      // More output waits (a stream of messages): the next write swaps this buffer in to take
      // what follows, so keeping its room spares growing a new one page by page.
      write_buffer_.clear();
    }
    // Requests held back while output was pending may still be in the buffer (unless a
    // continuation of a spent turn will take them up).
    if (!resume_pending_) Process();
  }

  GenericSocket socket_;
  std::string close_reason_;
  bool dispatching_ = false;  // inside Session::OnRequest
  bool reading_ = false;
  bool writing_ = false;
  bool resume_pending_ = false;    // a turn ran out and its continuation is queued
  bool flush_scheduled_ = false;   // in the flush queue
  bool held_ = false;              // in the flush queue's held list, waiting for a commit
  size_t looked_ahead_until_ = 0;  // read buffer offset up to which LookAhead saw the requests
  FlushQueue* flush_queue_;

  friend struct FlushQueue;
};

void FlushQueue::Add(std::shared_ptr<AsioConnection> connection) {
  queue.push_back(std::move(connection));
  if (posted) return;
  posted = true;
  asio::post(io, [this] { Drain(); });
}

void FlushQueue::Hold() {
  if (holding) return;
  holding = true;
  // Behind what the loop's next poll finds, as a spent turn resumes (YieldTurn): clients whose
  // requests arrive while this batch runs join its commit instead of starting the next one.
  asio::post(io, [this] { asio::post(io, [this] { Release(); }); });
}

void FlushQueue::Defer(AsioConnection& connection) {
  if (connection.held_) return;
  connection.held_ = true;
  held.push_back(connection.shared_from_this());
}

void FlushQueue::Release() {
  holding = false;
  if (commit) commit();
  // Taken out first: the writes may run requests that hold output for the next commit.
  std::vector<std::shared_ptr<AsioConnection>> waiting;
  waiting.swap(held);
  int64_t now = MonotonicUs();
  for (const std::shared_ptr<AsioConnection>& connection : waiting) {
    connection->held_ = false;
    connection->WriteNow(now);
  }
  // The list keeps its room for the next batch unless this one was unusually big.
  if (held.empty() && waiting.capacity() <= 1024) {
    waiting.clear();
    held.swap(waiting);
  }
}

void FlushQueue::Drain() {
  int64_t start = MonotonicUs();
  int64_t now = start;
  unsigned flushed = 0;
  while (next < queue.size()) {
    // Taken out first: flushing may run requests whose messages Add() more connections.
    std::shared_ptr<AsioConnection> connection = std::move(queue[next++]);
    connection->RunScheduledFlush(now);
    if (++flushed % kFlushesPerClockRead == 0) {
      now = MonotonicUs();
      if (now - start > kTurnBudgetUs) break;
    }
  }
  if (next < queue.size()) {
    // Under steady publishing the queue may never empty: drop the flushed front once it is
    // half of it, so the vector stays bounded.
    if (next > queue.size() / 2) {
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(next));
      next = 0;
    }
    // Resume behind what the loop's next poll finds, as a spent turn does (YieldTurn).
    asio::post(io, [this] { asio::post(io, [this] { Drain(); }); });
    return;
  }
  queue.clear();
  next = 0;
  posted = false;
}

std::string EndpointText(const GenericSocket& socket, bool local) {
  boost::system::error_code ec;
  auto endpoint = local ? socket.local_endpoint(ec) : socket.remote_endpoint(ec);
  if (ec) return "";
  const sockaddr* address = endpoint.data();
  if (address->sa_family == AF_UNIX) {
    auto* un = reinterpret_cast<const sockaddr_un*>(address);
    return endpoint.size() > offsetof(sockaddr_un, sun_path) ? std::string(un->sun_path) : "";
  }
  asio::ip::tcp::endpoint tcp;
  std::memcpy(tcp.data(), address, std::min<size_t>(endpoint.size(), sizeof(sockaddr_in6)));
  return tcp.address().to_string() + ":" + std::to_string(tcp.port());
}

}  // namespace

// A timer that re-arms itself after every tick.
struct Ticker {
  Ticker(asio::io_context& io, int interval_ms, std::function<void()> tick)
      : timer(io), interval(interval_ms), on_tick(std::move(tick)) {}
  void Arm() {
    timer.expires_after(interval);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      on_tick();
      Arm();
    });
  }
  asio::steady_timer timer;
  std::chrono::milliseconds interval;
  std::function<void()> on_tick;
};

// A timer that fires once per Arm(); re-arming cancels the pending wait.
struct OneShot {
  OneShot(asio::io_context& io, std::function<void()> fire) : timer(io), on_fire(std::move(fire)) {}
  void Arm(std::chrono::milliseconds delay) {
    timer.expires_after(delay);  // cancels the pending wait, which then sees operation_aborted
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) on_fire();
    });
  }
  asio::steady_timer timer;
  std::function<void()> on_fire;
};

struct EventLoop::Impl {
  // One thread runs everything (the lazy-free thread never touches the loop), so the scheduler
  // and reactor need no locks: each handler otherwise pays a mutex round trip or two.
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  // Declared after `io`, so the connections it holds go before the io_context does.
  FlushQueue flush_queue{io};
  std::list<asio::basic_socket_acceptor<asio::generic::stream_protocol>> acceptors;
  std::list<Ticker> tickers;
  std::deque<OneShot> one_shots;  // a deque never moves its elements; the waits point into it
  asio::signal_set signals{io};
  std::function<void(int)> on_signal;
  std::vector<std::string> unix_paths;

  void WaitSignal() {
    signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      on_signal(signal);
      WaitSignal();
    });
  }

  // `options` are the listener's: they must outlive the loop.
  void Accept(asio::basic_socket_acceptor<asio::generic::stream_protocol>& acceptor,
              const ListenerOptions& options, const ConnectionLimits& limits,
              SessionFactory& factory, bool is_unix) {
    acceptor.async_accept([this, &acceptor, &options, &limits, &factory, is_unix](
                              const boost::system::error_code& ec, GenericSocket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) Adopt(std::move(socket), options, limits, factory, is_unix);
      Accept(acceptor, options, limits, factory, is_unix);
    });
  }

  void Adopt(GenericSocket socket, const ListenerOptions& options, const ConnectionLimits& limits,
             SessionFactory& factory, bool is_unix) {
    int fd = socket.native_handle();
    if (!is_unix) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (options.tcp_keepalive_seconds > 0) {
        int idle = options.tcp_keepalive_seconds;
        int interval = std::max(idle / 3, 1);
        int count = 3;
        ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
      }
    }
    socket.non_blocking(true);
    std::string peer = EndpointText(socket, false);
    std::string local = EndpointText(socket, true);
    auto connection = std::make_shared<AsioConnection>(std::move(socket), limits, flush_queue);
    connection->SetAddresses(std::move(peer), std::move(local), is_unix);
    std::string refusal;
    auto session = factory.Open(*connection, refusal);
    if (!session) return connection->Refuse(refusal);
    connection->Start(std::move(session));
  }
};

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}

void EventLoop::Connect(const std::string& host, int port, int64_t timeout_ms,
                        const ConnectionLimits& limits, ConnectDone done) {
  // What the connect and its timeout share: whichever ends first calls `done`.
  struct Attempt {
    Attempt(asio::io_context& io, ConnectDone done)
        : resolver(io), socket(io), timer(io), done(std::move(done)) {}
    void Fail(const std::string& reason) {
      if (finished) return;
      finished = true;
      timer.cancel();
      boost::system::error_code ignored;
      socket.close(ignored);
      done(nullptr, reason);
    }
    asio::ip::tcp::resolver resolver;
    GenericSocket socket;
    asio::steady_timer timer;
    ConnectDone done;
    bool finished = false;
  };
  auto attempt = std::make_shared<Attempt>(impl_->io, std::move(done));
  attempt->timer.expires_after(std::chrono::milliseconds(std::max<int64_t>(timeout_ms, 1)));
  attempt->timer.async_wait([attempt](const boost::system::error_code& ec) {
    if (!ec) attempt->Fail("connection timed out");
  });
  // The loop runs with Asio's unsafe concurrency hint, which leaves out the resolver's thread:
  // names are resolved synchronously (a primary's address is usually numeric, or in /etc/hosts).
  boost::system::error_code ec;
  asio::ip::tcp::resolver::results_type results =
      attempt->resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) return attempt->Fail(ec ? ec.message() : "no address");
  asio::ip::tcp::endpoint target = results.begin()->endpoint();
  asio::generic::stream_protocol::endpoint generic(target.data(), target.size());
  attempt->socket.open(asio::generic::stream_protocol(target.protocol().family(), IPPROTO_TCP), ec);
  if (ec) return attempt->Fail(ec.message());
  attempt->socket.async_connect(
      generic, [this, attempt, &limits](const boost::system::error_code& error) {
        if (attempt->finished) return;
        if (error) return attempt->Fail(error.message());
        attempt->finished = true;
        attempt->timer.cancel();
        int one = 1;
        ::setsockopt(attempt->socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        attempt->socket.non_blocking(true);
        std::string peer = EndpointText(attempt->socket, false);
        std::string local = EndpointText(attempt->socket, true);
        auto connection = std::make_shared<AsioConnection>(std::move(attempt->socket), limits,
                                                           impl_->flush_queue);
        connection->SetAddresses(std::move(peer), std::move(local), false);
        std::unique_ptr<Session> session = attempt->done(connection.get(), "");
        if (!session) return connection->Close("");
        connection->Start(std::move(session));
      });
}

void EventLoop::SetOutputCommit(std::function<void()> commit) {
  impl_->flush_queue.commit = std::move(commit);
}

void EventLoop::HoldOutput() { impl_->flush_queue.Hold(); }

EventLoop::~EventLoop() {
  for (const std::string& path : impl_->unix_paths) ::unlink(path.c_str());
}

std::string EventLoop::Listen(const ListenerOptions& options, const ConnectionLimits& limits,
                              SessionFactory& factory) {
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
  if (options.port != 0) {
    for (std::string address : options.bind_addresses) {
      // A leading '-' marks an address that may be unavailable (as in redis.conf).
      bool optional = !address.empty() && address[0] == '-';
      if (optional) address.erase(0, 1);
      boost::system::error_code ec;
      asio::ip::address ip;
      if (address == "*") {
        ip = asio::ip::address_v4::any();
      } else if (address == "::*") {
        ip = asio::ip::address_v6::any();
      } else {
        ip = asio::ip::make_address(address, ec);
        if (ec) return "Invalid bind address '" + address + "'";
      }
      asio::ip::tcp::endpoint endpoint(ip, static_cast<unsigned short>(options.port));
      Acceptor acceptor(impl_->io);
      asio::generic::stream_protocol::endpoint generic(endpoint.data(), endpoint.size());
      acceptor.open(generic.protocol(), ec);
      if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec && ip.is_v6()) {
        int one = 1;
        ::setsockopt(acceptor.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
      }
      if (!ec) acceptor.bind(generic, ec);
      if (!ec) acceptor.listen(options.tcp_backlog, ec);
      if (ec) {
        if (optional || ec == asio::error::address_family_not_supported) continue;
        return "Could not create server TCP listening socket " + address + ":" +
               std::to_string(options.port) + ": " + ec.message();
      }
      impl_->Accept(impl_->acceptors.emplace_back(std::move(acceptor)), options, limits, factory,
                    false);
    }
  }
  if (!options.unix_socket.empty()) {
    ::unlink(options.unix_socket.c_str());
    boost::system::error_code ec;
    asio::local::stream_protocol::endpoint local(options.unix_socket);
    asio::generic::stream_protocol::endpoint generic(local.data(), local.size());
    Acceptor acceptor(impl_->io);
    acceptor.open(generic.protocol(), ec);
    if (!ec) acceptor.bind(generic, ec);
    if (!ec && options.unix_socket_perm)
      ::chmod(options.unix_socket.c_str(), options.unix_socket_perm);
    if (!ec) acceptor.listen(options.tcp_backlog, ec);
    if (ec) return "Failed opening Unix socket: " + ec.message();
    impl_->unix_paths.push_back(options.unix_socket);
    impl_->Accept(impl_->acceptors.emplace_back(std::move(acceptor)), options, limits, factory,
                  true);
  }
  return "";
}

void EventLoop::Every(int interval_ms, std::function<void()> tick) {
  impl_->tickers.emplace_back(impl_->io, interval_ms, std::move(tick)).Arm();
}

size_t EventLoop::AddTimer(std::function<void()> fire) {
  impl_->one_shots.emplace_back(impl_->io, std::move(fire));
  return impl_->one_shots.size() - 1;
}

void EventLoop::ArmTimer(size_t timer, int64_t delay_ms) {
  // A deadline centuries away (SET ... PXAT 99999999999999) would overflow the timer's
  // nanoseconds; the timer fires after a day instead and its owner arms it again.
  constexpr int64_t kMaxDelayMs = 24 * 3600 * 1000;
  impl_->one_shots[timer].Arm(
      std::chrono::milliseconds(std::clamp<int64_t>(delay_ms, 0, kMaxDelayMs)));
}

void EventLoop::OnShutdownSignal(std::function<void(int)> handler) {
  impl_->signals.add(SIGTERM);
  impl_->signals.add(SIGINT);
  impl_->on_signal = std::move(handler);
  impl_->WaitSignal();
}

void EventLoop::Run() { impl_->io.run(); }

void EventLoop::Poll() {
  impl_->io.poll();
  // poll() leaves the context stopped when it ran out of work; Run() must still start it.
  if (impl_->io.stopped()) impl_->io.restart();
}

void EventLoop::Stop() { impl_->io.stop(); }

}  // namespace magnetar::net
