// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Rollups (materialized views) as the db layer keeps them: a rollup is a
// table of its own in the manifest whose parent is another table
// (version_edit.h, TableInfo). Its schema is the RollupSpec's key columns,
// in the spec's order, then its value columns, each with the parent's type
// and aggregation; its rows are the parent's rows projected onto those
// columns and aggregated by the rollup's key. Commit derives a rollup's
// singleton from its parent's; a rollup added to a table that holds data
// is back-filled from a pinned version (database_impl.cc).

#ifndef MESA_DB_ROLLUP_H_
#define MESA_DB_ROLLUP_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "mesa/table.h"
#include "src/merge/merging_cursor.h"

namespace mesa::internal {

// The schema of rollup `spec` of table `parent_name`. InvalidArgument
// naming the rollup and column for an empty name, no key column, a column
// the parent lacks, a key listed as a value or a value as a key, a column
// listed twice, or a REPLACE column.
absl::StatusOr<Schema> RollupSchema(std::string_view parent_name,
                                    const Schema& parent,
                                    const RollupSpec& spec);

// The RollupSpec a rollup's schema stands for.
RollupSpec SpecOfRollup(std::string name, const Schema& rollup);

// For each column of `rollup`, the index of the parent column of that
// name. The rollup's schema came from RollupSchema over this parent, so
// each is there (DataLoss naming the column otherwise: a manifest that
// says so is corrupt).
absl::StatusOr<std::vector<size_t>> RollupColumnMap(const Schema& parent,
                                                    const Schema& rollup);

// Rows of `rollup` from rows of its parent (`map` from RollupColumnMap):
// projected, then sorted and aggregated by the rollup's key.
RowBatch DeriveRollupRows(const Schema& rollup, const std::vector<size_t>& map,
                          const RowBatch& parent_rows);

// Every row of `rollup` from a cursor over the parent's merged rows, which
// yields every key column then `value_columns` of the parent (the layout
// NewMergingCursor gives). Aggregates in bounded chunks, so memory follows
// the rollup's size, not the parent's.
absl::StatusOr<RowBatch> AggregateRollup(const Schema& parent,
                                         const std::vector<size_t>& value_columns,
                                         const Schema& rollup,
                                         const std::vector<size_t>& map,
                                         MergingCursor* parent_rows);

}  // namespace mesa::internal

#endif  // MESA_DB_ROLLUP_H_
