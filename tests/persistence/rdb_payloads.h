// Builders of RDB payloads from the format's definition (rdb_format.h, legacy_encodings.h), and
// readers of engine values' contents, for the reader and loader tests.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/listpack.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"

namespace magnetar::persistence::rdb_test {

inline std::string LittleEndian(uint64_t value, size_t bytes) {
  std::string out;
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
  return out;
}

// `tag` then `rest` (appended, not prepended: GCC 12 warns falsely about char + string).
inline std::string Tagged(char tag, std::string_view rest) {
  std::string out(1, tag);
  out += rest;
  return out;
}

// An RDB length.
inline std::string Len(uint64_t n) {
  std::string out;
  if (n < 64) {
    out.push_back(static_cast<char>(n));
  } else if (n < 16384) {
    out.push_back(static_cast<char>(0x40 | (n >> 8)));
    out.push_back(static_cast<char>(n & 0xFF));
  } else if (n <= UINT32_MAX) {
    out.push_back(static_cast<char>(0x80));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  } else {
    out.push_back(static_cast<char>(0x81));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  }
  return out;
}

// A plain RDB string.
inline std::string Str(std::string_view s) { return Len(s.size()) + std::string(s); }

// A ziplist element: text or integer.
using Item = std::variant<std::string, int64_t>;

// A ziplist, each integer in the smallest encoding that holds it.
inline std::string Ziplist(const std::vector<Item>& items) {
  std::string entries;
  size_t previous = 0;
  size_t last = 10;
  for (const Item& item : items) {
    std::string entry;
    if (previous < 254) {
      entry.push_back(static_cast<char>(previous));
    } else {
      entry.push_back(static_cast<char>(0xFE));
      entry += LittleEndian(previous, 4);
    }
    if (const auto* text = std::get_if<std::string>(&item)) {
      size_t n = text->size();
      if (n < 64) {
        entry.push_back(static_cast<char>(n));
      } else if (n < 16384) {
        entry.push_back(static_cast<char>(0x40 | (n >> 8)));
        entry.push_back(static_cast<char>(n & 0xFF));
      } else {
        entry.push_back(static_cast<char>(0x80));
        for (int shift = 24; shift >= 0; shift -= 8) {
          entry.push_back(static_cast<char>(n >> shift));
        }
      }
      entry += *text;
    } else {
      int64_t v = std::get<int64_t>(item);
      if (v >= 0 && v <= 12) {
        entry.push_back(static_cast<char>(0xF1 + v));
      } else if (v >= INT8_MIN && v <= INT8_MAX) {
        entry += Tagged('\xFE', LittleEndian(static_cast<uint64_t>(v), 1));
      } else if (v >= INT16_MIN && v <= INT16_MAX) {
        entry += Tagged('\xC0', LittleEndian(static_cast<uint64_t>(v), 2));
      } else if (v >= -(1 << 23) && v < (1 << 23)) {
        entry += Tagged('\xF0', LittleEndian(static_cast<uint64_t>(v), 3));
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        entry += Tagged('\xD0', LittleEndian(static_cast<uint64_t>(v), 4));
      } else {
        entry += Tagged('\xE0', LittleEndian(static_cast<uint64_t>(v), 8));
      }
    }
    last = 10 + entries.size();
    previous = entry.size();
    entries += entry;
  }
  size_t total = 10 + entries.size() + 1;
  return LittleEndian(total, 4) + LittleEndian(last, 4) + LittleEndian(items.size(), 2) + entries +
         '\xFF';
}

// A zipmap of field/value pairs (each value with one byte of free space, as Redis leaves some).
inline std::string Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  auto length = [](size_t n) {
    return n < 254 ? std::string(1, static_cast<char>(n)) : Tagged('\xFE', LittleEndian(n, 4));
  };
  std::string out(1, static_cast<char>(pairs.size()));
  for (const auto& [field, value] : pairs) {
    out += length(field.size()) + field + length(value.size()) + '\x01' + value + '\x00';
  }
  return out + '\xFF';
}

inline std::string Intset(uint32_t width, const std::vector<int64_t>& values) {
  std::string out = LittleEndian(width, 4) + LittleEndian(values.size(), 4);
  for (int64_t v : values) out += LittleEndian(static_cast<uint64_t>(v), width);
  return out;
}

inline std::string ListpackOf(const std::vector<std::string>& elements) {
  engine::Listpack lp;
  for (const std::string& e : elements) lp.Append(e);
  auto bytes = lp.bytes();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

inline std::vector<std::string> ListContents(const engine::Object& object) {
  std::vector<std::string> out;
  static_cast<const engine::ListValue&>(object).Walk(false, [&](size_t, std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

inline std::map<std::string, std::string> HashContents(const engine::Object& object) {
  std::map<std::string, std::string> out;
  static_cast<const engine::HashValue&>(object).ForEach(
      [&](std::string_view f, std::string_view v) { out.emplace(f, v); });
  return out;
}

inline std::set<std::string> SetContents(const engine::Object& object) {
  std::set<std::string> out;
  static_cast<const engine::SetValue&>(object).ForEach([&](std::string_view m) { out.emplace(m); });
  return out;
}

inline std::vector<std::pair<std::string, double>> ZSetContents(const engine::Object& object) {
  std::vector<std::pair<std::string, double>> out;
  static_cast<const engine::ZSetValue&>(object).Walk(0, false,
                                                     [&](std::string_view m, double score) {
                                                       out.emplace_back(m, score);
                                                       return true;
                                                     });
  return out;
}

}  // namespace magnetar::persistence::rdb_test
