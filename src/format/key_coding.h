// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The order-preserving key encoding of docs/format.md: memcmp order of the
// encoded keys is the order of the rows, and the encoding of a key prefix is
// a byte prefix of the encoding of every key that starts with it.

#ifndef MESA_FORMAT_KEY_CODING_H_
#define MESA_FORMAT_KEY_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa::internal {

// A double's bit pattern mapped so that unsigned order is IEEE totalOrder.
inline uint64_t DoubleOrderedBits(uint64_t bits) {
  return (bits >> 63) ? ~bits : bits ^ (uint64_t{1} << 63);
}
inline uint64_t DoubleFromOrderedBits(uint64_t ordered) {
  return (ordered >> 63) ? ordered ^ (uint64_t{1} << 63) : ~ordered;
}

// The ordered form of an integer word (docs/format.md, "Words").
inline uint64_t OrderedWord(ColumnType type, uint64_t word) {
  return type == ColumnType::kUint64 ? word : word ^ (uint64_t{1} << 63);
}
inline uint64_t WordFromOrdered(ColumnType type, uint64_t ordered) {
  return type == ColumnType::kUint64 ? ordered : ordered ^ (uint64_t{1} << 63);
}

// A numeric word of a column of `type` mapped to a u64 whose unsigned
// order is the value order (doubles: IEEE totalOrder).
inline uint64_t SortableWord(ColumnType type, uint64_t w) {
  switch (type) {
    case ColumnType::kDouble:
      return DoubleOrderedBits(w);
    case ColumnType::kUint64:
      return w;
    default:
      return w ^ (uint64_t{1} << 63);
  }
}

// A string of at most 8 bytes at `p` as a big-endian word, zero padded at
// the end; `room` is the number of bytes readable from p. Strings of at
// most 8 bytes order as (ShortStringWord, length) pairs do: a proper
// prefix is padded with zeros, which are at most the longer string's
// bytes there, and if those are zeros too the length decides.
inline uint64_t ShortStringWord(const char* p, size_t len, size_t room) {
  if (len == 0) return 0;
  uint64_t v = 0;
  if (room >= 8) {
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v) & (~uint64_t{0} << (8 * (8 - len)));
  }
  std::memcpy(&v, p, len);
  return __builtin_bswap64(v);
}

// Appends the key encoding of row `row` of `column`.
void AppendKeyPart(const ColumnVector& column, size_t row, std::string* dst);

// Appends the encoded key of row `row`: columns [0, num_key_columns).
void AppendEncodedKey(const RowBatch& batch, size_t row,
                      size_t num_key_columns, std::string* dst);

// Decodes an encoded key (or key prefix) back into one row of `out`, whose
// columns have the schema's key types; `out` gets one row per decoded
// column, and decoding stops at the end of `encoded`. Returns the number of
// key columns decoded, or an error if the bytes are not a valid encoding.
absl::StatusOr<size_t> DecodeKey(std::string_view encoded,
                                 const Schema& schema, RowBatch* out);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_KEY_CODING_H_
