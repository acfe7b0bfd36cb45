// Redis's digest, from its DEBUG command, builds on two ways of adding bytes to a 20-byte state:
//
//   xor:  state ^= SHA1(bytes)            order-free, for members of sets and the like
//   mix:  state = SHA1(state ^ SHA1(bytes))  order-sensitive, and "ab","c" differs from "a","bc"
//
// A value mixes its type (as a 4-byte big-endian number, Redis's object type codes) and then its
// contents: a string its bytes (an integer its decimal text), a list each element in order, a set
// xors each member, a hash xors one sub-digest per field (mix field, mix value) and a sorted set
// one per element (mix member, mix the score printed with "%.17g"); a sub-digest is added with
// xor, so as the SHA1 of its 20 bytes. A key with a deadline then xors the text "!!expire!!". The
// dataset digest xors in, per key, the sub-digest of mix(key) followed by its value's additions,
// and before each non-empty database's keys it mixes the database number (big-endian), so the
// same keys in another database give another digest.
#include "magnetar/commands/dataset_digest.h"

#include <boost/uuid/detail/sha1.hpp>
#include <cstdio>
#include <string_view>

#include "magnetar/engine/database.h"
#include "magnetar/engine/hash_value.h"
#include "magnetar/engine/list_value.h"
#include "magnetar/engine/set_value.h"
#include "magnetar/engine/zset_value.h"

namespace magnetar::commands {
namespace {

using engine::ValueType;

Digest Sha1(const void* bytes, size_t size) {
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(bytes, size);
  boost::uuids::detail::sha1::digest_type words;
  sha.get_digest(words);
  Digest out;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(words[i / 4] >> (24 - 8 * (i % 4)));
  }
  return out;
}

void Xor(Digest& state, const void* bytes, size_t size) {
  Digest hash = Sha1(bytes, size);
  for (size_t i = 0; i < state.size(); ++i) state[i] ^= hash[i];
}

void Xor(Digest& state, std::string_view bytes) { Xor(state, bytes.data(), bytes.size()); }

void Mix(Digest& state, std::string_view bytes) {
  Xor(state, bytes);
  state = Sha1(state.data(), state.size());
}

void MixBigEndian32(Digest& state, uint32_t value) {
  const char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                         static_cast<char>(value >> 8), static_cast<char>(value)};
  Mix(state, {bytes, sizeof(bytes)});
}

// Redis's object type codes (5 is a module's value).
uint32_t RedisTypeCode(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return 0;
    case ValueType::kList:
      return 1;
    case ValueType::kSet:
      return 2;
    case ValueType::kZSet:
      return 3;
    case ValueType::kHash:
      return 4;
    case ValueType::kStream:
      return 6;
  }
  return 0;
}

// Adds one value's type, contents and deadline flag to `state`.
void AddValue(Digest& state, const engine::Entry& entry) {
  MixBigEndian32(state, RedisTypeCode(entry.type()));
  switch (entry.type()) {
    case ValueType::kString:
      Mix(state, entry.string().view());
      break;
    case ValueType::kList:
      static_cast<const engine::ListValue*>(entry.object())
          ->Walk(false, [&](size_t, std::string_view element) {
            Mix(state, element);
            return true;
          });
      break;
    case ValueType::kSet:
      static_cast<const engine::SetValue*>(entry.object())->ForEach([&](std::string_view member) {
        Xor(state, member);
      });
      break;
    case ValueType::kZSet:
      static_cast<const engine::ZSetValue*>(entry.object())
          ->Walk(0, false, [&](std::string_view member, double score) {
            char text[kMaxDoubleChars];
            Digest element{};
            Mix(element, member);
            Mix(element, {text, FormatDouble(score, text)});
            Xor(state, element.data(), element.size());
            return true;
          });
      break;
    case ValueType::kHash:
      static_cast<const engine::HashValue*>(entry.object())
          ->ForEach([&](std::string_view field, std::string_view value) {
            Digest element{};
            Mix(element, field);
            Mix(element, value);
            Xor(state, element.data(), element.size());
          });
      break;
    case ValueType::kStream:
      // Magnetar holds no stream values: the type has no object to read.
      break;
  }
  if (entry.has_deadline()) Xor(state, "!!expire!!");
}

}  // namespace

Digest ValueDigest(const engine::Entry& entry) {
  Digest state{};
  AddValue(state, entry);
  return state;
}

Digest DatasetDigest(const engine::Keyspace& keyspace) {
  Digest result{};
  for (size_t index = 0; index < keyspace.database_count(); ++index) {
    const engine::Database& db = keyspace.db(index);
    if (db.Size() == 0) continue;
    MixBigEndian32(result, static_cast<uint32_t>(index));
    uint64_t cursor = 0;
    do {
      cursor = db.Scan(cursor, [&](const engine::Entry& entry) {
        Digest key_digest{};
        Mix(key_digest, entry.key());
        AddValue(key_digest, entry);
        Xor(result, key_digest.data(), key_digest.size());
      });
    } while (cursor != 0);
  }
  return result;
}

std::string DigestHex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (uint8_t byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

}  // namespace magnetar::commands
