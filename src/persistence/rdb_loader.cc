#include "magnetar/persistence/rdb_loader.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "fmt/format.h"
#include "magnetar/common/clock.h"
#include "magnetar/persistence/crc64.h"
#include "magnetar/persistence/rdb_format.h"

namespace magnetar::persistence {
namespace {

// The buffer a file is read through: big enough that a read() call per 1 MB costs nothing
// next to parsing it, small enough not to matter in the server's footprint.
constexpr size_t kFileBufferBytes = 1 << 20;
// How often progress is reported: about every half millisecond of loading, so that a progress
// callback can serve clients or yield the CPU (common/cpu_yield.h) often enough.
constexpr uint64_t kProgressBytes = 128 << 10;

constexpr std::string_view kShortRead =
    "Short read or OOM loading DB. Unrecoverable error, aborting now.";

}  // namespace

FileRdbInput::FileRdbInput(int fd, uint64_t size) : fd_(fd), size_(size) {}

std::optional<std::span<const uint8_t>> FileRdbInput::Take(size_t n) {
  if (end_ - begin_ < n) {
    if (n > Remaining()) return std::nullopt;
    // Fold the bytes about to be dropped into the checksum, then move the rest to the front.
    crc();
    if (begin_ > 0 && end_ > begin_) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    }
    end_ -= begin_;
    begin_ = 0;
    crc_upto_ = 0;
    while (end_ < n) {
      if (end_ == buffer_.size()) {
        // Grow towards `n` as data arrives, so a claimed length the file cannot back costs at
        // most twice what was actually read.
        size_t want = std::max(kFileBufferBytes, std::min(n, std::max(end_, size_t{1}) * 2));
        buffer_.resize(std::max(want, buffer_.size()));
      }
      ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return std::nullopt;
      end_ += static_cast<size_t>(got);
    }
  }
  std::span<const uint8_t> taken(buffer_.data() + begin_, n);
  begin_ += n;
  consumed_ += n;
  return taken;
}

uint64_t FileRdbInput::Remaining() const {
  return size_ == UINT64_MAX ? UINT64_MAX : size_ - std::min(size_, consumed_);
}

uint64_t FileRdbInput::crc() const {
  if (crc_upto_ < begin_) {
    crc_ = Crc64(crc_, {buffer_.data() + crc_upto_, begin_ - crc_upto_});
    crc_upto_ = begin_;
  }
  return crc_;
}

std::optional<uint64_t> FileRdbInput::ConsumedCrc() const { return crc(); }

namespace {

// One load: the reader, the key being read and its metadata, and the result.
class Loader {
 public:
  Loader(RdbInput& in, engine::Keyspace& keyspace, const RdbLoadOptions& options)
      : in_(in),
        keyspace_(keyspace),
        options_(options),
        reader_(in, keyspace.encoding_limits(), Validation::kShallow) {}

  RdbLoadResult Run() {
    // One time for the whole load: inserting a key then reads no clock.
    bool froze = keyspace_.FreezeTime(MonotonicUs());
    bool ok = Header() && Body();
    // The keys read before a failure are loaded, as they were before it, unless one of them is
    // the duplicate that failed first.
    if (LinkPending() && ok) Checksum();
    if (froze) keyspace_.UnfreezeTime();
    return std::move(result_);
  }

 private:
  bool Fail(std::string error) {
    result_.ok = false;
    result_.error = std::move(error);
    return false;
  }
  // A read that failed: a short input, or a malformed value with the reader's reason.
  bool ReadFailed() {
    if (reader_.error().starts_with(RdbReader::kTruncated)) {
      return Fail(std::string(kShortRead));
    }
    return Fail(fmt::format("Internal error in RDB reading offset {}: {}", in_.Consumed(),
                            reader_.error()));
  }

  bool Header() {
    std::optional<std::span<const uint8_t>> header = in_.Take(kRdbMagic.size() + 4);
    if (!header) return Fail(std::string(kShortRead));
    std::string_view text(reinterpret_cast<const char*>(header->data()), header->size());
    if (!text.starts_with(kRdbMagic)) {
      return Fail("Wrong signature trying to load DB from file");
    }
    int version = 0;
    for (char c : text.substr(kRdbMagic.size())) {
      // atoi's reading: digits up to the first non-digit.
      if (c < '0' || c > '9') break;
      version = version * 10 + (c - '0');
    }
    result_.version = version;
    if (version < kRdbOldestVersion || version > kRdbVersion) {
      return Fail(fmt::format("Can't handle RDB format version {}", version));
    }
    return true;
  }

  bool Body() {
    while (true) {
      std::optional<uint8_t> type = reader_.Byte();
      if (!type) return ReadFailed();
      switch (*type) {
        case kRdbOpExpireTime: {
          std::optional<int64_t> seconds = reader_.SecondTime();
          if (!seconds) return ReadFailed();
          SetDeadline(*seconds * 1000);
          continue;
        }
        case kRdbOpExpireTimeMs: {
          std::optional<int64_t> ms = reader_.MillisecondTime();
          if (!ms) return ReadFailed();
          SetDeadline(*ms);
          continue;
        }
        case kRdbOpFreq: {
          std::optional<uint8_t> counter = reader_.Byte();
          if (!counter) return ReadFailed();
          frequency_ = *counter;
          continue;
        }
        case kRdbOpIdle: {
          std::optional<uint64_t> seconds = reader_.Length();
          if (!seconds) return ReadFailed();
          idle_seconds_ = static_cast<int64_t>(std::min<uint64_t>(*seconds, INT64_MAX));
          continue;
        }
        case kRdbOpEof:
          return true;
        case kRdbOpSelectDb: {
          std::optional<uint64_t> index = reader_.Length();
          if (!index) return ReadFailed();
          if (*index >= keyspace_.database_count()) {
            return Fail(fmt::format(
                "FATAL: Data file was created with a Redis server configured to handle more "
                "than {} databases. Exiting",
                keyspace_.database_count()));
          }
          db_ = &keyspace_.db(*index);
          continue;
        }
        case kRdbOpResizeDb: {
          std::optional<uint64_t> keys = reader_.Length();
          if (!keys || !reader_.Length()) return ReadFailed();
          // A key takes at least 3 bytes of the file (type, key length, value length): a count
          // the rest of the file cannot hold is not believed, and an input of unknown size (a
          // pipe, which reports UINT64_MAX) backs none.
          if (uint64_t room = in_.Remaining(); room != UINT64_MAX) {
            db_->Reserve(std::min<uint64_t>(*keys, room / 3));
          }
          continue;
        }
        case kRdbOpAux: {
          std::optional<std::string> key = reader_.String();
          if (!key) return ReadFailed();
          std::optional<std::string> value = reader_.String();
          if (!value) return ReadFailed();
          result_.aux.emplace_back(std::move(*key), std::move(*value));
          continue;
        }
        case kRdbOpModuleAux:
          return Fail(
              "The RDB file contains AUX module data, which Magnetar cannot load (it "
              "has no modules)");
        case kRdbOpFunction:
        case kRdbOpFunction2:
          return Fail(
              "The RDB file contains functions, which Magnetar cannot load (it has no "
              "function libraries)");
        default:
          if (!Key(*type)) return false;
          has_deadline_ = false;
          idle_seconds_.reset();
          frequency_.reset();
      }
      if (in_.Consumed() - reported_ >= kProgressBytes) {
        reported_ = in_.Consumed();
        // Clients are served in there, and SHUTDOWN ends the process from it: nothing built may
        // be left outside the keyspace.
        if (!LinkPending()) return false;
        if (options_.progress) options_.progress(reported_);
      }
    }
  }

  void SetDeadline(int64_t ms) {
    has_deadline_ = true;
    deadline_ms_ = ms;
  }

  bool Key(uint8_t type) {
    std::optional<std::string_view> key = reader_.StringView(key_scratch_);
    if (!key) return ReadFailed();
    // The view may point into the input's buffer, which the value's reads move.
    key_.assign(*key);
    std::optional<std::string_view> string;
    std::optional<LoadedValue> value;
    if (type == kRdbString) {
      string = reader_.StringView(value_scratch_);
      if (!string) return ReadFailed();
    } else {
      value = reader_.Value(type);
      if (!value) {
        if (!reader_.empty_value()) return ReadFailed();
        ++result_.keys_empty_skipped;
        return true;
      }
    }
    if (has_deadline_ && options_.skip_expired && deadline_ms_ < options_.now_ms) {
      ++result_.keys_expired;
      return true;
    }
    // Room in the ring first: a load that fails there still owns `value`'s object.
    if (built_ - linked_ == kLinkDistance && !LinkOldest()) return false;
    engine::EntryValue entry_value =
        string ? engine::EntryValue::String(*string)
               : engine::EntryValue::Adopt(value->type, value->object.release());
    std::optional<int64_t> deadline;
    if (has_deadline_) deadline = deadline_ms_;
    pending_[built_++ % kLinkDistance] = {
        db_, db_->BuildLoaded(key_, entry_value, deadline,
                              keyspace_.RestoredAccess(idle_seconds_, frequency_))};
    return true;
  }

  // Adds the oldest built entry to its table. A duplicate fails the load, and what is still
  // pending is dropped with it: the keys after a duplicate are not loaded.
  bool LinkOldest() {
    const Pending& oldest = pending_[linked_++ % kLinkDistance];
    if (oldest.db->LinkLoaded(oldest.loaded)) {
      ++result_.keys_loaded;
      return true;
    }
    Fail(fmt::format("RDB has duplicated key '{}' in DB {}", oldest.loaded.entry->key(),
                     oldest.db->index()));
    engine::Entry::Destroy(oldest.loaded.entry);
    for (; linked_ < built_; ++linked_) {
      engine::Entry::Destroy(pending_[linked_ % kLinkDistance].loaded.entry);
    }
    return false;
  }

  bool LinkPending() {
    while (linked_ < built_) {
      if (!LinkOldest()) return false;
    }
    return true;
  }

  void Checksum() {
    if (result_.version < 5) {
      result_.ok = true;
      return;
    }
    std::optional<uint64_t> computed = in_.ConsumedCrc();
    std::optional<uint64_t> stored = reader_.MillisecondTime();
    if (!stored) {
      Fail(std::string(kShortRead));
      return;
    }
    auto expected = static_cast<uint64_t>(*stored);
    if (computed && expected != 0 && expected != *computed) {
      Fail(fmt::format("Wrong RDB checksum expected: ({:x}) but got ({:x}). Aborting now.",
                       *computed, expected));
      return;
    }
    result_.ok = true;
  }

  RdbInput& in_;
  engine::Keyspace& keyspace_;
  const RdbLoadOptions& options_;
  RdbReader reader_;
  engine::Database* db_ = &keyspace_.db(0);
  // The EXPIRETIME(_MS) that preceded the key being read.
  bool has_deadline_ = false;
  int64_t deadline_ms_ = 0;
  // The IDLE and FREQ that preceded it.
  std::optional<int64_t> idle_seconds_;
  std::optional<int64_t> frequency_;
  // Entries built and not yet linked, oldest first (ring positions linked_..built_): an entry is
  // linked kLinkDistance keys after it was built, by when the bucket prefetched then has arrived.
  static constexpr size_t kLinkDistance = 8;
  struct Pending {
    engine::Database* db = nullptr;
    engine::Database::LoadedEntry loaded;
  };
  std::array<Pending, kLinkDistance> pending_;
  uint64_t built_ = 0;
  uint64_t linked_ = 0;
  std::string key_;
  std::string key_scratch_;
  std::string value_scratch_;
  uint64_t reported_ = 0;
  RdbLoadResult result_;
};

}  // namespace

RdbLoadResult LoadRdb(RdbInput& in, engine::Keyspace& keyspace, const RdbLoadOptions& options) {
  return Loader(in, keyspace, options).Run();
}

}  // namespace magnetar::persistence
