// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Orders two rows by their key columns, as mesa's key encoding orders
// them, without encoding either: the merges (MergingCursor, MergeWindow)
// call it per row, so integers compare in registers and only doubles and
// strings take CompareValues.

#ifndef MESA_MERGE_KEY_COMPARE_H_
#define MESA_MERGE_KEY_COMPARE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa::internal {

// Row `i` of `a` against row `j` of `b` by their first key_types.size()
// columns (of those types): negative, zero or positive.
inline int CompareKeyColumns(std::span<const ColumnType> key_types,
                             const RowBatch& a, size_t i, const RowBatch& b,
                             size_t j) {
  for (size_t c = 0; c < key_types.size(); ++c) {
    const ColumnVector& x = a.column(c);
    const ColumnVector& y = b.column(c);
    switch (key_types[c]) {
      case ColumnType::kInt32:
      case ColumnType::kInt64: {
        const int64_t u = x.GetInt64(i), v = y.GetInt64(j);
        if (u != v) return u < v ? -1 : 1;
        break;
      }
      case ColumnType::kUint64: {
        const uint64_t u = x.GetWord(i), v = y.GetWord(j);
        if (u != v) return u < v ? -1 : 1;
        break;
      }
      case ColumnType::kDouble:
      case ColumnType::kString: {
        const int r = CompareValues(x, i, y, j);
        if (r != 0) return r;
        break;
      }
    }
  }
  return 0;
}

}  // namespace mesa::internal

#endif  // MESA_MERGE_KEY_COMPARE_H_
