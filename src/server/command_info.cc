#include <iterator>
#include <utility>

#include "command_printers.h"
#include "magnetar/commands/arg_parser.h"

namespace magnetar::server {
namespace {

using namespace commands;

// Names in the order Redis prints them, which is not always bit order.
constexpr std::pair<uint32_t, std::string_view> kCommandFlagNames[] = {
    {kWrite, "write"},
    {kReadOnly, "readonly"},
    {kDenyOom, "denyoom"},
    {kAdmin, "admin"},
    {kPubSub, "pubsub"},
    {kNoScript, "noscript"},
    {kBlocking, "blocking"},
    {kLoading, "loading"},
    {kStale, "stale"},
    {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"},
    {kAsking, "asking"},
    {kFast, "fast"},
    {kNoAuth, "no_auth"},
    {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kMovableKeys, "movablekeys"},
    {kAllowBusy, "allow_busy"},
};

constexpr std::pair<uint32_t, std::string_view> kAclCategoryNames[] = {
    {kAclKeyspace, "@keyspace"},
    {kAclRead, "@read"},
    {kAclWrite, "@write"},
    {kAclSet, "@set"},
    {kAclSortedSet, "@sortedset"},
    {kAclList, "@list"},
    {kAclHash, "@hash"},
    {kAclString, "@string"},
    {kAclBitmap, "@bitmap"},
    {kAclHyperLogLog, "@hyperloglog"},
    {kAclGeo, "@geo"},
    {kAclStream, "@stream"},
    {kAclPubSub, "@pubsub"},
    {kAclAdmin, "@admin"},
    {kAclFast, "@fast"},
    {kAclSlow, "@slow"},
    {kAclBlocking, "@blocking"},
    {kAclDangerous, "@dangerous"},
    {kAclConnection, "@connection"},
    {kAclTransaction, "@transaction"},
    {kAclScripting, "@scripting"},
};

constexpr std::pair<uint32_t, std::string_view> kKeySpecFlagNames[] = {
    {kKsRO, "RO"},
    {kKsRW, "RW"},
    {kKsOW, "OW"},
    {kKsRM, "RM"},
    {kKsAccess, "access"},
    {kKsUpdate, "update"},
    {kKsInsert, "insert"},
    {kKsDelete, "delete"},
    {kKsNotKey, "not_key"},
    {kKsIncomplete, "incomplete"},
    {kKsVariableFlags, "variable_flags"},
};

void ReplyFlagSet(resp::ReplyBuilder& reply, uint32_t flags,
                  std::span<const std::pair<uint32_t, std::string_view>> names) {
  size_t count = 0;
  for (const auto& [bit, name] : names) count += (flags & bit) != 0;
  reply.Set(count);
  for (const auto& [bit, name] : names) {
    if (flags & bit) reply.SimpleString(name);
  }
}

void ReplyBeginSearch(resp::ReplyBuilder& reply, const BeginSearch& begin) {
  reply.Map(2);
  reply.Bulk("type");
  switch (begin.type) {
    case BeginSearch::kIndex:
      reply.Bulk("index");
      reply.Bulk("spec");
      reply.Map(1);
      reply.Bulk("index");
      reply.Integer(begin.index);
      return;
    case BeginSearch::kKeyword:
      reply.Bulk("keyword");
      reply.Bulk("spec");
      reply.Map(2);
      reply.Bulk("keyword");
      reply.Bulk(begin.keyword);
      reply.Bulk("startfrom");
      reply.Integer(begin.start_from);
      return;
    case BeginSearch::kUnknown:
      break;
  }
  reply.Bulk("unknown");
  reply.Bulk("spec");
  reply.Map(0);
}

void ReplyFindKeys(resp::ReplyBuilder& reply, const FindKeys& find) {
  reply.Map(2);
  reply.Bulk("type");
  switch (find.type) {
    case FindKeys::kRange:
      reply.Bulk("range");
      reply.Bulk("spec");
      reply.Map(3);
      reply.Bulk("lastkey");
      reply.Integer(find.last_key);
      reply.Bulk("keystep");
      reply.Integer(find.key_step);
      reply.Bulk("limit");
      reply.Integer(find.limit);
      return;
    case FindKeys::kKeyNum:
      reply.Bulk("keynum");
      reply.Bulk("spec");
      reply.Map(3);
      reply.Bulk("keynumidx");
      reply.Integer(find.keynum_index);
      reply.Bulk("firstkey");
      reply.Integer(find.first_key);
      reply.Bulk("keystep");
      reply.Integer(find.key_step);
      return;
    case FindKeys::kUnknown:
      break;
  }
  reply.Bulk("unknown");
  reply.Bulk("spec");
  reply.Map(0);
}

void ReplyKeySpec(resp::ReplyBuilder& reply, const KeySpec& spec) {
  reply.Map(spec.notes.empty() ? 3 : 4);
  if (!spec.notes.empty()) {
    reply.Bulk("notes");
    reply.Bulk(spec.notes);
  }
  reply.Bulk("flags");
  ReplyKeySpecFlags(reply, spec.flags);
  reply.Bulk("begin_search");
  ReplyBeginSearch(reply, spec.begin_search);
  reply.Bulk("find_keys");
  ReplyFindKeys(reply, spec.find_keys);
}

}  // namespace

void ReplyKeySpecFlags(resp::ReplyBuilder& reply, uint32_t flags) {
  ReplyFlagSet(reply, flags, kKeySpecFlagNames);
}

uint32_t AclCategoryByName(std::string_view name) {
  for (const auto& [bit, full] : kAclCategoryNames) {
    if (EqualsIgnoreCase(full.substr(1), name)) return bit;
  }
  return 0;
}

void ReplyCommandInfo(resp::ReplyBuilder& reply, const CommandSpec& spec) {
  reply.Array(10);
  reply.Bulk(spec.name);
  reply.Integer(spec.arity);
  ReplyFlagSet(reply, spec.flags, kCommandFlagNames);
  reply.Integer(spec.first_key);
  reply.Integer(spec.last_key);
  reply.Integer(spec.key_step);
  ReplyFlagSet(reply, spec.acl, kAclCategoryNames);
  reply.Set(spec.tips.size());
  for (std::string_view tip : spec.tips) reply.Bulk(tip);
  reply.Set(spec.key_specs.size());
  for (const KeySpec& key_spec : spec.key_specs) ReplyKeySpec(reply, key_spec);
  // Redis writes "no subcommands" as an empty set but a list of them as an array.
  if (spec.subcommands.empty()) return reply.Set(0);
  reply.Array(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(reply, sub);
}

}  // namespace magnetar::server
