// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Turns the rows of one update batch for one table into the rows of a
// singleton delta: sorted by key, each key once, equal keys combined with
// each value column's aggregation in batch order (a later row is newer, so
// REPLACE keeps the last one).

#ifndef MESA_MERGE_SORT_AGGREGATE_H_
#define MESA_MERGE_SORT_AGGREGATE_H_

#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa::internal {

// Returns the sorted, aggregated rows of `rows` (whose columns match
// `schema`).
RowBatch SortAndAggregateRows(const Schema& schema, const RowBatch& rows);

// The same into `out`, whose rows are replaced. When `out` is already a
// batch of `schema`, its columns keep their memory: a caller that sorts
// batch after batch into the same `out` does not allocate (and fault in)
// fresh columns each time.
void SortAndAggregateRows(const Schema& schema, const RowBatch& rows,
                          RowBatch* out);

}  // namespace mesa::internal

#endif  // MESA_MERGE_SORT_AGGREGATE_H_
