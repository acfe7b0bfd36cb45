// libFuzzer target: a DUMP payload (type byte, value, 2-byte RDB version, 8-byte CRC64) down
// RESTORE's path. The footer's CRC is recomputed first, so that mutations reach the decoder
// rather than stopping at the checksum; the version check stays. Then the value is read with
// both validations (the payload's footer in the input, as RESTORE reads it), stored in a
// keyspace and exercised (exercise.h).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "exercise.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_format.h"
#include "magnetar/persistence/rdb_reader.h"

namespace magnetar::fuzz {
namespace {

uint64_t ReadLittleEndian(std::string_view in) {
  uint64_t value = 0;
  for (size_t i = in.size(); i-- > 0;) value = value << 8 | static_cast<uint8_t>(in[i]);
  return value;
}

// Replaces the footer's CRC64 with the payload's own.
void FixCrc(std::string& payload) {
  uint64_t crc =
      persistence::Crc64(0, AsBytes(std::string_view(payload).substr(0, payload.size() - 8)));
  for (int i = 0; i < 8; ++i) payload[payload.size() - 8 + i] = static_cast<char>(crc >> (8 * i));
}

// RESTORE's footer check: a version this server reads, and a matching CRC64.
bool FooterValid(std::string_view payload) {
  std::string_view footer = payload.substr(payload.size() - persistence::kDumpFooterBytes);
  if (ReadLittleEndian(footer.substr(0, 2)) > static_cast<uint64_t>(persistence::kRdbVersion)) {
    return false;
  }
  return ReadLittleEndian(footer.substr(2)) ==
         persistence::Crc64(0, AsBytes(payload.substr(0, payload.size() - 8)));
}

// Decodes the payload as RESTORE does and, when it decodes, stores and exercises the value.
// Returns whether it decoded.
bool Restore(engine::Keyspace& keyspace, std::string_view payload,
             persistence::Validation validation) {
  persistence::MemoryRdbInput input(AsBytes(payload));
  persistence::RdbReader reader(input, keyspace.encoding_limits(), validation);
  std::optional<uint8_t> type = reader.Byte();
  if (!type) return false;
  std::optional<persistence::LoadedValue> value = reader.Value(*type);
  if (!value) return false;
  engine::Database& db = keyspace.db(0);
  constexpr std::string_view kKey = "key";
  if (value->type == engine::ValueType::kString) {
    db.SetString(kKey, value->string);
  } else {
    Check(value->object != nullptr);
    db.SetObject(kKey, value->type, std::move(value->object));
  }
  Exercise(db, kKey, keyspace.encoding_limits(), validation);
  Check(db.Delete(kKey));
  return true;
}

}  // namespace
}  // namespace magnetar::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace magnetar;  // NOLINT
  // One keyspace for every input: creating one starts its lazy-free thread.
  static engine::Keyspace* keyspace = new engine::Keyspace(1);
  if (size < persistence::kDumpFooterBytes + 1) return 0;
  std::string payload(reinterpret_cast<const char*>(data), size);
  fuzz::FixCrc(payload);
  if (!fuzz::FooterValid(payload)) return -1;  // a newer version: not worth mutating further
  bool shallow = fuzz::Restore(*keyspace, payload, persistence::Validation::kShallow);
  bool deep = fuzz::Restore(*keyspace, payload, persistence::Validation::kDeep);
  // Deep validation refuses more than shallow, never less.
  fuzz::Check(shallow || !deep);
  return 0;
}
