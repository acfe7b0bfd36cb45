// A probe for what a server answers while it loads its dataset at startup: from its own thread it
// connects to `port` again and again until a server there answers DBSIZE with -LOADING, then hands
// that connection and reply to `on_loading` once. Start it before the server (a restart on a known
// port), and Stop() it once the start returned, loaded or not.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support/resp_client.h"

namespace magnetar::e2e {

class LoadingProbe {
 public:
  using OnLoading = std::function<void(test_support::RespClient& probe, const std::string& reply)>;

  LoadingProbe(int port, OnLoading on_loading)
      : thread_([this, port, on_loading = std::move(on_loading)] {
          while (!stop_) {
            test_support::RespClient probe(std::chrono::seconds(1));
            if (probe.Connect(port)) {
              const std::string reply = probe.Call({"DBSIZE"});
              if (reply.starts_with("-LOADING")) return on_loading(probe, reply);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        }) {}
  ~LoadingProbe() { Stop(); }
  LoadingProbe(const LoadingProbe&) = delete;
  LoadingProbe& operator=(const LoadingProbe&) = delete;

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_ = false;  // declared before the thread, which reads it
  std::thread thread_;
};

}  // namespace magnetar::e2e
