// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// How two rows with equal keys combine, per value column (design.md,
// invariant 4): SUM adds (integers wrap in two's complement at the column's
// width), MIN and MAX keep the smaller/larger value (doubles by IEEE
// totalOrder), REPLACE keeps the newer value. Callers always pass the older
// row as `dst` and the newer as `src`.

#ifndef MESA_MERGE_AGGREGATE_H_
#define MESA_MERGE_AGGREGATE_H_

#include <bit>
#include <cstdint>
#include <string>

#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/key_coding.h"

namespace mesa::internal {

// Combines the newer value `src[j]` into the older value held by the last
// row of `dst` (a numeric column: in place; a string column: replaces it).
void AggregateIntoLast(Aggregation agg, ColumnVector* dst,
                       const ColumnVector& src, size_t j);

// Combines two numeric words of a column of `type`: `older` agg `newer`.
inline uint64_t AggregateWords(Aggregation agg, ColumnType type,
                               uint64_t older, uint64_t newer);

// Whether keys [0, num_keys) of row i of `a` and row j of `b` compare
// negative, zero or positive.
inline int CompareKeys(const RowBatch& a, size_t i, const RowBatch& b,
                       size_t j, size_t num_keys) {
  for (size_t c = 0; c < num_keys; ++c) {
    int r = CompareValues(a.column(c), i, b.column(c), j);
    if (r != 0) return r;
  }
  return 0;
}

// ------------------------------------------------------------ inline

inline uint64_t AggregateWords(Aggregation agg, ColumnType type,
                               uint64_t older, uint64_t newer) {
  switch (agg) {
    case Aggregation::kSum:
      switch (type) {
        case ColumnType::kInt32:
          return static_cast<uint64_t>(static_cast<int64_t>(
              static_cast<int32_t>(static_cast<uint32_t>(older) +
                                   static_cast<uint32_t>(newer))));
        case ColumnType::kDouble:
          return std::bit_cast<uint64_t>(std::bit_cast<double>(older) +
                                         std::bit_cast<double>(newer));
        default:
          return older + newer;  // wraps
      }
    case Aggregation::kMin:
      return SortableWord(type, newer) < SortableWord(type, older) ? newer
                                                                   : older;
    case Aggregation::kMax:
      return SortableWord(type, newer) > SortableWord(type, older) ? newer
                                                                   : older;
    case Aggregation::kReplace:
    case Aggregation::kNone:
      return newer;
  }
  return newer;
}

}  // namespace mesa::internal

#endif  // MESA_MERGE_AGGREGATE_H_
