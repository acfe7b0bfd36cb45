// A blocking RESP client over loopback TCP for end-to-end and differential tests. It sends raw
// bytes or commands and reads exactly one complete reply at a time, returned as raw bytes so
// tests compare them byte for byte. Every receive has a timeout, so a server that never answers
// fails the test instead of hanging it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace magnetar::test_support {

enum class ReadStatus {
  kReply,      // one complete reply was read
  kClosed,     // the server closed (or reset) the connection first
  kTimeout,    // nothing complete arrived within the timeout
  kMalformed,  // the bytes are not RESP
};

std::string_view ReadStatusName(ReadStatus status);

class RespClient {
 public:
  explicit RespClient(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  // Connects to 127.0.0.1:port, closing any previous connection. False on failure (see error()).
  bool Connect(int port);
  void Close();
  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Why the last failed call failed.
  const std::string& error() const { return error_; }

  // Blocking sends of all of `bytes`; false if the connection broke or the send timed out.
  bool SendRaw(std::string_view bytes);
  bool Send(std::span<const std::string_view> args);
  // Sends what the kernel takes now without waiting: the number of bytes taken (0 when its buffer
  // is full), or -1 when the connection is broken (the server closed it).
  ssize_t TrySend(std::string_view bytes);
  // Half-closes: the server reads end-of-file after the bytes already sent.
  void ShutdownWrite();

  // Reads exactly one reply into `reply` (replaced), keeping any bytes after it for the next call.
  ReadStatus ReadReply(std::string& reply);
  // Sends a command and returns its reply, or "" when none came (error() says why).
  std::string Call(std::initializer_list<std::string_view> args);
  std::string Call(std::span<const std::string_view> args);
  // True when no reply byte is waiting and none arrives within `wait`: for a reply that must not
  // come yet (a blocked client's). Whatever arrives stays for the next ReadReply.
  bool NothingArrivesWithin(std::chrono::milliseconds wait);
  // Reads and discards until the server closes the connection: true if it did within the timeout.
  // Received bytes are appended to `received` when given.
  bool WaitForClose(std::string* received = nullptr);

 private:
  // One recv into buffer_: the byte count, 0 at end of stream, -1 on error or timeout.
  ssize_t Receive();

  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buffer_;  // received bytes not yet returned
  std::string error_;
  bool timed_out_ = false;  // the last Receive() failed by timing out
};

}  // namespace magnetar::test_support
