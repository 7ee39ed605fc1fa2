// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The model's answer to a ScanSpec with filters and GROUP BY, computed the
// simple way from the model's rows at a version (ModelTable::At): filter
// every row, then group with workload::SortAndAggregate over a schema whose
// keys are the group columns. Shared by the differential and query tests.

#ifndef MESA_TESTS_DB_QUERY_MODEL_H_
#define MESA_TESTS_DB_QUERY_MODEL_H_

#include <string>
#include <vector>

#include "mesa/reader.h"
#include "mesa/schema.h"
#include "src/workload/workload.h"
#include "tests/db/db_test_util.h"

namespace mesa::testing {

inline bool ModelFilterMatches(const ColumnVector& col, size_t r,
                               const Filter& f, const ColumnVector& operands) {
  if (f.op == FilterOp::kIn) {
    for (size_t i = 0; i < operands.size(); ++i) {
      if (CompareValues(col, r, operands, i) == 0) return true;
    }
    return false;
  }
  const int c = CompareValues(col, r, operands, 0);
  switch (f.op) {
    case FilterOp::kEq:
      return c == 0;
    case FilterOp::kNe:
      return c != 0;
    case FilterOp::kLt:
      return c < 0;
    case FilterOp::kLe:
      return c <= 0;
    case FilterOp::kGt:
      return c > 0;
    case FilterOp::kGe:
      return c >= 0;
    case FilterOp::kIn:
      break;
  }
  return false;
}

// The output column specs of `spec` (as the scan names them).
inline std::vector<ColumnSpec> QueryColumns(const Schema& schema,
                                            const ScanSpec& spec) {
  if (!spec.columns.empty()) return ProjectedColumns(schema, spec.columns);
  if (spec.group_by.empty()) return schema.columns();
  std::vector<ColumnSpec> out;
  for (size_t c = 0; c < schema.num_keys(); ++c) {
    for (const std::string& g : spec.group_by) {
      if (g == schema.column(c).name) out.push_back(schema.column(c));
    }
  }
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    out.push_back(schema.column(c));
  }
  return out;
}

// The answer to `spec` (key_prefix/lower/upper must be unset) over
// `rows`, which hold the table's aggregated rows in key order.
inline RowBatch ModelQuery(const Schema& schema, const RowBatch& rows,
                           const ScanSpec& spec) {
  std::vector<size_t> fcol;
  std::vector<ColumnVector> operands;
  for (const Filter& f : spec.filters) {
    const size_t c = *schema.FindColumn(f.column);
    fcol.push_back(c);
    ColumnVector ops(schema.column(c).type);
    for (const Value& v : f.values) {
      if (!v.AppendTo(&ops).ok()) return RowBatch();
    }
    operands.push_back(std::move(ops));
  }
  RowBatch kept(schema);
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    bool in = true;
    for (size_t i = 0; i < spec.filters.size() && in; ++i) {
      in = ModelFilterMatches(rows.column(fcol[i]), r, spec.filters[i],
                              operands[i]);
    }
    if (in) kept.AppendRow(rows, r);
  }
  const std::vector<ColumnSpec> cols = QueryColumns(schema, spec);
  RowBatch out(TypesOf(cols));
  if (spec.group_by.empty()) {
    for (size_t r = 0; r < kept.num_rows(); ++r) {
      for (size_t i = 0; i < cols.size(); ++i) {
        out.column(i).AppendFrom(kept.column(*schema.FindColumn(cols[i].name)),
                                 r);
      }
    }
    return out;
  }
  // Group schema: the group columns in key order, then every value column.
  std::vector<ColumnSpec> gkeys, gvalues;
  std::vector<size_t> src;
  for (size_t c = 0; c < schema.num_keys(); ++c) {
    for (const std::string& g : spec.group_by) {
      if (g == schema.column(c).name) {
        gkeys.push_back(schema.column(c));
        src.push_back(c);
      }
    }
  }
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    gvalues.push_back(schema.column(c));
    src.push_back(c);
  }
  Schema gschema = Schema::Create(gkeys, gvalues).value();
  RowBatch grouped(gschema);
  for (size_t r = 0; r < kept.num_rows(); ++r) {
    for (size_t i = 0; i < src.size(); ++i) {
      grouped.column(i).AppendFrom(kept.column(src[i]), r);
    }
  }
  workload::SortAndAggregate(gschema, &grouped);
  for (size_t r = 0; r < grouped.num_rows(); ++r) {
    for (size_t i = 0; i < cols.size(); ++i) {
      out.column(i).AppendFrom(
          grouped.column(*gschema.FindColumn(cols[i].name)), r);
    }
  }
  return out;
}

}  // namespace mesa::testing

#endif  // MESA_TESTS_DB_QUERY_MODEL_H_
