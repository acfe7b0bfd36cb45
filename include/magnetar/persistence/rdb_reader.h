// Reads Redis's RDB format: the values of every type and encoding Redis 7.0 loads (RDB 1 to 10:
// listpacks, quicklists, and the older ziplist, zipmap and intset forms, converted to Magnetar's
// encodings under the keyspace's EncodingLimits), and the primitives the file loader and RESTORE
// build on. Input is untrusted: every length is checked against the bytes that remain, every
// compact encoding's internals are validated, and no allocation exceeds what the input can fill.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "magnetar/engine/encoding_limits.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/listpack.h"

namespace magnetar::persistence {

// Where RDB bytes come from: a memory span (RESTORE) or a file read through a buffer (startup,
// DEBUG RELOAD, a replica's full sync).
class RdbInput {
 public:
  virtual ~RdbInput() = default;
  // The next `n` bytes, valid until the next call; nullopt when fewer remain (a truncated input).
  virtual std::optional<std::span<const uint8_t>> Take(size_t n) = 0;
  // Bytes not read yet (an upper bound for any length the input claims), and bytes read so far.
  virtual uint64_t Remaining() const = 0;
  virtual uint64_t Consumed() const = 0;
  // The CRC64 of the bytes consumed so far, when the input keeps one (the loader compares it
  // with the file's trailing checksum).
  virtual std::optional<uint64_t> ConsumedCrc() const { return std::nullopt; }
};

// An RdbInput over bytes in memory.
class MemoryRdbInput final : public RdbInput {
 public:
  explicit MemoryRdbInput(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  std::optional<std::span<const uint8_t>> Take(size_t n) override;
  uint64_t Remaining() const override { return bytes_.size() - offset_; }
  uint64_t Consumed() const override { return offset_; }
  std::optional<uint64_t> ConsumedCrc() const override;

 private:
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
};

// A loaded value: the bytes of a string, or the object of any other type.
struct LoadedValue {
  engine::ValueType type = engine::ValueType::kString;
  std::string string;
  std::unique_ptr<engine::Object> object;
};

// How hard to look. kDeep validates every element of compact encodings and refuses duplicates
// (sanitize-dump-payload yes); kShallow checks what must hold for the data to be read safely
// (headers, lengths, terminators), as Redis does without sanitization.
enum class Validation : uint8_t { kShallow, kDeep };

class RdbReader {
 public:
  // How error() begins when the input ended before what it announced (a truncated input).
  static constexpr std::string_view kTruncated = "Unexpected end of input";

  RdbReader(RdbInput& in, const engine::EncodingLimits& limits, Validation validation)
      : in_(in), limits_(limits), validation_(validation) {}

  // The value that follows type byte `type`; nullopt when the input is malformed, truncated or of
  // a type Magnetar does not hold (modules, streams), with the reason in error().
  std::optional<LoadedValue> Value(uint8_t type);

  // Primitives.
  std::optional<uint8_t> Byte();
  // A length; `encoded` is set when the bits say a special string encoding follows instead.
  std::optional<uint64_t> Length(bool* encoded = nullptr);
  std::optional<std::string> String();
  // A string without a copy when it is stored plainly: a view into the input (valid until the
  // next read), or into `scratch` for integer-encoded and compressed strings.
  std::optional<std::string_view> StringView(std::string& scratch);
  std::optional<int64_t> MillisecondTime();  // 8 bytes, little endian
  std::optional<int64_t> SecondTime();       // 4 bytes, little endian

  // Why the last read failed, for logs and tests.
  std::string_view error() const { return error_; }
  // Whether the last Value() failed only because the collection it read was empty: a file load
  // skips such keys (Redis 7.0 logs and skips them), RESTORE refuses them.
  bool empty_value() const { return empty_value_; }

 private:
  std::nullopt_t Fail(std::string_view why);
  std::nullopt_t Empty();
  std::optional<std::span<const uint8_t>> Bytes(size_t n);
  // A count of elements, each of which needs at least `min_bytes` of input.
  std::optional<uint64_t> Count(uint64_t min_bytes);
  std::optional<double> TextDouble();    // RDB_TYPE_ZSET's scores
  std::optional<double> BinaryDouble();  // RDB_TYPE_ZSET_2's
  std::optional<LoadedValue> List();
  std::optional<LoadedValue> Set();
  std::optional<LoadedValue> ZSet(bool binary_scores);
  std::optional<LoadedValue> Hash();
  std::optional<LoadedValue> ListFromZiplist();
  std::optional<LoadedValue> SetFromIntset();
  std::optional<LoadedValue> Quicklist(bool version2);
  // A hash or sorted set from a listpack of pairs (converted from a ziplist or zipmap, or read
  // as it is), validated and converted to the big encoding when over the limits.
  std::optional<LoadedValue> HashFromPairs(engine::Listpack pairs, bool check_duplicates);
  std::optional<LoadedValue> ZSetFromPairs(engine::Listpack pairs);
  // The blob of a compact encoding, read as a string.
  std::optional<std::span<const uint8_t>> Blob(std::string& scratch);

  RdbInput& in_;
  const engine::EncodingLimits& limits_;
  Validation validation_;
  std::string error_;
  bool empty_value_ = false;
};

}  // namespace magnetar::persistence
