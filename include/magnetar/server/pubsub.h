// Pub/sub: channels, patterns and shard channels, the clients subscribed to them, and the
// delivery of published messages into the subscribers' output.
//
// A publish encodes its message once and appends those bytes to each subscriber's output buffer
// (RESP3 clients get the same bytes with the push mark in place of the array mark), then asks the
// subscriber's connection to flush it; the net layer writes each connection once for all the
// messages of a loop turn. Patterns are matched once per publish, not once per subscriber.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "magnetar/engine/hash.h"

namespace magnetar::server {

class Client;

// What a subscription names. Shard channels (SSUBSCRIBE) are a namespace of their own: only
// SPUBLISH reaches them, and patterns never match them.
enum class SubscriptionKind : uint8_t { kChannel = 0, kPattern = 1, kShardChannel = 2 };

// A channel, pattern or shard channel with at least one subscriber.
struct Topic {
  std::string_view name;             // the key it is stored under, which outlives it
  std::vector<Client*> subscribers;  // in the order they subscribed
};

// One client's subscriptions; each Client holds one.
class ClientSubscriptions {
 public:
  size_t count(SubscriptionKind kind) const { return topics_[Index(kind)].size(); }
  // What SUBSCRIBE, PSUBSCRIBE and their UNSUBSCRIBEs reply as the client's count: channels and
  // patterns. The shard commands count shard channels only.
  size_t channels_and_patterns() const {
    return count(SubscriptionKind::kChannel) + count(SubscriptionKind::kPattern);
  }
  // Any subscription at all puts a client in Redis's pub/sub mode: the pubsub class of output
  // limits, the P flag, and in RESP2 only the subscription commands, PING, QUIT and RESET.
  bool any() const { return !topics_[0].empty() || !topics_[1].empty() || !topics_[2].empty(); }

 private:
  friend class PubSub;
  static size_t Index(SubscriptionKind kind) { return static_cast<size_t>(kind); }

  std::array<std::vector<Topic*>, 3> topics_;
};

class PubSub {
 public:
  PubSub();
  ~PubSub();
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Delivers `message` to every client subscribed to `channel` or to a pattern matching it;
  // returns how many received it (a client subscribed both ways counts twice).
  size_t Publish(std::string_view channel, std::string_view message);
  // SPUBLISH: delivers to the subscribers of shard channel `channel`.
  size_t PublishShard(std::string_view channel, std::string_view message);

  // Subscribes `client`; false when it already was.
  bool Subscribe(Client& client, SubscriptionKind kind, std::string_view name);
  // Unsubscribes `client`; false when it was not subscribed.
  bool Unsubscribe(Client& client, SubscriptionKind kind, std::string_view name);
  // Unsubscribes `client` from everything of `kind`, oldest first, calling `before_each(name)`
  // before each goes (the name dies with the subscription).
  void UnsubscribeAll(Client& client, SubscriptionKind kind,
                      const std::function<void(std::string_view name)>& before_each);
  // Drops every subscription of `client` without telling it (RESET, disconnection).
  void Forget(Client& client);

  // How many clients are subscribed to exactly `name` (PUBSUB NUMSUB, SHARDNUMSUB).
  size_t SubscriberCount(SubscriptionKind kind, std::string_view name) const;
  // How many distinct names of `kind` have a subscriber (NUMPAT, INFO's pubsub_channels).
  size_t TopicCount(SubscriptionKind kind) const { return topics_[Index(kind)].size(); }
  // Calls `fn(name)` for each name of `kind` with a subscriber, in hash order.
  template <typename Fn>
  void ForEachTopic(SubscriptionKind kind, Fn&& fn) const {
    for (const auto& [name, topic] : topics_[Index(kind)]) fn(std::string_view(name));
  }

 private:
  // Names are hashed with a random key, so clients cannot choose channel names that collide.
  struct NameHash {
    using is_transparent = void;
    engine::HashKey key;
    size_t operator()(std::string_view name) const { return engine::HashKeyName(key, name); }
  };
  struct NameEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  // Node-based: a Topic and its key never move, so subscribers point at them.
  using TopicMap = std::unordered_map<std::string, Topic, NameHash, NameEqual>;

  static size_t Index(SubscriptionKind kind) { return static_cast<size_t>(kind); }
  // Appends the encoded message held in message_ to every subscriber's output.
  size_t DeliverToAll(const std::vector<Client*>& subscribers);
  void Detach(Client& client, SubscriptionKind kind, Topic& topic);

  std::array<TopicMap, 3> topics_;
  // The message being published, encoded once as RESP2 (RESP3 differs only in its first byte).
  // Reused from publish to publish, so publishing allocates nothing once it has grown.
  std::string message_;
};

// In RESP2, a client with a subscription may run only the subscription commands, PING, QUIT and
// RESET; `command` is a command table name.
bool AllowedWhileSubscribed(std::string_view command);
// The refusal of any other command, as Redis words it.
std::string SubscribedModeError(std::string_view command);

}  // namespace magnetar::server
