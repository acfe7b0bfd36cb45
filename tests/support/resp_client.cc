#include "support/resp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/resp_reply.h"

namespace magnetar::test_support {

std::string_view ReadStatusName(ReadStatus status) {
  switch (status) {
    case ReadStatus::kReply:
      return "reply";
    case ReadStatus::kClosed:
      return "connection closed";
    case ReadStatus::kTimeout:
      return "timed out";
    case ReadStatus::kMalformed:
      return "malformed reply";
  }
  return "?";
}

RespClient::RespClient(std::chrono::milliseconds timeout) : timeout_(timeout) {}

RespClient::~RespClient() { Close(); }

void RespClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool RespClient::Connect(int port) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  timeval tv{};
  tv.tv_sec = timeout_.count() / 1000;
  tv.tv_usec = (timeout_.count() % 1000) * 1000;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    error_ = "connect to port " + std::to_string(port) + ": " + std::strerror(errno);
    Close();
    return false;
  }
  return true;
}

bool RespClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RespClient::Send(std::span<const std::string_view> args) {
  return SendRaw(EncodeCommand(args));
}

ssize_t RespClient::TrySend(std::string_view bytes) {
  while (true) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    error_ = std::string("send: ") + std::strerror(errno);
    return -1;
  }
}

void RespClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

ssize_t RespClient::Receive() {
  char chunk[64 * 1024];
  timed_out_ = false;
  while (true) {
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    timed_out_ = errno == EAGAIN || errno == EWOULDBLOCK;
    error_ = timed_out_ ? "no reply within the timeout" : std::string("recv: ") + strerror(errno);
    return -1;
  }
}

ReadStatus RespClient::ReadReply(std::string& reply) {
  reply.clear();
  if (fd_ < 0) {
    error_ = "not connected";
    return ReadStatus::kClosed;
  }
  while (true) {
    size_t length = CompleteReplyLength(buffer_);
    if (length == kMalformedReply) {
      error_ = "malformed reply: " + Escape(buffer_.substr(0, 200));
      return ReadStatus::kMalformed;
    }
    if (length > 0) {
      reply.assign(buffer_, 0, length);
      buffer_.erase(0, length);
      return ReadStatus::kReply;
    }
    ssize_t n = Receive();
    if (n == 0) {
      error_ = "connection closed by the server";
      return ReadStatus::kClosed;
    }
    if (n < 0) return timed_out_ ? ReadStatus::kTimeout : ReadStatus::kClosed;
  }
}

std::string RespClient::Call(std::initializer_list<std::string_view> args) {
  return Call(std::span<const std::string_view>(args.begin(), args.size()));
}

std::string RespClient::Call(std::span<const std::string_view> args) {
  std::string reply;
  if (!Send(args)) return reply;
  ReadReply(reply);
  return reply;
}

bool RespClient::NothingArrivesWithin(std::chrono::milliseconds wait) {
  if (!buffer_.empty()) return false;
  pollfd readable{.fd = fd_, .events = POLLIN, .revents = 0};
  return ::poll(&readable, 1, static_cast<int>(wait.count())) == 0;
}

bool RespClient::WaitForClose(std::string* received) {
  if (fd_ < 0) return true;
  while (true) {
    ssize_t n = Receive();
    if (received) received->append(buffer_);
    buffer_.clear();
    if (n == 0) return true;
    if (n < 0) return !timed_out_;  // a reset is a close too
  }
}

}  // namespace magnetar::test_support
