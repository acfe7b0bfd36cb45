// Decoders of the compact encodings older RDB versions carry and Redis 7.0 still loads: the
// ziplist (lists, hashes and sorted sets before 7.0, quicklist nodes before 7.0) and the zipmap
// (hashes before 2.6). Both become listpacks, the encoding Magnetar keeps small collections in,
// as Redis 7.0 converts them on load.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "magnetar/engine/listpack.h"

namespace magnetar::persistence {

// The elements of a serialized ziplist, in order, as a listpack. Nothing when the bytes are not
// a well-formed ziplist: header fields that contradict the size, an entry that runs past the end,
// a previous-entry length that does not match, a missing terminator or a wrong element count.
std::optional<engine::Listpack> ZiplistToListpack(std::span<const uint8_t> bytes);

// The field/value pairs of a serialized zipmap, as a listpack of alternating fields and values.
// Nothing when the bytes are not a well-formed zipmap.
std::optional<engine::Listpack> ZipmapToListpack(std::span<const uint8_t> bytes);

}  // namespace magnetar::persistence
