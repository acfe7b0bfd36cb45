#include "magnetar/server/pubsub.h"

#include <fmt/format.h>

#include <algorithm>

#include "magnetar/common/glob.h"
#include "magnetar/resp/reply_builder.h"
#include "magnetar/server/client.h"

namespace magnetar::server {
namespace {

// Appends an already encoded RESP2 message to the client's output, as a push in RESP3, and
// enforces the client's output limit at once (Redis checks on every append), so a subscriber
// that never reads is cut off before its buffer passes the hard limit.
void Deliver(Client& client, std::string_view message) {
  net::Connection& connection = client.connection();
  // A closing client takes nothing more. CLIENT REPLY OFF does not stop messages: Redis 7.0
  // lets pushes through it.
  if (connection.closing()) return;
  resp::ReplyBuilder& reply = connection.reply();
  std::string& out = reply.buffer();
  if (reply.resp3()) {
    out.push_back('>');
    out.append(message.data() + 1, message.size() - 1);
  } else {
    out.append(message);
  }
  if (connection.OutputOverLimit()) {
    return connection.CloseSoon(net::Connection::kOutputLimitReason);
  }
  connection.ScheduleFlush();
}

template <typename T>
void EraseOne(std::vector<T>& items, const T& item) {
  auto it = std::find(items.begin(), items.end(), item);
  if (it != items.end()) items.erase(it);
}

}  // namespace

PubSub::PubSub()
    : topics_{TopicMap(0, NameHash{engine::HashKey::Random()}),
              TopicMap(0, NameHash{engine::HashKey::Random()}),
              TopicMap(0, NameHash{engine::HashKey::Random()})} {}

PubSub::~PubSub() = default;

size_t PubSub::DeliverToAll(const std::vector<Client*>& subscribers) {
  for (Client* client : subscribers) Deliver(*client, message_);
  return subscribers.size();
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  const TopicMap& channels = topics_[Index(SubscriptionKind::kChannel)];
  if (!channels.empty()) {
    auto it = channels.find(channel);
    if (it != channels.end()) {
      message_.assign("*3\r\n$7\r\nmessage\r\n");
      resp::ReplyBuilder::AppendBulk(message_, channel);
      resp::ReplyBuilder::AppendBulk(message_, message);
      receivers += DeliverToAll(it->second.subscribers);
    }
  }
  for (const auto& [pattern, topic] : topics_[Index(SubscriptionKind::kPattern)]) {
    if (!GlobMatch(pattern, channel)) continue;
    message_.assign("*4\r\n$8\r\npmessage\r\n");
    resp::ReplyBuilder::AppendBulk(message_, pattern);
    resp::ReplyBuilder::AppendBulk(message_, channel);
    resp::ReplyBuilder::AppendBulk(message_, message);
    receivers += DeliverToAll(topic.subscribers);
  }
  return receivers;
}

size_t PubSub::PublishShard(std::string_view channel, std::string_view message) {
  const TopicMap& shards = topics_[Index(SubscriptionKind::kShardChannel)];
  if (shards.empty()) return 0;
  auto it = shards.find(channel);
  if (it == shards.end()) return 0;
  message_.assign("*3\r\n$8\r\nsmessage\r\n");
  resp::ReplyBuilder::AppendBulk(message_, channel);
  resp::ReplyBuilder::AppendBulk(message_, message);
  return DeliverToAll(it->second.subscribers);
}

bool PubSub::Subscribe(Client& client, SubscriptionKind kind, std::string_view name) {
  std::vector<Topic*>& mine = client.subscriptions.topics_[Index(kind)];
  TopicMap& map = topics_[Index(kind)];
  auto it = map.find(name);
  if (it == map.end()) {
    it = map.try_emplace(std::string(name)).first;
    it->second.name = it->first;
  } else {
    // Whichever list is shorter tells whether the client is subscribed already.
    Topic& topic = it->second;
    bool subscribed = mine.size() <= topic.subscribers.size()
                          ? std::find(mine.begin(), mine.end(), &topic) != mine.end()
                          : std::find(topic.subscribers.begin(), topic.subscribers.end(),
                                      &client) != topic.subscribers.end();
    if (subscribed) return false;
  }
  it->second.subscribers.push_back(&client);
  mine.push_back(&it->second);
  client.connection().set_pubsub_class(true);
  return true;
}

bool PubSub::Unsubscribe(Client& client, SubscriptionKind kind, std::string_view name) {
  std::vector<Topic*>& mine = client.subscriptions.topics_[Index(kind)];
  if (mine.empty()) return false;
  TopicMap& map = topics_[Index(kind)];
  auto it = map.find(name);
  if (it == map.end()) return false;
  Topic* topic = &it->second;
  auto mine_it = std::find(mine.rbegin(), mine.rend(), topic);
  if (mine_it == mine.rend()) return false;
  mine.erase(std::next(mine_it).base());
  Detach(client, kind, *topic);
  if (!client.subscriptions.any()) client.connection().set_pubsub_class(false);
  return true;
}

void PubSub::UnsubscribeAll(Client& client, SubscriptionKind kind,
                            const std::function<void(std::string_view name)>& before_each) {
  // The client's list is emptied at the end rather than one by one from the front.
  std::vector<Topic*>& mine = client.subscriptions.topics_[Index(kind)];
  for (Topic* topic : mine) {
    before_each(topic->name);
    Detach(client, kind, *topic);
  }
  mine.clear();
  if (!client.subscriptions.any()) client.connection().set_pubsub_class(false);
}

void PubSub::Forget(Client& client) {
  for (SubscriptionKind kind :
       {SubscriptionKind::kChannel, SubscriptionKind::kPattern, SubscriptionKind::kShardChannel}) {
    std::vector<Topic*>& mine = client.subscriptions.topics_[Index(kind)];
    for (Topic* topic : mine) Detach(client, kind, *topic);
    mine.clear();
    mine.shrink_to_fit();
  }
  client.connection().set_pubsub_class(false);
}

// Takes `client` off the topic's subscribers, and the topic away once nobody is left.
void PubSub::Detach(Client& client, SubscriptionKind kind, Topic& topic) {
  EraseOne(topic.subscribers, &client);
  if (!topic.subscribers.empty()) return;
  TopicMap& map = topics_[Index(kind)];
  map.erase(map.find(topic.name));
}

size_t PubSub::SubscriberCount(SubscriptionKind kind, std::string_view name) const {
  const TopicMap& map = topics_[Index(kind)];
  auto it = map.find(name);
  return it == map.end() ? 0 : it->second.subscribers.size();
}

bool AllowedWhileSubscribed(std::string_view command) {
  static constexpr std::string_view kAllowed[] = {
      "subscribe",    "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe",
      "punsubscribe", "ping",       "quit",       "reset",
  };
  return std::find(std::begin(kAllowed), std::end(kAllowed), command) != std::end(kAllowed);
}

std::string SubscribedModeError(std::string_view command) {
  return fmt::format(
      "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
      "allowed in this context",
      command);
}

}  // namespace magnetar::server
