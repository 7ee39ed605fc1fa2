// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// One typed cell value, for building rows and keys by hand. Bulk paths use
// RowBatch (row_batch.h) instead.
//
// Thread safety: a Value is a plain value type.

#ifndef MESA_VALUE_H_
#define MESA_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa {

class Value {
 public:
  Value(int32_t v) : type_(ColumnType::kInt32), word_(static_cast<int64_t>(v)) {}  // NOLINT
  Value(int64_t v) : type_(ColumnType::kInt64), word_(static_cast<uint64_t>(v)) {}  // NOLINT
  Value(uint64_t v) : type_(ColumnType::kUint64), word_(v) {}  // NOLINT
  Value(double v);  // NOLINT
  Value(std::string_view v) : type_(ColumnType::kString), str_(v) {}  // NOLINT
  Value(const char* v) : type_(ColumnType::kString), str_(v) {}  // NOLINT
  Value(std::string v) : type_(ColumnType::kString), str_(std::move(v)) {}  // NOLINT

  // The type the value was made with.
  ColumnType type() const { return type_; }
  // The 64-bit word of a numeric value (row_batch.h explains the coding).
  uint64_t word() const { return word_; }
  const std::string& str() const { return str_; }

  // Appends this value to `column`, converting it to the column's type when
  // that loses nothing: integers widen or narrow if the value fits,
  // integers become doubles if exactly representable. Otherwise
  // InvalidArgument saying what did not fit (the caller adds which table,
  // row and column).
  absl::Status AppendTo(ColumnVector* column) const;

  std::string DebugString() const;

 private:
  ColumnType type_;
  uint64_t word_ = 0;
  std::string str_;
};

}  // namespace mesa

#endif  // MESA_VALUE_H_
