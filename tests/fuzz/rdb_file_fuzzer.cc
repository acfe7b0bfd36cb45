// libFuzzer target: a whole RDB file through LoadRdb into a keyspace of 16 databases, then every
// loaded key exercised (exercise.h). The trailing 8 bytes are taken as the checksum and
// recomputed over the bytes before them first, so that mutations reach the loader rather than
// stopping at the checksum.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exercise.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_loader.h"
#include "magnetar/persistence/rdb_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace magnetar;  // NOLINT
  // One keyspace for every input: creating one starts its lazy-free thread.
  static engine::Keyspace* keyspace = new engine::Keyspace(16);
  // Keys that expire "now" and keys that do not: the loader skips the former.
  constexpr int64_t kNowMs = 1700000000000;
  // A file of many keys is exercised in part: enough to cover every type in it.
  constexpr size_t kMaxExercisedPerDb = 64;

  std::string file(reinterpret_cast<const char*>(data), size);
  if (file.size() >= 8) {
    uint64_t crc = persistence::Crc64(0, fuzz::AsBytes(std::string_view(file).substr(0, size - 8)));
    for (int i = 0; i < 8; ++i) file[size - 8 + i] = static_cast<char>(crc >> (8 * i));
  }
  persistence::MemoryRdbInput input(fuzz::AsBytes(file));
  persistence::RdbLoadOptions options;
  options.now_ms = kNowMs;
  persistence::RdbLoadResult result = persistence::LoadRdb(input, *keyspace, options);

  uint64_t keys = 0;
  for (size_t i = 0; i < keyspace->database_count(); ++i) {
    engine::Database& db = keyspace->db(i);
    keys += db.Size();
    std::vector<std::string> names;
    uint64_t cursor = 0;
    do {
      cursor = db.Scan(cursor, [&](const engine::Entry& entry) {
        if (names.size() < kMaxExercisedPerDb) names.emplace_back(entry.key());
      });
    } while (cursor != 0 && names.size() < kMaxExercisedPerDb);
    // Loaded keys were checked as RESTORE checks them without sanitize-dump-payload.
    for (const std::string& name : names) {
      fuzz::Exercise(db, name, keyspace->encoding_limits(), persistence::Validation::kShallow);
    }
  }
  // What the loader says it loaded is what the keyspace holds (a failed load may have stored
  // some keys before the failure).
  fuzz::Check(!result.ok || keys == result.keys_loaded);
  keyspace->FlushAll();
  return 0;
}
