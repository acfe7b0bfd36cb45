#include "magnetar/persistence/rdb_loader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <thread>

#include "magnetar/engine/access_metadata.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_format.h"
#include "persistence/rdb_payloads.h"
#include "support/numbered_name.h"

namespace magnetar::persistence {
namespace {

using namespace rdb_test;  // NOLINT: the payload builders
using test_support::NumberedName;

std::string Op(uint8_t opcode) { return std::string(1, static_cast<char>(opcode)); }

// A whole file: header, `body`, EOF and the checksum (zero when `checksum` is false; none at all
// before version 5).
std::string File(std::string_view body, int version = kRdbVersion, bool checksum = true) {
  char header[16];
  std::snprintf(header, sizeof(header), "REDIS%04d", version);
  std::string out = header;
  out += body;
  out += Op(kRdbOpEof);
  if (version >= 5) out += LittleEndian(checksum ? Crc64(0, AsBytes(out)) : 0, 8);
  return out;
}

std::string StringKey(std::string_view key, std::string_view value) {
  return Op(kRdbString) + Str(key) + Str(value);
}

struct Loaded {
  std::unique_ptr<engine::Keyspace> keyspace = std::make_unique<engine::Keyspace>(16);
  RdbLoadResult result;
};

Loaded Load(std::string_view file, RdbLoadOptions options = {}) {
  Loaded out;
  MemoryRdbInput in(AsBytes(file));
  out.result = LoadRdb(in, *out.keyspace, options);
  return out;
}

std::string Sample() {
  return Op(kRdbOpAux) + Str("redis-ver") + Str("7.0.15") + Op(kRdbOpAux) + Str("redis-bits") +
         "\xC0\x40" + Op(kRdbOpSelectDb) + Len(0) + Op(kRdbOpResizeDb) + Len(3) + Len(1) +
         StringKey("a", "1") + Op(kRdbOpExpireTimeMs) + LittleEndian(5000, 8) +
         StringKey("b", "two") + Op(kRdbOpIdle) + Len(100) + Op(kRdbListZiplist) + Str("l") +
         Str(Ziplist({std::string("x"), int64_t{5}})) + Op(kRdbOpSelectDb) + Len(2) +
         Op(kRdbOpExpireTime) + LittleEndian(7, 4) + Op(kRdbOpFreq) + "\x09" + Op(kRdbSetIntset) +
         Str("s") + Str(Intset(2, {1, 2}));
}

TEST(RdbLoader, LoadsKeysMetadataAndAuxFields) {
  Loaded l = Load(File(Sample()));
  ASSERT_TRUE(l.result.ok) << l.result.error;
  EXPECT_EQ(l.result.version, 10);
  EXPECT_EQ(l.result.keys_loaded, 4u);
  ASSERT_EQ(l.result.aux.size(), 2u);
  EXPECT_EQ(l.result.aux[0], (std::pair<std::string, std::string>{"redis-ver", "7.0.15"}));
  EXPECT_EQ(l.result.aux[1], (std::pair<std::string, std::string>{"redis-bits", "64"}));
  engine::Database& db0 = l.keyspace->db(0);
  EXPECT_EQ(db0.Peek("a")->string().view(), "1");
  EXPECT_FALSE(db0.Peek("a")->has_deadline());
  EXPECT_EQ(db0.Peek("b")->deadline(), 5000);
  EXPECT_EQ(ListContents(*db0.Peek("l")->object()), (std::vector<std::string>{"x", "5"}));
  EXPECT_EQ(l.keyspace->db(2).Peek("s")->deadline(), 7000);
  EXPECT_EQ(SetContents(*l.keyspace->db(2).Peek("s")->object()), (std::set<std::string>{"1", "2"}));
}

TEST(RdbLoader, AppliesIdleUnderLruAndFreqUnderLfu) {
  // Redis applies a key's IDLE under any policy but the LFU ones, and its FREQ only under those.
  Loaded lru = Load(File(Sample()));
  ASSERT_TRUE(lru.result.ok) << lru.result.error;
  uint32_t clock = lru.keyspace->lru_clock();
  EXPECT_EQ(engine::LruIdleSeconds(clock, lru.keyspace->db(0).Peek("l")->access()), 100);
  EXPECT_EQ(engine::LruIdleSeconds(clock, lru.keyspace->db(0).Peek("a")->access()), 0);
  EXPECT_EQ(engine::LruIdleSeconds(clock, lru.keyspace->db(2).Peek("s")->access()), 0);
  // The deadlines went into the expiry index (INFO keyspace's expires).
  EXPECT_EQ(lru.keyspace->db(0).ExpiresCount(), 1u);
  EXPECT_EQ(lru.keyspace->db(2).ExpiresCount(), 1u);

  Loaded lfu;
  lfu.keyspace->SetAccessMode(engine::AccessMode::kLfu, {}, false);
  std::string file = File(Sample());
  MemoryRdbInput in(AsBytes(file));
  lfu.result = LoadRdb(in, *lfu.keyspace, {});
  ASSERT_TRUE(lfu.result.ok) << lfu.result.error;
  EXPECT_EQ(engine::LfuCounter(lfu.keyspace->db(2).Peek("s")->access()), 9u);
  EXPECT_EQ(engine::LfuCounter(lfu.keyspace->db(0).Peek("l")->access()), engine::kLfuInitValue);
}

TEST(RdbLoader, SkipsExpiredKeysWhenAsked) {
  RdbLoadOptions options;
  options.now_ms = 6000;
  Loaded l = Load(File(Sample()), options);
  ASSERT_TRUE(l.result.ok) << l.result.error;
  EXPECT_EQ(l.result.keys_loaded, 3u);
  EXPECT_EQ(l.result.keys_expired, 1u);
  EXPECT_EQ(l.keyspace->db(0).Peek("b"), nullptr);
  options.skip_expired = false;
  Loaded kept = Load(File(Sample()), options);
  EXPECT_EQ(kept.result.keys_loaded, 4u);
}

TEST(RdbLoader, ChecksTheChecksum) {
  std::string file = File(Sample());
  file[file.size() - 3] ^= 0x10;
  Loaded l = Load(file);
  EXPECT_FALSE(l.result.ok);
  EXPECT_TRUE(l.result.error.starts_with("Wrong RDB checksum expected: (")) << l.result.error;
  EXPECT_TRUE(l.result.error.ends_with(". Aborting now.")) << l.result.error;
  // A zero checksum means the writer did not compute one.
  EXPECT_TRUE(Load(File(Sample(), kRdbVersion, false)).result.ok);
  // Before version 5 there is no checksum at all.
  Loaded old = Load(File(StringKey("k", "v"), 4));
  EXPECT_TRUE(old.result.ok) << old.result.error;
  EXPECT_EQ(old.result.version, 4);
}

TEST(RdbLoader, RefusesUnknownVersionsAndSignatures) {
  EXPECT_EQ(Load(File("", 11)).result.error, "Can't handle RDB format version 11");
  EXPECT_EQ(Load(File("", 0)).result.error, "Can't handle RDB format version 0");
  std::string file = File("");
  file[4] = 'X';
  EXPECT_EQ(Load(file).result.error, "Wrong signature trying to load DB from file");
  EXPECT_EQ(Load("RED").result.error,
            "Short read or OOM loading DB. Unrecoverable error, aborting now.");
}

TEST(RdbLoader, RefusesDatabasesPastTheCount) {
  Loaded l = Load(File(Op(kRdbOpSelectDb) + Len(16) + StringKey("k", "v")));
  EXPECT_FALSE(l.result.ok);
  EXPECT_EQ(l.result.error,
            "FATAL: Data file was created with a Redis server configured to handle more than 16 "
            "databases. Exiting");
}

TEST(RdbLoader, RefusesDuplicateKeys) {
  Loaded l = Load(File(StringKey("k", "v") + StringKey("other", "x") + StringKey("k", "w")));
  EXPECT_FALSE(l.result.ok);
  EXPECT_EQ(l.result.error, "RDB has duplicated key 'k' in DB 0");
  // The same name in two databases is no duplicate.
  EXPECT_TRUE(Load(File(StringKey("k", "v") + Op(kRdbOpSelectDb) + Len(1) + StringKey("k", "v")))
                  .result.ok);
}

TEST(RdbLoader, LoadsRunsOfKeysAcrossDatabases) {
  // Longer than the loader's build-ahead, switching databases in the middle of it.
  std::string body;
  for (int i = 0; i < 100; ++i) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about these sums in a loop.
    if (i % 3 == 0) {
      body += Op(kRdbOpExpireTimeMs);
      body += LittleEndian(90000 + i, 8);
    }
    body += StringKey(NumberedName("k", i), NumberedName("v", i));
    if (i == 60) {
      body += Op(kRdbOpSelectDb);
      body += Len(1);
    }
  }
  Loaded l = Load(File(body));
  ASSERT_TRUE(l.result.ok) << l.result.error;
  EXPECT_EQ(l.result.keys_loaded, 100u);
  EXPECT_EQ(l.keyspace->db(0).Size(), 61u);
  EXPECT_EQ(l.keyspace->db(1).Size(), 39u);
  EXPECT_EQ(l.keyspace->db(0).ExpiresCount(), 21u);
  EXPECT_EQ(l.keyspace->db(1).ExpiresCount(), 13u);
  EXPECT_EQ(l.keyspace->db(1).Peek("k99")->string().view(), "v99");
  EXPECT_EQ(l.keyspace->db(1).Peek("k99")->deadline(), 90099);
  EXPECT_EQ(l.keyspace->db(0).Peek("k60")->string().view(), "v60");
}

TEST(RdbLoader, ADuplicateEndsTheLoadWhereItStands) {
  // The duplicate comes before the file's truncation, so it is what the load reports; the keys
  // before it are loaded and none after it.
  std::string body;
  for (int i = 0; i < 20; ++i) body += StringKey(NumberedName("k", i), "v");
  body += StringKey("k3", "again");
  for (int i = 20; i < 25; ++i) body += StringKey(NumberedName("k", i), "v");
  std::string file = File(body);
  Loaded l = Load(std::string_view(file).substr(0, file.size() - 12));
  EXPECT_FALSE(l.result.ok);
  EXPECT_EQ(l.result.error, "RDB has duplicated key 'k3' in DB 0");
  EXPECT_EQ(l.result.keys_loaded, 20u);
  EXPECT_EQ(l.keyspace->db(0).Size(), 20u);
  EXPECT_EQ(l.keyspace->db(0).Peek("k3")->string().view(), "v");
  EXPECT_EQ(l.keyspace->db(0).Peek("k20"), nullptr);
}

TEST(RdbLoader, ADuplicateFoundWhileAnObjectIsReadFreesIt) {
  // The duplicate (the ninth key) is found when the seventeenth is read, a set: the load fails
  // there, and the set is freed with it (the sanitizer build would report a leak).
  std::string body;
  for (int i = 0; i < 8; ++i) body += StringKey(NumberedName("k", i), "v");
  body += StringKey("k0", "again");
  for (int i = 8; i < 15; ++i) body += StringKey(NumberedName("k", i), "v");
  body += Op(kRdbSetIntset) + Str("s") + Str(Intset(2, {1, 2}));
  Loaded l = Load(File(body));
  EXPECT_FALSE(l.result.ok);
  EXPECT_EQ(l.result.error, "RDB has duplicated key 'k0' in DB 0");
  EXPECT_EQ(l.result.keys_loaded, 8u);
  EXPECT_EQ(l.keyspace->db(0).Peek("s"), nullptr);
}

TEST(RdbLoader, SkipsEmptyKeys) {
  Loaded l = Load(File(Op(kRdbList) + Str("empty") + Len(0) + StringKey("k", "v") +
                       Op(kRdbHashListpack) + Str("h") + Str(ListpackOf({}))));
  ASSERT_TRUE(l.result.ok) << l.result.error;
  EXPECT_EQ(l.result.keys_loaded, 1u);
  EXPECT_EQ(l.result.keys_empty_skipped, 2u);
  EXPECT_EQ(l.keyspace->db(0).Peek("empty"), nullptr);
}

TEST(RdbLoader, RefusesModuleAuxFunctionsAndStreams) {
  Loaded module = Load(File(Op(kRdbOpModuleAux) + Len(1) + Len(2)));
  EXPECT_NE(module.result.error.find("module"), std::string::npos) << module.result.error;
  Loaded function = Load(File(Op(kRdbOpFunction2) + Str("#!lua name=x\n")));
  EXPECT_NE(function.result.error.find("functions"), std::string::npos);
  Loaded stream = Load(File(Op(kRdbStreamListpacks2) + Str("s") + Len(0)));
  EXPECT_FALSE(stream.result.ok);
  EXPECT_NE(stream.result.error.find("Stream"), std::string::npos) << stream.result.error;
}

TEST(RdbLoader, FailsCleanlyOnEveryTruncation) {
  std::string file = File(Sample());
  for (size_t cut = 0; cut < file.size(); ++cut) {
    Loaded l = Load(std::string_view(file).substr(0, cut));
    EXPECT_FALSE(l.result.ok) << "cut at " << cut;
    EXPECT_EQ(l.result.error, "Short read or OOM loading DB. Unrecoverable error, aborting now.")
        << "cut at " << cut;
  }
}

TEST(RdbLoader, SurvivesRandomBitFlips) {
  std::string file = File(Sample());
  std::mt19937_64 random(7);
  int refused = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string bent = file;
    // Past the header: a flip there may turn "0010" into "001" plus junk, which reads, as
    // Redis's atoi reads it, as version 1, and such a file has no checksum.
    size_t at = 9 + random() % (bent.size() - 9);
    int bit = static_cast<int>(random() % 8);
    bent[at] ^= static_cast<char>(1 << bit);
    Loaded l = Load(bent);
    if (!l.result.ok) {
      EXPECT_FALSE(l.result.error.empty());
      ++refused;
    } else {
      ADD_FAILURE() << "accepted a flip of bit " << bit << " at " << at;
    }
  }
  // Every flip is caught: by the reader, or at the latest by the checksum.
  EXPECT_EQ(refused, 5000);
}

// Writes `bytes` to a temporary file and returns its descriptor (already unlinked).
int TemporaryFile(std::string_view bytes) {
  char path[] = "/tmp/magnetar-rdb-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::unlink(path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    EXPECT_GT(n, 0);
    done += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

std::string ManyKeys(size_t count, size_t value_bytes) {
  std::string body = Op(kRdbOpSelectDb) + Len(0) + Op(kRdbOpResizeDb) + Len(count) + Len(0);
  body.reserve(count * (value_bytes + 16));
  std::string value(value_bytes, 'v');
  for (size_t i = 0; i < count; ++i) body += StringKey("key:" + std::to_string(i), value);
  return File(body);
}

TEST(RdbLoader, ReadsFilesThroughABoundedBuffer) {
  // 5 MB: several buffer refills, and progress reports every ~128 KiB rather than per key.
  std::string file = ManyKeys(50000, 90);
  int fd = TemporaryFile(file);
  FileRdbInput in(fd, file.size());
  engine::Keyspace keyspace(16);
  RdbLoadOptions options;
  std::vector<uint64_t> reports;
  options.progress = [&](uint64_t consumed) { reports.push_back(consumed); };
  RdbLoadResult result = LoadRdb(in, keyspace, options);
  ::close(fd);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.keys_loaded, 50000u);
  EXPECT_EQ(keyspace.db(0).Peek("key:49999")->string().view(), std::string(90, 'v'));
  EXPECT_GE(reports.size(), 30u);
  EXPECT_LE(reports.size(), file.size() / (128 << 10));
  for (size_t i = 1; i < reports.size(); ++i) EXPECT_GE(reports[i] - reports[i - 1], 128u << 10);
}

TEST(RdbLoader, ReadsPipesOfUnknownSize) {
  std::string file = ManyKeys(20000, 200);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    size_t done = 0;
    while (done < file.size()) {
      ssize_t n = ::write(fds[1], file.data() + done, std::min<size_t>(file.size() - done, 7000));
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  FileRdbInput in(fds[0], UINT64_MAX);
  engine::Keyspace keyspace(16);
  RdbLoadResult result = LoadRdb(in, keyspace, {});
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.keys_loaded, 20000u);
}

TEST(RdbLoader, DetectsCorruptionInAFile) {
  std::string file = ManyKeys(30000, 50);
  file[file.size() / 2] ^= 0x01;  // inside a value: only the checksum can tell
  int fd = TemporaryFile(file);
  FileRdbInput in(fd, file.size());
  engine::Keyspace keyspace(16);
  RdbLoadResult result = LoadRdb(in, keyspace, {});
  ::close(fd);
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

TEST(RdbLoader, LoadRate) {
  constexpr size_t kKeys = 2000000;
  std::string file = ManyKeys(kKeys, 8);
  int fd = TemporaryFile(file);
  FileRdbInput in(fd, file.size());
  engine::Keyspace keyspace(16);
  // The machine is shared: the thread's CPU time is the steadier figure.
  auto cpu_seconds = [] {
    timespec ts;
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  RdbLoadResult result = LoadRdb(in, keyspace, {});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_start;
  ::close(fd);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.keys_loaded, kKeys);
  // The same keys inserted directly, for how much of the time is the keyspace's own.
  engine::Keyspace direct(16);
  std::string key;
  start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < kKeys; ++i) {
    key.assign("key:");
    key += std::to_string(i);
    direct.db(0).SetString(key, "vvvvvvvv");
  }
  double insert_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "loaded %zu keys (%zu bytes) in %.3f s: %.0f keys/s (CPU %.3f s: %.0f keys/s); inserting "
      "them directly takes %.3f s (%.0f keys/s)\n",
      kKeys, file.size(), seconds, kKeys / seconds, cpu, kKeys / cpu, insert_seconds,
      kKeys / insert_seconds);
}

}  // namespace
}  // namespace magnetar::persistence
