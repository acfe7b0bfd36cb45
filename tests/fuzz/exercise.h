// What both fuzz targets do with a value that decoded: what commands could do to it next. Reads
// it the way commands do, checks its clone, and writes it back in RDB form and reads that again,
// trapping (a crash for libFuzzer) when two views of the value disagree.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "magnetar/engine/database.h"
#include "magnetar/engine/encoding_limits.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"
#include "magnetar/persistence/rdb_reader.h"
#include "magnetar/persistence/rdb_writer.h"

namespace magnetar::fuzz {

// A failed invariant: a trap, which libFuzzer reports and saves as a crash.
inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// A hash's field and value as one string: the field's length (its bytes may be anything), the
// field, the value.
inline std::string Pair(std::string_view field, std::string_view value) {
  size_t length = field.size();
  std::string pair(reinterpret_cast<const char*>(&length), sizeof(length));
  pair += field;
  pair += value;
  return pair;
}

// A value's elements as text, in the value's order (lists, sorted sets) or sorted (hashes and
// sets, whose table order depends on the instance). A score is its bits, so -0 and NaN compare.
inline std::vector<std::string> Contents(const engine::Object& object, engine::ValueType type) {
  std::vector<std::string> out;
  switch (type) {
    case engine::ValueType::kList:
      static_cast<const engine::ListValue&>(object).Walk(false, [&](size_t, std::string_view v) {
        out.emplace_back(v);
        return true;
      });
      break;
    case engine::ValueType::kHash:
      static_cast<const engine::HashValue&>(object).ForEach(
          [&](std::string_view f, std::string_view v) { out.push_back(Pair(f, v)); });
      std::sort(out.begin(), out.end());
      break;
    case engine::ValueType::kSet:
      static_cast<const engine::SetValue&>(object).ForEach(
          [&](std::string_view m) { out.emplace_back(m); });
      std::sort(out.begin(), out.end());
      break;
    case engine::ValueType::kZSet:
      static_cast<const engine::ZSetValue&>(object).Walk(
          0, false, [&](std::string_view m, double score) {
            std::string element(m);
            element.append(reinterpret_cast<const char*>(&score), sizeof(score));
            out.push_back(std::move(element));
            return true;
          });
      break;
    default:
      break;
  }
  return out;
}

// The point reads of a few elements. With `strict` (a deeply validated value: sorted where the
// encoding says so, no duplicates) each must find what the walk found; a shallowly validated one
// may be out of order or hold duplicates, which Redis also loads, so its reads only must not fail.
inline void PointReads(engine::Object& object, engine::ValueType type,
                       const std::vector<std::string>& contents, bool strict) {
  switch (type) {
    case engine::ValueType::kList: {
      auto& list = static_cast<engine::ListValue&>(object);
      Check(list.size() == contents.size());
      std::string scratch;
      std::string_view value;
      if (contents.empty()) return;
      for (int64_t index : {int64_t{0}, int64_t{-1}, static_cast<int64_t>(contents.size() / 2)}) {
        Check(list.Get(index, value, scratch));
        size_t at = index < 0 ? contents.size() - 1 : static_cast<size_t>(index);
        Check(value == contents[at]);
      }
      break;
    }
    case engine::ValueType::kHash: {
      auto& hash = static_cast<engine::HashValue&>(object);
      Check(hash.Size() == contents.size());
      engine::HashBuffer buffer;
      for (size_t i = 0; i < contents.size() && i < 8; ++i) {
        std::string_view pair = contents[i];
        size_t length;
        std::memcpy(&length, pair.data(), sizeof(length));
        std::string_view field = pair.substr(sizeof(length), length);
        std::optional<std::string_view> value = hash.Get(field, buffer);
        Check(!strict || (value && *value == pair.substr(sizeof(length) + length)));
      }
      break;
    }
    case engine::ValueType::kSet: {
      auto& set = static_cast<engine::SetValue&>(object);
      Check(set.size() == contents.size());
      for (size_t i = 0; i < contents.size() && i < 8; ++i) {
        Check(set.Contains(contents[i]) || !strict);
      }
      break;
    }
    case engine::ValueType::kZSet: {
      auto& zset = static_cast<engine::ZSetValue&>(object);
      Check(zset.Size() == contents.size());
      for (size_t i = 0; i < contents.size() && i < 8; ++i) {
        std::string_view element = contents[i];
        std::string_view member = element.substr(0, element.size() - sizeof(double));
        double score;
        std::memcpy(&score, element.data() + member.size(), sizeof(score));
        std::optional<double> found = zset.Score(member);
        std::optional<size_t> rank = zset.Rank(member);
        Check(!strict || (found && std::memcmp(&*found, &score, sizeof(score)) == 0));
        Check(!strict || rank == i);
      }
      break;
    }
    default:
      break;
  }
}

// `value`'s contents: the string itself, or the collection's elements.
inline std::vector<std::string> LoadedContents(const persistence::LoadedValue& value) {
  if (value.type == engine::ValueType::kString) return {value.string};
  return Contents(*value.object, value.type);
}

// Exercises the value stored at `key` (if it is still there): reads, MemoryBytes, Clone, and an
// RDB round trip through RdbWriter and a reader with `validation`, which must give back the
// same contents.
inline void Exercise(engine::Database& db, std::string_view key,
                     const engine::EncodingLimits& limits, persistence::Validation validation) {
  const engine::Entry* entry = db.LookupForRead(key);
  if (entry == nullptr) return;
  std::vector<std::string> contents;
  if (entry->type() == engine::ValueType::kString) {
    contents.emplace_back(entry->string().view());
  } else if (entry->type() != engine::ValueType::kStream) {
    engine::Object& object = *entry->object();
    Check(object.MemoryBytes() > 0);
    Check(!object.EncodingName().empty());
    contents = Contents(object, entry->type());
    PointReads(object, entry->type(), contents, validation == persistence::Validation::kDeep);
    if (std::unique_ptr<engine::Object> clone = object.Clone()) {
      Check(Contents(*clone, entry->type()) == contents);
    }
  }

  for (bool compress : {false, true}) {
    std::string payload;
    persistence::RdbWriter writer(payload, compress);
    writer.Value(*entry);
    persistence::MemoryRdbInput input(AsBytes(payload));
    persistence::RdbReader reader(input, limits, validation);
    std::optional<uint8_t> type = reader.Byte();
    Check(type.has_value());
    std::optional<persistence::LoadedValue> again = reader.Value(*type);
    Check(again.has_value() && input.Remaining() == 0);
    Check(again->type == entry->type());
    Check(LoadedContents(*again) == contents);
  }
}

}  // namespace magnetar::fuzz
