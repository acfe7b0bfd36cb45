#include "command_printers.h"

namespace magnetar::server {
namespace {

using namespace commands;

std::string_view ArgTypeName(ArgType type) {
  switch (type) {
    case ArgType::kString:
      return "string";
    case ArgType::kInteger:
      return "integer";
    case ArgType::kDouble:
      return "double";
    case ArgType::kKey:
      return "key";
    case ArgType::kPattern:
      return "pattern";
    case ArgType::kUnixTime:
      return "unix-time";
    case ArgType::kPureToken:
      return "pure-token";
    case ArgType::kOneOf:
      return "oneof";
    case ArgType::kBlock:
      return "block";
  }
  return "string";
}

void ReplyArgFlags(resp::ReplyBuilder& reply, uint8_t flags) {
  reply.Set(((flags & kArgOptional) != 0) + ((flags & kArgMultiple) != 0) +
            ((flags & kArgMultipleToken) != 0));
  if (flags & kArgOptional) reply.SimpleString("optional");
  if (flags & kArgMultiple) reply.SimpleString("multiple");
  if (flags & kArgMultipleToken) reply.SimpleString("multiple_token");
}

// Writes `key: value` when the value is set; counts as one map entry.
void OptionalField(resp::ReplyBuilder& reply, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  reply.Bulk(key);
  reply.Bulk(value);
}

void ReplyArguments(resp::ReplyBuilder& reply, std::span<const ArgDoc> arguments) {
  reply.Array(arguments.size());
  for (const ArgDoc& arg : arguments) {
    bool has_key_spec = arg.key_spec_index >= 0;
    reply.Map(2 + has_key_spec + !arg.token.empty() + !arg.since.empty() +
              !arg.deprecated_since.empty() + (arg.flags != 0) + !arg.arguments.empty());
    reply.Bulk("name");
    reply.Bulk(arg.name);
    reply.Bulk("type");
    reply.Bulk(ArgTypeName(arg.type));
    if (has_key_spec) {
      reply.Bulk("key_spec_index");
      reply.Integer(arg.key_spec_index);
    }
    OptionalField(reply, "token", arg.token);
    OptionalField(reply, "since", arg.since);
    OptionalField(reply, "deprecated_since", arg.deprecated_since);
    if (arg.flags != 0) {
      reply.Bulk("flags");
      ReplyArgFlags(reply, arg.flags);
    }
    if (!arg.arguments.empty()) {
      reply.Bulk("arguments");
      ReplyArguments(reply, arg.arguments);
    }
  }
}

}  // namespace

void ReplyCommandDocs(resp::ReplyBuilder& reply, const CommandSpec& spec) {
  const CommandDoc& doc = spec.doc;
  bool deprecated = !doc.deprecated_since.empty();
  reply.Map(3 + !doc.complexity.empty() + (deprecated || doc.syscmd) + deprecated +
            !doc.replaced_by.empty() + !doc.history.empty() + !doc.arguments.empty() +
            !spec.subcommands.empty());
  reply.Bulk("summary");
  reply.Bulk(doc.summary);
  reply.Bulk("since");
  reply.Bulk(doc.since);
  reply.Bulk("group");
  reply.Bulk(doc.group);
  OptionalField(reply, "complexity", doc.complexity);
  if (deprecated || doc.syscmd) {
    reply.Bulk("doc_flags");
    reply.Set(deprecated + doc.syscmd);
    if (deprecated) reply.SimpleString("deprecated");
    if (doc.syscmd) reply.SimpleString("syscmd");
  }
  OptionalField(reply, "deprecated_since", doc.deprecated_since);
  OptionalField(reply, "replaced_by", doc.replaced_by);
  if (!doc.history.empty()) {
    reply.Bulk("history");
    reply.Set(doc.history.size());
    for (const HistoryEntry& entry : doc.history) {
      reply.Array(2);
      reply.Bulk(entry.version);
      reply.Bulk(entry.change);
    }
  }
  if (!doc.arguments.empty()) {
    reply.Bulk("arguments");
    ReplyArguments(reply, doc.arguments);
  }
  if (!spec.subcommands.empty()) {
    reply.Bulk("subcommands");
    reply.Map(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      reply.Bulk(sub.name);
      ReplyCommandDocs(reply, sub);
    }
  }
}

}  // namespace magnetar::server
