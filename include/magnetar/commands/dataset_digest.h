// DEBUG DIGEST and DEBUG DIGEST-VALUE: SHA1-based fingerprints of the dataset and of single
// values that equal Redis 7.0's for the same data, so two servers (Magnetar and Redis, a primary
// and its replica, a dataset before and after a reload) can be compared by one short string.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "magnetar/engine/entry.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::commands {

using Digest = std::array<uint8_t, 20>;

// The digest of one key's value as DIGEST-VALUE gives it: its type, its contents (in order for
// strings and lists; independent of the order of set members, hash fields and sorted-set
// elements) and whether it has a deadline (not the deadline itself).
Digest ValueDigest(const engine::Entry& entry);

// The digest of every database, keys past their deadline included (DEBUG DIGEST does not expire
// anything). Independent of the order of keys in a database; an empty dataset is all zeros.
Digest DatasetDigest(const engine::Keyspace& keyspace);

// The 40 lowercase hex digits the commands reply with.
std::string DigestHex(const Digest& digest);

}  // namespace magnetar::commands
