// Intset: a sorted array of distinct integers in one allocation, the compact encoding of a small
// set whose members are all integers.
//
// The bytes are Redis's documented intset layout, so that an RDB save or a DUMP of a small set
// can copy them as they are:
//
//   encoding  u32 little-endian: the width of every element in bytes, 2, 4 or 8
//   length    u32 little-endian: the number of elements
//   contents  `length` signed integers of `encoding` bytes each, little-endian, ascending
//
// All elements share the width of the widest one. Inserting a value that needs more bytes
// rewrites every element at the new width ("upgrade"); removing never narrows, as in Redis, so a
// saved intset reads back byte for byte. Lookups are binary searches. Inserts and removals move
// the tail and reallocate to the exact size: an intset stays small (set-max-intset-entries, 512
// by default), where a memmove of a few hundred bytes is cheaper than keeping spare room in every
// small set.
//
// The blob is a plain malloc'd pointer that its holder owns (SetValue keeps it in one tagged word
// next to the hashtable pointer). The functions that grow or shrink it take the pointer by
// reference and may move it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace magnetar::engine::intset {

constexpr size_t kHeaderBytes = 8;

// A new empty intset (2-byte encoding).
uint8_t* New();
// A copy of `bytes`, which must be a valid intset (see IsValid).
uint8_t* FromBytes(std::span<const uint8_t> bytes);
void Free(uint8_t* blob);

// Whether `bytes` is a well-formed intset: a known width, a length that matches the size,
// elements strictly ascending.
bool IsValid(std::span<const uint8_t> bytes);

uint32_t Width(const uint8_t* blob);
size_t Size(const uint8_t* blob);
// The serialized form: header and contents.
std::span<const uint8_t> Bytes(const uint8_t* blob);
// REQUIRES: index < Size(blob).
int64_t At(const uint8_t* blob, size_t index);
bool Contains(const uint8_t* blob, int64_t value);

// Adds `value`; false when it was already there. May move `blob`.
bool Insert(uint8_t*& blob, int64_t value);
// Removes `value`; false when it was not there. May move `blob`.
bool Erase(uint8_t*& blob, int64_t value);

}  // namespace magnetar::engine::intset
