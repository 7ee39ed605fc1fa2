// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Sorting a batch's rows by key straight from its key columns, without
// encoding the keys (merge/sort_aggregate.h's fast path). Every key column
// is read as fixed-width big-endian fields whose concatenation orders as
// the keys do (CompareValues, the order of key_coding.h): a number its
// ordered form (4 bytes for int32, 8 otherwise), a string of at most 8
// bytes in every row of the batch its bytes zero padded to 8, then its
// length in a byte. Zero padding and then the length order as the bytes
// compare: a proper prefix is padded with zeros, which are at most the
// longer string's bytes there, and if those are zeros too the length
// decides. The fields are injective, so equal fields are equal keys.
//
// Most batches leave most of those bits constant (the high bytes of an
// int64 id, a date's century): when the span from each field's highest to
// its lowest varying bit, summed over the fields, is at most 64 bits, the
// spans are packed into one integer per row, in order of significance,
// and the rows sort by it with a stable LSD radix sort of digits of up to
// 12 bits (the ads key packs into about 48 bits: four passes).
//
// Thread safety: stateless functions, safe from any thread.

#ifndef MESA_MERGE_COLUMN_KEY_SORT_H_
#define MESA_MERGE_COLUMN_KEY_SORT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mesa/row_batch.h"

namespace mesa::internal {

struct PackedEntry {
  uint64_t key;
  uint32_t row;
};

// A stable LSD radix sort of `a` by the low `key_bits` bits of its keys
// (`b`: scratch of the same size).
void RadixSortPacked(int key_bits, std::vector<PackedEntry>* a,
                     std::vector<PackedEntry>* b);

// Fills order[0, n) with the rows of `rows` (n of them) in key order, ties
// in row order, and dup[i] with whether order[i] has the key of
// order[i - 1]. False, doing nothing, if n < 2, a string key is longer
// than 8 bytes, or the spans of varying bits add up to more than 64.
bool SortByKeyColumns(const RowBatch& rows, size_t num_keys, size_t n,
                      std::vector<uint32_t>* order, std::vector<uint8_t>* dup);

}  // namespace mesa::internal

#endif  // MESA_MERGE_COLUMN_KEY_SORT_H_
