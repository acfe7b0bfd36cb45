// The pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB. The
// registry and the delivery of messages are in pubsub.cc.
#include <iterator>
#include <string_view>
#include <vector>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/glob.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

// The count each (un)subscription reply ends with: the shard commands count shard channels, the
// others channels and patterns together.
int64_t ReplyCount(const Client& client, SubscriptionKind kind) {
  const ClientSubscriptions& subscriptions = client.subscriptions;
  return static_cast<int64_t>(kind == SubscriptionKind::kShardChannel
                                  ? subscriptions.count(kind)
                                  : subscriptions.channels_and_patterns());
}

// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE: one reply per name, in RESP3 a push.
void SubscribeTo(CommandContext& ctx, SubscriptionKind kind, std::string_view verb) {
  ServerContext& sctx = AsServer(ctx);
  for (std::string_view name : ctx.args.subspan(1)) {
    sctx.server.pubsub().Subscribe(sctx.client, kind, name);
    ctx.reply.Push(3);
    ctx.reply.Bulk(verb);
    ctx.reply.Bulk(name);
    ctx.reply.Integer(ReplyCount(sctx.client, kind));
  }
}

// UNSUBSCRIBE, PUNSUBSCRIBE, SUNSUBSCRIBE: one reply per name given, named or not subscribed;
// without names, one per subscription dropped, or a single reply with a null name when there
// was none.
void UnsubscribeFrom(CommandContext& ctx, SubscriptionKind kind, std::string_view verb) {
  ServerContext& sctx = AsServer(ctx);
  Client& client = sctx.client;
  PubSub& pubsub = sctx.server.pubsub();
  if (ctx.args.size() > 1) {
    for (std::string_view name : ctx.args.subspan(1)) {
      pubsub.Unsubscribe(client, kind, name);
      ctx.reply.Push(3);
      ctx.reply.Bulk(verb);
      ctx.reply.Bulk(name);
      ctx.reply.Integer(ReplyCount(client, kind));
    }
    return;
  }
  if (client.subscriptions.count(kind) == 0) {
    ctx.reply.Push(3);
    ctx.reply.Bulk(verb);
    ctx.reply.Null();
    ctx.reply.Integer(ReplyCount(client, kind));
    return;
  }
  // Redis goes in hash order, Magnetar in the order of subscription.
  int64_t count = ReplyCount(client, kind);
  pubsub.UnsubscribeAll(client, kind, [&](std::string_view name) {
    ctx.reply.Push(3);
    ctx.reply.Bulk(verb);
    ctx.reply.Bulk(name);
    ctx.reply.Integer(--count);
  });
}

void Subscribe(CommandContext& ctx) { SubscribeTo(ctx, SubscriptionKind::kChannel, "subscribe"); }

void PSubscribe(CommandContext& ctx) { SubscribeTo(ctx, SubscriptionKind::kPattern, "psubscribe"); }

// Redis refuses SSUBSCRIBE to clients that may not block, which includes one running EXEC;
// SUBSCRIBE and PSUBSCRIBE make an exception for EXEC.
void SSubscribe(CommandContext& ctx) {
  if (AsServer(ctx).client.transaction.active()) {
    return ctx.reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  }
  SubscribeTo(ctx, SubscriptionKind::kShardChannel, "ssubscribe");
}

void Unsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, SubscriptionKind::kChannel, "unsubscribe");
}

void PUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, SubscriptionKind::kPattern, "punsubscribe");
}

void SUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, SubscriptionKind::kShardChannel, "sunsubscribe");
}

void Publish(CommandContext& ctx) {
  size_t receivers = AsServer(ctx).server.pubsub().Publish(ctx.args[1], ctx.args[2]);
  ctx.reply.Integer(static_cast<int64_t>(receivers));
}

void SPublish(CommandContext& ctx) {
  size_t receivers = AsServer(ctx).server.pubsub().PublishShard(ctx.args[1], ctx.args[2]);
  ctx.reply.Integer(static_cast<int64_t>(receivers));
}

// PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the names with a subscriber, in hash order. An
// explicit pattern is matched even when it is "*", which (as Redis's matcher) leaves out the
// empty channel name.
void ListTopics(CommandContext& ctx, SubscriptionKind kind) {
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(SubcommandSyntaxError("PUBSUB", ctx.args[1]));
  }
  std::vector<std::string_view> names;
  AsServer(ctx).server.pubsub().ForEachTopic(kind, [&](std::string_view name) {
    if (ctx.args.size() == 2 || GlobMatch(ctx.args[2], name)) names.push_back(name);
  });
  ctx.reply.Array(names.size());
  for (std::string_view name : names) ctx.reply.Bulk(name);
}

// PUBSUB NUMSUB / SHARDNUMSUB [name ...]: each name and its subscriber count, patterns aside.
void CountSubscribers(CommandContext& ctx, SubscriptionKind kind) {
  const PubSub& pubsub = AsServer(ctx).server.pubsub();
  ctx.reply.Array((ctx.args.size() - 2) * 2);
  for (std::string_view name : ctx.args.subspan(2)) {
    ctx.reply.Bulk(name);
    ctx.reply.Integer(static_cast<int64_t>(pubsub.SubscriberCount(kind, name)));
  }
}

void PubSubChannels(CommandContext& ctx) { ListTopics(ctx, SubscriptionKind::kChannel); }
void PubSubShardChannels(CommandContext& ctx) { ListTopics(ctx, SubscriptionKind::kShardChannel); }
void PubSubNumSub(CommandContext& ctx) { CountSubscribers(ctx, SubscriptionKind::kChannel); }
void PubSubShardNumSub(CommandContext& ctx) {
  CountSubscribers(ctx, SubscriptionKind::kShardChannel);
}

void PubSubNumPat(CommandContext& ctx) {
  size_t patterns = AsServer(ctx).server.pubsub().TopicCount(SubscriptionKind::kPattern);
  ctx.reply.Integer(static_cast<int64_t>(patterns));
}

constexpr std::string_view kPubSubHelp[] = {
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
};

void PubSubHelp(CommandContext& ctx) {
  ctx.reply.Array(std::size(kPubSubHelp));
  for (std::string_view line : kPubSubHelp) ctx.reply.SimpleString(line);
}

constexpr ArgDoc kSubscribeArgs[] = {
    {.name = "channel", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr ArgDoc kUnsubscribeArgs[] = {
    {.name = "channel", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};
constexpr ArgDoc kPSubscribePatternArgs[] = {
    {.name = "pattern", .type = ArgType::kPattern},
};
constexpr ArgDoc kPSubscribeArgs[] = {
    {.name = "pattern",
     .type = ArgType::kBlock,
     .flags = kArgMultiple,
     .arguments = kPSubscribePatternArgs},
};
constexpr ArgDoc kPUnsubscribeArgs[] = {
    {.name = "pattern", .type = ArgType::kPattern, .flags = kArgOptional | kArgMultiple},
};
constexpr ArgDoc kPublishArgs[] = {
    {.name = "channel", .type = ArgType::kString},
    {.name = "message", .type = ArgType::kString},
};
constexpr ArgDoc kSSubscribeArgs[] = {
    {.name = "shardchannel", .type = ArgType::kString, .flags = kArgMultiple},
};
constexpr ArgDoc kSUnsubscribeArgs[] = {
    {.name = "shardchannel", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};
constexpr ArgDoc kSPublishArgs[] = {
    {.name = "shardchannel", .type = ArgType::kString},
    {.name = "message", .type = ArgType::kString},
};
constexpr ArgDoc kPubSubPatternArgs[] = {
    {.name = "pattern", .type = ArgType::kPattern, .flags = kArgOptional},
};
constexpr ArgDoc kPubSubNumSubArgs[] = {
    {.name = "channel", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};
constexpr ArgDoc kPubSubShardNumSubArgs[] = {
    {.name = "shardchannel", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};

// Shard channels are declared as keys (for cluster slots) that are not really keys.
constexpr KeySpec kShardChannelsKeySpecs[] = {
    {.flags = kKsNotKey, .begin_search = SearchIndex(1), .find_keys = KeyRange(-1, 1, 0)},
};
constexpr KeySpec kShardChannelKeySpecs[] = {
    {.flags = kKsNotKey, .begin_search = SearchIndex(1), .find_keys = KeyRange(0, 1, 0)},
};

constexpr uint32_t kSubscribeFlags = kPubSub | kNoScript | kLoading | kStale;
constexpr uint32_t kPublishFlags = kPubSub | kLoading | kStale | kFast | kMayReplicate;
constexpr uint32_t kInspectFlags = kPubSub | kLoading | kStale;
constexpr uint32_t kSlowAcl = kAclPubSub | kAclSlow;

// In the order Redis's COMMAND INFO PUBSUB lists them (its hash order).
constexpr CommandSpec kPubSubSubcommands[] = {
    {.name = "pubsub|numpat",
     .arity = 2,
     .flags = kInspectFlags,
     .acl = kSlowAcl,
     .handler = &PubSubNumPat,
     .doc = {.summary = "Get the count of unique patterns pattern subscriptions",
             .since = "2.8.0",
             .group = "pubsub",
             .complexity = "O(1)"}},
    {.name = "pubsub|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kAclSlow,
     .handler = &PubSubHelp,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "6.2.0",
             .group = "pubsub",
             .complexity = "O(1)"}},
    {.name = "pubsub|channels",
     .arity = -2,
     .flags = kInspectFlags,
     .acl = kSlowAcl,
     .handler = &PubSubChannels,
     .doc = {.summary = "List active channels",
             .since = "2.8.0",
             .group = "pubsub",
             .complexity = "O(N) where N is the number of active channels, and assuming constant "
                           "time pattern matching (relatively short channels and patterns)",
             .arguments = kPubSubPatternArgs}},
    {.name = "pubsub|shardnumsub",
     .arity = -2,
     .flags = kInspectFlags,
     .acl = kSlowAcl,
     .handler = &PubSubShardNumSub,
     .doc = {.summary = "Get the count of subscribers for shard channels",
             .since = "7.0.0",
             .group = "pubsub",
             .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of "
                           "requested shard channels",
             .arguments = kPubSubShardNumSubArgs}},
    {.name = "pubsub|numsub",
     .arity = -2,
     .flags = kInspectFlags,
     .acl = kSlowAcl,
     .handler = &PubSubNumSub,
     .doc = {.summary = "Get the count of subscribers for channels",
             .since = "2.8.0",
             .group = "pubsub",
             .complexity =
                 "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
             .arguments = kPubSubNumSubArgs}},
    {.name = "pubsub|shardchannels",
     .arity = -2,
     .flags = kInspectFlags,
     .acl = kSlowAcl,
     .handler = &PubSubShardChannels,
     .doc = {.summary = "List active shard channels",
             .since = "7.0.0",
             .group = "pubsub",
             .complexity = "O(N) where N is the number of active shard channels, and assuming "
                           "constant time pattern matching (relatively short shard channels).",
             .arguments = kPubSubPatternArgs}},
};

constexpr CommandSpec kPubSubCommands[] = {
    {.name = "subscribe",
     .arity = -2,
     .flags = kSubscribeFlags,
     .acl = kSlowAcl,
     .handler = &Subscribe,
     .doc = {.summary = "Listen for messages published to the given channels",
             .since = "2.0.0",
             .group = "pubsub",
             .complexity = "O(N) where N is the number of channels to subscribe to.",
             .arguments = kSubscribeArgs}},
    {.name = "unsubscribe",
     .arity = -1,
     .flags = kSubscribeFlags,
     .acl = kSlowAcl,
     .handler = &Unsubscribe,
     .doc = {.summary = "Stop listening for messages posted to the given channels",
             .since = "2.0.0",
             .group = "pubsub",
             .complexity = "O(N) where N is the number of clients already subscribed to a channel.",
             .arguments = kUnsubscribeArgs}},
    {.name = "psubscribe",
     .arity = -2,
     .flags = kSubscribeFlags,
     .acl = kSlowAcl,
     .handler = &PSubscribe,
     .doc = {.summary = "Listen for messages published to channels matching the given patterns",
             .since = "2.0.0",
             .group = "pubsub",
             .complexity =
                 "O(N) where N is the number of patterns the client is already subscribed to.",
             .arguments = kPSubscribeArgs}},
    {.name = "punsubscribe",
     .arity = -1,
     .flags = kSubscribeFlags,
     .acl = kSlowAcl,
     .handler = &PUnsubscribe,
     .doc = {.summary =
                 "Stop listening for messages posted to channels matching the given patterns",
             .since = "2.0.0",
             .group = "pubsub",
             .complexity = "O(N+M) where N is the number of patterns the client is already "
                           "subscribed and M is the number of total patterns subscribed in the "
                           "system (by any client).",
             .arguments = kPUnsubscribeArgs}},
    {.name = "publish",
     .arity = 3,
     .flags = kPublishFlags,
     .acl = kAclPubSub | kAclFast,
     .handler = &Publish,
     .doc = {.summary = "Post a message to a channel",
             .since = "2.0.0",
             .group = "pubsub",
             .complexity = "O(N+M) where N is the number of clients subscribed to the receiving "
                           "channel and M is the total number of subscribed patterns (by any "
                           "client).",
             .arguments = kPublishArgs}},
    {.name = "ssubscribe",
     .arity = -2,
     .flags = kSubscribeFlags,
     .acl = kSlowAcl,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SSubscribe,
     .doc = {.summary = "Listen for messages published to the given shard channels",
             .since = "7.0.0",
             .group = "pubsub",
             .complexity = "O(N) where N is the number of shard channels to subscribe to.",
             .arguments = kSSubscribeArgs},
     .key_specs = kShardChannelsKeySpecs},
    {.name = "sunsubscribe",
     .arity = -1,
     .flags = kSubscribeFlags,
     .acl = kSlowAcl,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .handler = &SUnsubscribe,
     .doc = {.summary = "Stop listening for messages posted to the given shard channels",
             .since = "7.0.0",
             .group = "pubsub",
             .complexity =
                 "O(N) where N is the number of clients already subscribed to a shard channel.",
             .arguments = kSUnsubscribeArgs},
     .key_specs = kShardChannelsKeySpecs},
    {.name = "spublish",
     .arity = 3,
     .flags = kPublishFlags,
     .acl = kAclPubSub | kAclFast,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .handler = &SPublish,
     .doc = {.summary = "Post a message to a shard channel",
             .since = "7.0.0",
             .group = "pubsub",
             .complexity =
                 "O(N) where N is the number of clients subscribed to the receiving shard channel.",
             .arguments = kSPublishArgs},
     .key_specs = kShardChannelKeySpecs},
    {.name = "pubsub",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for Pub/Sub commands",
             .since = "2.8.0",
             .group = "pubsub",
             .complexity = "Depends on subcommand."},
     .subcommands = kPubSubSubcommands},
};

}  // namespace

std::span<const CommandSpec> PubSubCommands() { return kPubSubCommands; }

}  // namespace magnetar::server
