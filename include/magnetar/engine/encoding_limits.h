// The thresholds at which compact encodings of lists, hashes and sets convert to their general
// ones, as the redis.conf directives set them (list-max-listpack-size, hash-max-listpack-entries
// and -value, set-max-intset-entries, zset-max-listpack-entries and -value; the *-ziplist-* names
// are aliases). The keyspace holds the current values; the server updates them when the
// configuration changes, and a value type reads them when it grows. Defaults are Redis 7.0.15's.
#pragma once

#include <cstdint>

namespace magnetar::engine {

struct EncodingLimits {
  // Positive: at most this many elements per quicklist node. Negative -1..-5: at most 4, 8, 16,
  // 32 or 64 KB per node.
  int64_t list_max_listpack_size = -2;
  // Nodes at each end of a quicklist left uncompressed (0: no compression).
  int64_t list_compress_depth = 0;
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  // hll-sparse-max-bytes: the longest sparse HyperLogLog string; a longer one becomes dense.
  int64_t hll_sparse_max_bytes = 3000;
};

}  // namespace magnetar::engine
