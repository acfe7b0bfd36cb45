#include "aof_command_sink.h"

#include <fmt/format.h>

#include <array>

#include "magnetar/common/numbers.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"
#include "magnetar/resp/reply_builder.h"

namespace magnetar::server {
namespace {

// Redis's AOF_REWRITE_ITEMS_PER_CMD: big values become several commands of bounded size.
constexpr size_t kItemsPerCommand = 64;

using resp::ReplyBuilder;

std::string_view IntegerText(int64_t value, char* digits) {
  return {digits, FormatInt64(value, digits)};
}

}  // namespace

template <typename... Parts>
void AofCommandSink::Item(std::string_view command, std::string_view key, Parts... parts) {
  (ReplyBuilder::AppendBulk(items_, parts), ...);
  item_args_ += sizeof...(parts);
  if (++item_count_ == kItemsPerCommand) FlushItems(command, key);
}

void AofCommandSink::FlushItems(std::string_view command, std::string_view key) {
  if (item_count_ == 0) return;
  fmt::format_to(std::back_inserter(buffer_), "*{}\r\n", 2 + item_args_);
  ReplyBuilder::AppendBulk(buffer_, command);
  ReplyBuilder::AppendBulk(buffer_, key);
  buffer_ += items_;
  items_.clear();
  item_count_ = item_args_ = 0;
}

void AofCommandSink::Write(size_t index, const engine::Entry& entry) {
  char digits[kMaxInt64Chars];
  if (index != selected_) {
    selected_ = index;
    std::array<std::string_view, 2> select = {"SELECT", IntegerText(int64_t(index), digits)};
    ReplyBuilder::AppendCommand(buffer_, select);
  }
  const std::string_view key = entry.key();
  switch (entry.type()) {
    case engine::ValueType::kString: {
      std::string_view value = entry.encoding() == engine::Encoding::kInteger
                                   ? IntegerText(entry.integer(), digits)
                                   : entry.string().view();
      std::array<std::string_view, 3> set = {"SET", key, value};
      ReplyBuilder::AppendCommand(buffer_, set);
      break;
    }
    case engine::ValueType::kList:
      static_cast<const engine::ListValue*>(entry.object())
          ->Walk(false, [&](size_t, std::string_view element) {
            Item("RPUSH", key, element);
            return true;
          });
      FlushItems("RPUSH", key);
      break;
    case engine::ValueType::kSet:
      static_cast<const engine::SetValue*>(entry.object())->ForEach([&](std::string_view member) {
        Item("SADD", key, member);
      });
      FlushItems("SADD", key);
      break;
    case engine::ValueType::kZSet: {
      const auto& zset = *static_cast<const engine::ZSetValue*>(entry.object());
      zset.Walk(0, false, [&](std::string_view member, double score) {
        char text[kMaxDoubleChars];
        Item("ZADD", key, std::string_view(text, FormatDouble(score, text)), member);
        return true;
      });
      FlushItems("ZADD", key);
      break;
    }
    case engine::ValueType::kHash:
      static_cast<const engine::HashValue*>(entry.object())
          ->ForEach([&](std::string_view field, std::string_view value) {
            Item("HMSET", key, field, value);
          });
      FlushItems("HMSET", key);
      break;
    case engine::ValueType::kStream:
      break;  // Magnetar holds no stream values
  }
  if (entry.has_deadline()) {
    std::array<std::string_view, 3> expire = {"PEXPIREAT", key,
                                              IntegerText(entry.deadline(), digits)};
    ReplyBuilder::AppendCommand(buffer_, expire);
  }
  if (buffer_.size() >= persistence::RdbSnapshotSink::kChunkBytes) {
    out_.Push(std::move(buffer_));
    buffer_ = std::string();
  }
}

void AofCommandSink::Finish() {
  out_.Push(std::move(buffer_));
  buffer_ = std::string();
}

}  // namespace magnetar::server
