// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "mesa/row_batch.h"

#include "src/format/key_coding.h"

namespace mesa {

int CompareValues(const ColumnVector& a, size_t i, const ColumnVector& b,
                  size_t j) {
  switch (a.type()) {
    case ColumnType::kInt32:
    case ColumnType::kInt64: {
      int64_t x = a.GetInt64(i), y = b.GetInt64(j);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case ColumnType::kUint64: {
      uint64_t x = a.GetUint64(i), y = b.GetUint64(j);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case ColumnType::kDouble: {
      uint64_t x = internal::DoubleOrderedBits(a.GetWord(i));
      uint64_t y = internal::DoubleOrderedBits(b.GetWord(j));
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case ColumnType::kString:
      return a.GetString(i).compare(b.GetString(j));
  }
  return 0;
}

RowBatch::RowBatch(const Schema& schema) {
  columns_.reserve(schema.num_columns());
  for (const ColumnSpec& c : schema.columns()) columns_.emplace_back(c.type);
}

RowBatch::RowBatch(const std::vector<ColumnType>& types) {
  columns_.reserve(types.size());
  for (ColumnType t : types) columns_.emplace_back(t);
}

}  // namespace mesa
