// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "mesa/update_batch.h"

#include "fmt/format.h"
#include "src/util/status_macros.h"

namespace mesa {

using internal::StatusMessage;

namespace {

// The batch keeps the table's handle alive; a Table made outside a
// shared_ptr is copied.
std::shared_ptr<const Table> HandleOf(const Table& table) {
  std::shared_ptr<const Table> handle = table.weak_from_this().lock();
  return handle != nullptr ? handle : std::make_shared<Table>(table);
}

}  // namespace

UpdateBatch::TableRows& UpdateBatch::RowsFor(const Table& table) {
  auto it = tables_.find(table.id());
  if (it == tables_.end()) {
    it = tables_
             .emplace(table.id(),
                      TableRows{HandleOf(table), RowBatch(table.schema())})
             .first;
  }
  return it->second;
}

namespace {

// A string column addresses its bytes with 32-bit offsets: one batch holds
// at most 4 GiB of string bytes per table and column.
absl::Status CheckStringFits(const ColumnVector& col, size_t more) {
  if (more > UpdateBatch::kMaxStringSize) {
    return absl::InvalidArgumentError(fmt::format(
        "string of {} bytes exceeds the limit of {}", more,
        UpdateBatch::kMaxStringSize));
  }
  if (col.bytes().size() + more > UINT32_MAX) {
    return absl::InvalidArgumentError(fmt::format(
        "the batch would hold {} bytes of strings in this column, over the "
        "4 GiB one batch can hold: commit it and start another",
        col.bytes().size() + more));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status UpdateBatch::AddRow(const Table& table,
                                 absl::Span<const Value> values) {
  const Schema& schema = table.schema();
  TableRows& rows = RowsFor(table);
  const size_t row = rows.rows.num_rows();
  if (values.size() != schema.num_columns()) {
    return absl::InvalidArgumentError(fmt::format(
        "table '{}' row {}: {} values for {} columns", table.name(), row,
        values.size(), schema.num_columns()));
  }
  for (size_t c = 0; c < values.size(); ++c) {
    absl::Status s = values[c].type() == ColumnType::kString
                         ? CheckStringFits(rows.rows.column(c),
                                           values[c].str().size())
                         : absl::OkStatus();
    if (s.ok()) s = values[c].AppendTo(&rows.rows.column(c));
    if (!s.ok()) {
      // Roll back the columns this row already touched.
      for (size_t undo = 0; undo < schema.num_columns(); ++undo) {
        ColumnVector& col = rows.rows.column(undo);
        if (col.size() > row) {
          if (col.is_string()) {
            col.bytes().resize(col.offsets()[row]);
            col.offsets().resize(row + 1);
          } else {
            col.words().resize(row);
          }
        }
      }
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' row {} column '{}': {}", table.name(), row,
          schema.column(c).name, StatusMessage(s)));
    }
  }
  return absl::OkStatus();
}

absl::Status UpdateBatch::AddRows(const Table& table, const RowBatch& rows) {
  const Schema& schema = table.schema();
  if (rows.num_columns() != schema.num_columns()) {
    return absl::InvalidArgumentError(fmt::format(
        "table '{}': a batch of {} columns for {} columns", table.name(),
        rows.num_columns(), schema.num_columns()));
  }
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    const ColumnVector& col = rows.column(c);
    if (col.type() != schema.column(c).type) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' column '{}': batch column is {}, the schema says {}",
          table.name(), schema.column(c).name, ColumnTypeName(col.type()),
          ColumnTypeName(schema.column(c).type)));
    }
    if (col.size() != rows.num_rows()) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' column '{}': {} values, column 0 has {}", table.name(),
          schema.column(c).name, col.size(), rows.num_rows()));
    }
    for (size_t r = 0; r < col.size(); ++r) {
      if (col.type() == ColumnType::kInt32 &&
          col.GetInt64(r) != static_cast<int64_t>(col.GetInt32(r))) {
        return absl::InvalidArgumentError(fmt::format(
            "table '{}' row {} column '{}': word {} is not an int32",
            table.name(), r, schema.column(c).name, col.GetInt64(r)));
      }
      if (col.is_string() && col.ValueSize(r) > kMaxStringSize) {
        return absl::InvalidArgumentError(fmt::format(
            "table '{}' row {} column '{}': string of {} bytes exceeds the "
            "limit of {}",
            table.name(), r, schema.column(c).name, col.ValueSize(r),
            kMaxStringSize));
      }
    }
  }
  TableRows& dst = RowsFor(table);
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    const ColumnVector& col = rows.column(c);
    if (!col.is_string()) continue;
    absl::Status s = CheckStringFits(
        dst.rows.column(c), col.bytes().size() - col.offsets().front());
    if (!s.ok()) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' column '{}': {}", table.name(), schema.column(c).name,
          StatusMessage(s)));
    }
  }
  dst.rows.AppendRows(rows, 0, rows.num_rows());
  return absl::OkStatus();
}

size_t UpdateBatch::num_rows() const {
  size_t n = 0;
  for (const auto& [id, t] : tables_) n += t.rows.num_rows();
  return n;
}

}  // namespace mesa
