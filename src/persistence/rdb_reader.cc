#include "magnetar/persistence/rdb_reader.h"

#include <cmath>
#include <cstring>
#include <string>
#include <unordered_set>
#include <utility>

#include "legacy_encodings.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/intset.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/lzf.h"
#include "magnetar/persistence/rdb_format.h"

namespace magnetar::persistence {
namespace {

using engine::HashValue;
using engine::ListpackElement;
using engine::ListValue;
using engine::SetValue;
using engine::ZSetValue;

// LZF's densest item is a 3-byte back reference that copies 264 bytes, so a compressed string
// can claim at most 88 times its compressed size; anything more is a lie we must not allocate for.
constexpr uint64_t kLzfMaxExpansion = 88;

// Text-double markers of RDB_TYPE_ZSET's scores.
constexpr uint8_t kDoubleNan = 253;
constexpr uint8_t kDoublePosInf = 254;
constexpr uint8_t kDoubleNegInf = 255;

uint64_t LoadBigEndian(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (uint8_t b : bytes) value = value << 8 | b;
  return value;
}

uint64_t LoadLittleEndian(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = value << 8 | bytes[i];
  return value;
}

std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

size_t TextLength(const ListpackElement& element) {
  char digits[kMaxInt64Chars];
  return element.Text(digits).size();
}

// Whether elements 0, stride, 2 * stride... of `lp` hold some text twice.
bool HasDuplicates(const engine::Listpack& lp, size_t stride) {
  std::unordered_set<std::string> seen;
  seen.reserve(lp.Size() / stride);
  size_t index = 0;
  for (auto pos = lp.First(); pos != engine::Listpack::kNone; pos = lp.Next(pos), ++index) {
    if (index % stride == 0 && !seen.insert(lp.Get(pos).ToString()).second) return true;
  }
  return false;
}

}  // namespace

std::optional<std::span<const uint8_t>> MemoryRdbInput::Take(size_t n) {
  if (n > bytes_.size() - offset_) return std::nullopt;
  std::span<const uint8_t> taken = bytes_.subspan(offset_, n);
  offset_ += n;
  return taken;
}

std::optional<uint64_t> MemoryRdbInput::ConsumedCrc() const {
  return Crc64(0, bytes_.first(offset_));
}

std::nullopt_t RdbReader::Fail(std::string_view why) {
  error_.assign(why);
  return std::nullopt;
}

std::nullopt_t RdbReader::Empty() {
  empty_value_ = true;
  return Fail("Empty keys are not allowed (a collection of no elements)");
}

std::optional<std::span<const uint8_t>> RdbReader::Bytes(size_t n) {
  std::optional<std::span<const uint8_t>> bytes = in_.Take(n);
  if (!bytes) return Fail(kTruncated);
  return bytes;
}

std::optional<uint8_t> RdbReader::Byte() {
  std::optional<std::span<const uint8_t>> bytes = Bytes(1);
  if (!bytes) return std::nullopt;
  return (*bytes)[0];
}

std::optional<uint64_t> RdbReader::Length(bool* encoded) {
  if (encoded != nullptr) *encoded = false;
  std::optional<uint8_t> first = Byte();
  if (!first) return std::nullopt;
  switch (*first >> 6) {
    case kRdb6BitLength:
      return *first & 0x3F;
    case kRdb14BitLength: {
      std::optional<uint8_t> second = Byte();
      if (!second) return std::nullopt;
      return static_cast<uint64_t>(*first & 0x3F) << 8 | *second;
    }
    case kRdbEncodedValue:
      if (encoded == nullptr) return Fail("A string encoding where a length was expected");
      *encoded = true;
      return *first & 0x3F;
    default:
      break;
  }
  size_t width = *first == kRdb32BitLength ? 4 : *first == kRdb64BitLength ? 8 : 0;
  if (width == 0) return Fail("Unknown length encoding " + std::to_string(*first));
  std::optional<std::span<const uint8_t>> bytes = Bytes(width);
  if (!bytes) return std::nullopt;
  return LoadBigEndian(*bytes);
}

std::optional<uint64_t> RdbReader::Count(uint64_t min_bytes) {
  std::optional<uint64_t> count = Length();
  if (count && *count > in_.Remaining() / min_bytes) {
    return Fail(std::string(kTruncated) + ": element count " + std::to_string(*count) +
                " exceeds the input left");
  }
  return count;
}

std::optional<std::string_view> RdbReader::StringView(std::string& scratch) {
  bool encoded;
  std::optional<uint64_t> length = Length(&encoded);
  if (!length) return std::nullopt;
  if (!encoded) {
    if (*length > in_.Remaining()) {
      return Fail(std::string(kTruncated) + ": string length exceeds the input left");
    }
    std::optional<std::span<const uint8_t>> bytes = Bytes(*length);
    if (!bytes) return std::nullopt;
    return AsChars(*bytes);
  }
  if (*length == kRdbEncLzf) {
    std::optional<uint64_t> compressed = Length();
    if (!compressed) return std::nullopt;
    std::optional<uint64_t> original = Length();
    if (!original) return std::nullopt;
    if (*compressed > in_.Remaining()) {
      return Fail(std::string(kTruncated) + ": LZF length exceeds the input left");
    }
    if (*compressed == 0 || *original == 0 || *original > *compressed * kLzfMaxExpansion) {
      return Fail("Invalid LZF compressed string lengths");
    }
    std::optional<std::span<const uint8_t>> bytes = Bytes(*compressed);
    if (!bytes) return std::nullopt;
    scratch.resize(*original);
    if (!LzfDecompress(*bytes, {reinterpret_cast<uint8_t*>(scratch.data()), scratch.size()})) {
      return Fail("Invalid LZF compressed string");
    }
    return std::string_view(scratch);
  }
  size_t width = *length == kRdbEncInt8    ? 1
                 : *length == kRdbEncInt16 ? 2
                 : *length == kRdbEncInt32 ? 4
                                           : 0;
  if (width == 0) return Fail("Unknown RDB string encoding type " + std::to_string(*length));
  std::optional<std::span<const uint8_t>> bytes = Bytes(width);
  if (!bytes) return std::nullopt;
  unsigned shift = 64 - 8 * static_cast<unsigned>(width);
  auto value = static_cast<int64_t>(LoadLittleEndian(*bytes) << shift) >> shift;
  scratch.resize(kMaxInt64Chars);
  scratch.resize(FormatInt64(value, scratch.data()));
  return std::string_view(scratch);
}

std::optional<std::string> RdbReader::String() {
  std::string scratch;
  std::optional<std::string_view> view = StringView(scratch);
  if (!view) return std::nullopt;
  if (view->data() == scratch.data()) return scratch;
  return std::string(*view);
}

std::optional<std::span<const uint8_t>> RdbReader::Blob(std::string& scratch) {
  std::optional<std::string_view> view = StringView(scratch);
  if (!view) return std::nullopt;
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(view->data()), view->size());
}

std::optional<int64_t> RdbReader::MillisecondTime() {
  std::optional<std::span<const uint8_t>> bytes = Bytes(8);
  if (!bytes) return std::nullopt;
  return static_cast<int64_t>(LoadLittleEndian(*bytes));
}

std::optional<int64_t> RdbReader::SecondTime() {
  std::optional<std::span<const uint8_t>> bytes = Bytes(4);
  if (!bytes) return std::nullopt;
  return static_cast<int32_t>(static_cast<uint32_t>(LoadLittleEndian(*bytes)));
}

std::optional<double> RdbReader::TextDouble() {
  std::optional<uint8_t> length = Byte();
  if (!length) return std::nullopt;
  switch (*length) {
    case kDoubleNan:
      return std::nan("");
    case kDoublePosInf:
      return HUGE_VAL;
    case kDoubleNegInf:
      return -HUGE_VAL;
    default:
      break;
  }
  std::optional<std::span<const uint8_t>> bytes = Bytes(*length);
  if (!bytes) return std::nullopt;
  std::optional<double> value = ParseDouble(AsChars(*bytes));
  if (!value) return Fail("Invalid double value");
  return value;
}

std::optional<double> RdbReader::BinaryDouble() {
  std::optional<std::span<const uint8_t>> bytes = Bytes(8);
  if (!bytes) return std::nullopt;
  uint64_t bits = LoadLittleEndian(*bytes);
  double value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

std::optional<LoadedValue> RdbReader::Value(uint8_t type) {
  empty_value_ = false;
  switch (type) {
    case kRdbString: {
      std::optional<std::string> string = String();
      if (!string) return std::nullopt;
      LoadedValue value;
      value.string = std::move(*string);
      return value;
    }
    case kRdbList:
      return List();
    case kRdbSet:
      return Set();
    case kRdbZSet:
    case kRdbZSet2:
      return ZSet(type == kRdbZSet2);
    case kRdbHash:
      return Hash();
    case kRdbListZiplist:
      return ListFromZiplist();
    case kRdbSetIntset:
      return SetFromIntset();
    case kRdbListQuicklist:
    case kRdbListQuicklist2:
      return Quicklist(type == kRdbListQuicklist2);
    case kRdbHashZipmap:
    case kRdbHashZiplist:
    case kRdbHashListpack:
    case kRdbZSetZiplist:
    case kRdbZSetListpack: {
      std::string scratch;
      std::optional<std::span<const uint8_t>> blob = Blob(scratch);
      if (!blob) return std::nullopt;
      std::optional<engine::Listpack> pairs = type == kRdbHashZipmap ? ZipmapToListpack(*blob)
                                              : type == kRdbHashListpack || type == kRdbZSetListpack
                                                  ? engine::Listpack::FromBytes(*blob)
                                                  : ZiplistToListpack(*blob);
      if (!pairs) {
        return Fail(type == kRdbHashZipmap ? "Zipmap integrity check failed."
                    : type == kRdbHashListpack || type == kRdbZSetListpack
                        ? "Listpack integrity check failed."
                        : "Ziplist integrity check failed.");
      }
      if (type == kRdbZSetZiplist || type == kRdbZSetListpack) {
        return ZSetFromPairs(std::move(*pairs));
      }
      // Redis converts legacy encodings entry by entry and so always meets duplicates.
      return HashFromPairs(std::move(*pairs), type != kRdbHashListpack);
    }
    case kRdbModule:
    case kRdbModule2:
      return Fail("Module values are not supported (RDB type " + std::to_string(type) + ")");
    case kRdbStreamListpacks:
    case kRdbStreamListpacks2:
      return Fail("Stream values are not supported (RDB type " + std::to_string(type) + ")");
    default:
      return Fail("Unknown RDB encoding type " + std::to_string(type));
  }
}

std::optional<LoadedValue> RdbReader::List() {
  std::optional<uint64_t> count = Count(1);
  if (!count) return std::nullopt;
  if (*count == 0) return Empty();
  auto list = std::make_unique<ListValue>();
  std::string scratch;
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> element = StringView(scratch);
    if (!element) return std::nullopt;
    list->Push(ListValue::End::kTail, *element, limits_.list_max_listpack_size);
  }
  LoadedValue value;
  value.type = engine::ValueType::kList;
  value.object = std::move(list);
  return value;
}

std::optional<LoadedValue> RdbReader::Set() {
  std::optional<uint64_t> count = Count(1);
  if (!count) return std::nullopt;
  if (*count == 0) return Empty();
  auto set = std::make_unique<SetValue>();
  std::string scratch;
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> member = StringView(scratch);
    if (!member) return std::nullopt;
    if (!set->Add(*member, limits_.set_max_intset_entries)) {
      return Fail("Duplicate set members detected");
    }
  }
  LoadedValue value;
  value.type = engine::ValueType::kSet;
  value.object = std::move(set);
  return value;
}

std::optional<LoadedValue> RdbReader::ZSet(bool binary_scores) {
  std::optional<uint64_t> count = Count(2);
  if (!count) return std::nullopt;
  if (*count == 0) return Empty();
  auto zset = std::make_unique<ZSetValue>();
  // A big set goes straight to its big encoding instead of growing a listpack first.
  if (*count > static_cast<uint64_t>(limits_.zset_max_listpack_entries)) zset->ConvertToTree();
  std::string scratch;
  std::string member;  // kept apart: reading the score may move the input's buffer
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> view = StringView(scratch);
    if (!view) return std::nullopt;
    member.assign(*view);
    std::optional<double> score = binary_scores ? BinaryDouble() : TextDouble();
    if (!score) return std::nullopt;
    if (std::isnan(*score)) return Fail("Zset with NAN score detected");
    if (!zset->Set(member, *score, limits_)) return Fail("Duplicate zset fields detected");
  }
  LoadedValue value;
  value.type = engine::ValueType::kZSet;
  value.object = std::move(zset);
  return value;
}

std::optional<LoadedValue> RdbReader::Hash() {
  std::optional<uint64_t> count = Count(2);
  if (!count) return std::nullopt;
  if (*count == 0) return Empty();
  auto hash = std::make_unique<HashValue>();
  if (*count > static_cast<uint64_t>(limits_.hash_max_listpack_entries)) hash->ConvertToTable();
  std::string scratch;
  std::string field;  // kept apart: reading the value may move the input's buffer
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> view = StringView(scratch);
    if (!view) return std::nullopt;
    field.assign(*view);
    std::optional<std::string_view> text = StringView(scratch);
    if (!text) return std::nullopt;
    if (!hash->Set(field, *text, limits_)) return Fail("Duplicate hash fields detected");
  }
  LoadedValue value;
  value.type = engine::ValueType::kHash;
  value.object = std::move(hash);
  return value;
}

std::optional<LoadedValue> RdbReader::ListFromZiplist() {
  std::string scratch;
  std::optional<std::span<const uint8_t>> blob = Blob(scratch);
  if (!blob) return std::nullopt;
  std::optional<engine::Listpack> lp = ZiplistToListpack(*blob);
  if (!lp) return Fail("Ziplist integrity check failed.");
  if (lp->Empty()) return Empty();
  // A pre-quicklist list may hold any number of elements in its one ziplist: it is cut into
  // nodes under list-max-listpack-size, as Redis 7.0 converts it.
  auto list = std::make_unique<ListValue>();
  char digits[kMaxInt64Chars];
  for (auto pos = lp->First(); pos != engine::Listpack::kNone; pos = lp->Next(pos)) {
    list->Push(ListValue::End::kTail, lp->Get(pos).Text(digits), limits_.list_max_listpack_size);
  }
  LoadedValue value;
  value.type = engine::ValueType::kList;
  value.object = std::move(list);
  return value;
}

std::optional<LoadedValue> RdbReader::SetFromIntset() {
  std::string scratch;
  std::optional<std::span<const uint8_t>> blob = Blob(scratch);
  if (!blob) return std::nullopt;
  // Sortedness is checked even without deep validation: lookups binary-search the array.
  if (!engine::intset::IsValid(*blob)) return Fail("Intset integrity check failed.");
  if (blob->size() == engine::intset::kHeaderBytes) return Empty();
  LoadedValue value;
  value.type = engine::ValueType::kSet;
  value.object = SetValue::FromIntset(*blob, limits_.set_max_intset_entries);
  return value;
}

std::optional<LoadedValue> RdbReader::Quicklist(bool version2) {
  std::optional<uint64_t> nodes = Count(version2 ? 2 : 1);
  if (!nodes) return std::nullopt;
  if (*nodes == 0) return Empty();
  auto list = std::make_unique<ListValue>();
  std::string scratch;
  for (uint64_t i = 0; i < *nodes; ++i) {
    uint64_t container = kQuicklistNodePacked;
    if (version2) {
      std::optional<uint64_t> read = Length();
      if (!read) return std::nullopt;
      container = *read;
      if (container != kQuicklistNodePlain && container != kQuicklistNodePacked) {
        return Fail("Quicklist integrity check failed.");
      }
    }
    std::optional<std::span<const uint8_t>> blob = Blob(scratch);
    if (!blob) return std::nullopt;
    std::optional<engine::Listpack> lp;
    if (container == kQuicklistNodePlain) {
      // Magnetar has no plain nodes: a big element gets a listpack node of its own.
      lp.emplace();
      lp->Append(AsChars(*blob));
    } else {
      lp = version2 ? engine::Listpack::FromBytes(*blob) : ZiplistToListpack(*blob);
      if (!lp) {
        return Fail(version2 ? "Listpack integrity check failed."
                             : "Ziplist integrity check failed.");
      }
    }
    // Redis skips empty nodes; an all-empty list is then an empty key.
    if (!lp->Empty()) list->AppendNode(std::move(*lp));
  }
  if (list->empty()) return Empty();
  LoadedValue value;
  value.type = engine::ValueType::kList;
  value.object = std::move(list);
  return value;
}

std::optional<LoadedValue> RdbReader::HashFromPairs(engine::Listpack pairs, bool check_duplicates) {
  size_t elements = pairs.Size();
  if (elements == 0) return Empty();
  if (elements % 2 != 0) return Fail("Hash listpack integrity check failed.");
  size_t longest = 0;
  for (auto pos = pairs.First(); pos != engine::Listpack::kNone; pos = pairs.Next(pos)) {
    longest = std::max(longest, TextLength(pairs.Get(pos)));
  }
  bool convert = elements / 2 > static_cast<uint64_t>(limits_.hash_max_listpack_entries) ||
                 (limits_.hash_max_listpack_value >= 0 &&
                  longest > static_cast<uint64_t>(limits_.hash_max_listpack_value));
  // A conversion inserts every field into a table, which must not meet one twice.
  if ((check_duplicates || convert || validation_ == Validation::kDeep) &&
      HasDuplicates(pairs, 2)) {
    return Fail("Duplicate hash fields detected");
  }
  auto hash = std::make_unique<HashValue>(std::move(pairs));
  if (convert) hash->ConvertToTable();
  LoadedValue value;
  value.type = engine::ValueType::kHash;
  value.object = std::move(hash);
  return value;
}

std::optional<LoadedValue> RdbReader::ZSetFromPairs(engine::Listpack pairs) {
  size_t elements = pairs.Size();
  if (elements == 0) return Empty();
  if (elements % 2 != 0) return Fail("Zset listpack integrity check failed.");
  size_t longest = 0;
  bool sorted = true;
  double previous_score = -HUGE_VAL;
  std::string previous_member;
  for (auto pos = pairs.First(); pos != engine::Listpack::kNone; pos = pairs.Next(pos)) {
    ListpackElement member = pairs.Get(pos);
    pos = pairs.Next(pos);
    ListpackElement score_element = pairs.Get(pos);
    double score = static_cast<double>(score_element.integer);
    if (!score_element.is_integer) {
      std::optional<double> parsed = ParseDouble(score_element.string);
      if (!parsed || std::isnan(*parsed)) return Fail("Zset listpack with an invalid score");
      score = *parsed;
    }
    std::string text = member.ToString();
    longest = std::max(longest, text.size());
    if (pos != pairs.Next(pairs.First()) &&
        (score < previous_score || (score == previous_score && text < previous_member))) {
      sorted = false;
    }
    previous_score = score;
    previous_member = std::move(text);
  }
  bool convert = elements / 2 > static_cast<uint64_t>(limits_.zset_max_listpack_entries) ||
                 (limits_.zset_max_listpack_value >= 0 &&
                  longest > static_cast<uint64_t>(limits_.zset_max_listpack_value));
  if (validation_ == Validation::kDeep && !sorted) return Fail("Zset listpack is not sorted");
  if ((convert || validation_ == Validation::kDeep) && HasDuplicates(pairs, 2)) {
    return Fail("Duplicate zset fields detected");
  }
  auto zset = std::make_unique<ZSetValue>(std::move(pairs));
  if (convert) zset->ConvertToTree();
  LoadedValue value;
  value.type = engine::ValueType::kZSet;
  value.object = std::move(zset);
  return value;
}

}  // namespace magnetar::persistence
