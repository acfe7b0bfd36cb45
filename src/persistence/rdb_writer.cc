#include "magnetar/persistence/rdb_writer.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <optional>

#include "magnetar/common/numbers.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"
#include "magnetar/persistence/lzf.h"
#include "magnetar/persistence/rdb_format.h"

namespace magnetar::persistence {
namespace {

using engine::ValueType;

// Redis tries the integer encodings only on texts of up to 11 bytes (a 32-bit integer's longest
// text) that read back as the same bytes.
constexpr size_t kMaxIntegerText = 11;
// Strings of 20 bytes or fewer are not tried for compression; a compressed form is kept only when
// it fits in 4 bytes fewer than the string.
constexpr size_t kMaxUncompressed = 20;
constexpr size_t kMinCompressionSaving = 4;

// The value of `bytes` when it is a canonical integer (its text is exactly `bytes`).
std::optional<int64_t> CanonicalInteger(std::string_view bytes) {
  std::optional<int64_t> value = ParseInt64(bytes);
  if (!value) return std::nullopt;
  char text[kMaxInt64Chars];
  if (std::string_view(text, FormatInt64(*value, text)) != bytes) return std::nullopt;
  return value;
}

template <typename T>
void AppendLittleEndian(std::string& out, T value) {
  static_assert(std::endian::native == std::endian::little, "RDB integers are little endian");
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// The 32 and 64-bit lengths are the format's only big-endian numbers.
void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(value >> (8 * i)));
}

std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The type byte Redis writes for the value's type in its current encoding.
RdbType TypeOf(const engine::Entry& entry) {
  switch (entry.type()) {
    case ValueType::kString:
      return kRdbString;
    case ValueType::kList:
      return kRdbListQuicklist2;
    case ValueType::kSet:
      return static_cast<const engine::SetValue*>(entry.object())->is_intset() ? kRdbSetIntset
                                                                               : kRdbSet;
    case ValueType::kZSet:
      return static_cast<const engine::ZSetValue*>(entry.object())->IsListpack() ? kRdbZSetListpack
                                                                                 : kRdbZSet2;
    case ValueType::kHash:
      return static_cast<const engine::HashValue*>(entry.object())->IsListpack() ? kRdbHashListpack
                                                                                 : kRdbHash;
    case ValueType::kStream:
      break;
  }
  // Magnetar holds no stream values: nothing creates an entry of that type.
  return kRdbStreamListpacks2;
}

// Writes `value` in the 8, 16 or 32-bit encoding that holds it; false when none does.
bool EncodedInteger(RdbWriter& w, int64_t value) {
  constexpr uint8_t kEncoded = kRdbEncodedValue << 6;
  if (value >= INT8_MIN && value <= INT8_MAX) {
    w.Byte(kEncoded | kRdbEncInt8);
    AppendLittleEndian(w.out(), static_cast<int8_t>(value));
  } else if (value >= INT16_MIN && value <= INT16_MAX) {
    w.Byte(kEncoded | kRdbEncInt16);
    AppendLittleEndian(w.out(), static_cast<int16_t>(value));
  } else if (value >= INT32_MIN && value <= INT32_MAX) {
    w.Byte(kEncoded | kRdbEncInt32);
    AppendLittleEndian(w.out(), static_cast<int32_t>(value));
  } else {
    return false;
  }
  return true;
}

// Writes `bytes` LZF-compressed when the compressed form fits in 4 bytes fewer; false, and
// nothing written, otherwise.
bool Compressed(RdbWriter& w, std::string_view bytes) {
  // Compresses straight into the output, after room for the longest header (the encoding byte and
  // two 9-byte lengths); the header is then written in front and the bytes moved next to it.
  constexpr size_t kMaxHeader = 1 + 9 + 9;
  const size_t start = w.out().size();
  const size_t room = bytes.size() - kMinCompressionSaving;
  w.out().resize(start + kMaxHeader + room);
  auto* area = reinterpret_cast<uint8_t*>(w.out().data() + start + kMaxHeader);
  const size_t compressed = LzfCompress(bytes, {area, room});
  if (compressed == 0) {
    w.out().resize(start);
    return false;
  }
  std::string header;
  RdbWriter header_writer(header, false);
  header_writer.Byte((kRdbEncodedValue << 6) | kRdbEncLzf);
  header_writer.Length(compressed);
  header_writer.Length(bytes.size());
  std::memmove(w.out().data() + start + header.size(), area, compressed);
  std::memcpy(w.out().data() + start, header.data(), header.size());
  w.out().resize(start + header.size() + compressed);
  return true;
}

// The value's encoding, after its type byte.
void WriteValue(RdbWriter& w, const engine::Entry& entry) {
  switch (entry.type()) {
    case ValueType::kString:
      // An integer-encoded value skips the round trip through its text, as Redis's does.
      if (entry.encoding() == engine::Encoding::kInteger) {
        w.Integer(entry.integer());
      } else {
        w.String(entry.string().view());
      }
      return;
    case ValueType::kList: {
      // Quicklist 2: the node count, then each node as its container kind and its listpack.
      const auto& list = *static_cast<const engine::ListValue*>(entry.object());
      w.Length(list.node_count());
      for (size_t i = 0; i < list.node_count(); ++i) {
        w.Length(kQuicklistNodePacked);
        w.String(AsChars(list.node(i).bytes()));
      }
      return;
    }
    case ValueType::kSet: {
      const auto& set = *static_cast<const engine::SetValue*>(entry.object());
      if (set.is_intset()) {
        w.String(AsChars(set.IntsetBytes()));
        return;
      }
      w.Length(set.size());
      set.ForEach([&w](std::string_view member) { w.String(member); });
      return;
    }
    case ValueType::kZSet: {
      const auto& zset = *static_cast<const engine::ZSetValue*>(entry.object());
      if (zset.IsListpack()) {
        w.String(AsChars(zset.listpack().bytes()));
        return;
      }
      // Redis walks its skiplist from the tail, so the highest-ranked element comes first; a
      // reader inserting in file order then meets its skiplist's best case.
      w.Length(zset.Size());
      zset.Walk(zset.Size() - 1, true, [&w](std::string_view member, double score) {
        w.String(member);
        AppendLittleEndian(w.out(), score);
        return true;
      });
      return;
    }
    case ValueType::kHash: {
      const auto& hash = *static_cast<const engine::HashValue*>(entry.object());
      if (hash.IsListpack()) {
        w.String(AsChars(hash.listpack().bytes()));
        return;
      }
      w.Length(hash.Size());
      hash.ForEach([&w](std::string_view field, std::string_view value) {
        w.String(field);
        w.String(value);
      });
      return;
    }
    case ValueType::kStream:
      return;  // Magnetar holds no stream values (see TypeOf)
  }
}

}  // namespace

void RdbWriter::Header() {
  char version[5];
  std::snprintf(version, sizeof(version), "%04d", kRdbVersion);
  out_.append(kRdbMagic);
  out_.append(version, 4);
}

void RdbWriter::AuxField(std::string_view key, std::string_view value) {
  Byte(kRdbOpAux);
  String(key);
  String(value);
}

void RdbWriter::AuxField(std::string_view key, int64_t value) {
  char text[kMaxInt64Chars];
  AuxField(key, std::string_view(text, FormatInt64(value, text)));
}

void RdbWriter::SelectDb(uint64_t index) {
  Byte(kRdbOpSelectDb);
  Length(index);
}

void RdbWriter::ResizeDb(uint64_t keys, uint64_t keys_with_deadline) {
  Byte(kRdbOpResizeDb);
  Length(keys);
  Length(keys_with_deadline);
}

void RdbWriter::Key(const engine::Entry& entry, const KeyMetadata& metadata) {
  if (metadata.deadline_ms) {
    Byte(kRdbOpExpireTimeMs);
    AppendLittleEndian(out_, *metadata.deadline_ms);
  }
  if (metadata.idle_seconds) {
    Byte(kRdbOpIdle);
    Length(*metadata.idle_seconds);
  }
  if (metadata.lfu_counter) {
    Byte(kRdbOpFreq);
    Byte(*metadata.lfu_counter);
  }
  Byte(TypeOf(entry));
  String(entry.key());
  WriteValue(*this, entry);
}

void RdbWriter::Value(const engine::Entry& entry) {
  Byte(TypeOf(entry));
  WriteValue(*this, entry);
}

void RdbWriter::Eof() { Byte(kRdbOpEof); }

void RdbWriter::Length(uint64_t length) {
  if (length < (uint64_t{1} << 6)) {
    Byte(static_cast<uint8_t>((kRdb6BitLength << 6) | length));
  } else if (length < (uint64_t{1} << 14)) {
    Byte(static_cast<uint8_t>((kRdb14BitLength << 6) | (length >> 8)));
    Byte(static_cast<uint8_t>(length));
  } else if (length <= UINT32_MAX) {
    Byte(kRdb32BitLength);
    AppendBigEndian(out_, length, 4);
  } else {
    Byte(kRdb64BitLength);
    AppendBigEndian(out_, length, 8);
  }
}

void RdbWriter::String(std::string_view bytes) {
  if (bytes.size() <= kMaxIntegerText) {
    std::optional<int64_t> value = CanonicalInteger(bytes);
    if (value && EncodedInteger(*this, *value)) return;
  }
  if (compress_ && bytes.size() > kMaxUncompressed && Compressed(*this, bytes)) return;
  Length(bytes.size());
  out_.append(bytes);
}

void RdbWriter::Integer(int64_t value) {
  if (EncodedInteger(*this, value)) return;
  char text[kMaxInt64Chars];
  size_t length = FormatInt64(value, text);
  Length(length);
  out_.append(text, length);
}

}  // namespace magnetar::persistence
