// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// An UpdateBatch collects rows for one or more tables; Database::Commit
// publishes all of them atomically as the next version. Rows for the same
// key may repeat (they aggregate, later rows newer); SUM values may be
// negative (corrections).
//
// Thread safety: an UpdateBatch is used by one thread at a time; a const
// batch may be committed from any thread.

#ifndef MESA_UPDATE_BATCH_H_
#define MESA_UPDATE_BATCH_H_

#include <initializer_list>
#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "mesa/row_batch.h"
#include "mesa/table.h"
#include "mesa/value.h"

namespace mesa {

class UpdateBatch {
 public:
  // The longest string value a row may hold.
  static constexpr size_t kMaxStringSize = size_t{16} << 20;

  UpdateBatch() = default;

  // Appends one row: a value for every column of the table, in schema
  // order. InvalidArgument naming the table, row and column if a value does
  // not fit its column (Value::AppendTo) or the count is wrong; the batch
  // is then unchanged.
  absl::Status AddRow(const Table& table, absl::Span<const Value> values);
  absl::Status AddRow(const Table& table, std::initializer_list<Value> values) {
    return AddRow(table, absl::Span<const Value>(values.begin(), values.size()));
  }

  // Appends every row of `rows`, whose columns must have exactly the
  // table's types: the bulk path, with no per-value conversion.
  absl::Status AddRows(const Table& table, const RowBatch& rows);

  // Total rows over all tables.
  size_t num_rows() const;
  bool empty() const { return num_rows() == 0; }
  void Clear() { tables_.clear(); }

  struct TableRows {
    std::shared_ptr<const Table> table;
    RowBatch rows;
  };
  // Rows by table id (for Database::Commit).
  const std::map<uint32_t, TableRows>& tables() const { return tables_; }

 private:
  TableRows& RowsFor(const Table& table);

  std::map<uint32_t, TableRows> tables_;
};

}  // namespace mesa

#endif  // MESA_UPDATE_BATCH_H_
