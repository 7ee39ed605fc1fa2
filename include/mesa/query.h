// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The query vocabulary of a scan (reader.h, ScanSpec): column filters, and
// the Explain report a ScanCursor gives of what it read.
//
// Thread safety: plain value types.

#ifndef MESA_QUERY_H_
#define MESA_QUERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mesa/value.h"

namespace mesa {

enum class FilterOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn };

// `column OP values[0]`, or `column IN (values...)` for kIn. Filters of a
// ScanSpec are ANDed and apply to rows as the table holds them at the
// reader's version (values aggregated over every delta), before any
// GROUP BY: SQL's WHERE, not HAVING. Each value must convert to the
// column's type without loss (Value::AppendTo), else the scan fails with
// InvalidArgument naming the column.
struct Filter {
  std::string column;
  FilterOp op = FilterOp::kEq;
  std::vector<Value> values;
};

// What one delta of a scan cost.
struct DeltaExplain {
  uint64_t file_number = 0;
  uint64_t min_version = 0;
  uint64_t max_version = 0;
  uint64_t rows = 0;  // rows the delta holds
  // Pruned by its min/max keys or file zone maps: not opened for reading.
  bool skipped = false;
  uint64_t blocks = 0;  // blocks the delta holds
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;  // by zone maps
  uint64_t rows_decoded = 0;    // rows of the blocks read (re-reads count)
};

// Explain of a scan, as of the last batch handed out (counters grow as the
// scan goes on).
struct ScanExplain {
  std::string table;   // the table the scan asked for
  std::string source;  // the table or rollup it read
  bool from_rollup = false;
  uint64_t version = 0;
  std::vector<DeltaExplain> deltas;  // the covering path, oldest first
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;
  uint64_t rows_in_deltas = 0;  // sum of the deltas' rows
  uint64_t rows_decoded = 0;
  // Rows of the deltas never decoded: pruned deltas, skipped blocks and
  // blocks jumped over by seeks. rows_in_deltas - rows_decoded, at 0.
  uint64_t rows_never_decoded = 0;
  uint64_t rows_merged = 0;    // rows out of the cross-delta merge
  uint64_t rows_returned = 0;  // rows handed out (groups, with GROUP BY)
  // Seeks past rows no key filter admits (Mesa's scan-to-seek): on
  // filters of non-leading key columns, IN lists and resume positions.
  bool skip_scan = false;
  uint64_t seeks = 0;
  // "hash" or "streaming" with GROUP BY; empty without.
  std::string group_by;

  // A multi-line, human-readable report.
  std::string ToString() const;
};

}  // namespace mesa

#endif  // MESA_QUERY_H_
